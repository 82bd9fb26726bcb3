/**
 * What operators deploy with must load: the config in the Kubernetes manifests (with the
 * variables the Deployment sets) is a valid cluster config, and the probes hit `/health`.
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { loadConfig } from "../../src/config/load.ts";
import { ROOT, writeConfig } from "../helpers.ts";

const manifests = parseAllDocuments(
  readFileSync(join(ROOT, "deploy/kubernetes/gateway.yaml"), "utf8"),
).map((doc) => doc.toJS());

test("the Kubernetes ConfigMap holds a valid cluster config for each pod", () => {
  const configMap = manifests.find((doc) => doc.kind === "ConfigMap");
  const file = writeConfig(configMap.data["config.yaml"]);
  const config = loadConfig({
    path: file,
    env: {
      MCP_GATEWAY_TOKEN: "t".repeat(32),
      MCP_GATEWAY_CLUSTER__INSTANCE_ID: "mcp-gateway-7d9c-abcde",
      MCP_GATEWAY_CLUSTER__ADVERTISE_URL: "http://10.1.2.3:39400",
    },
  });
  expect(config.cluster).toEqual({
    redis_url: "redis://mcp-gateway-redis:6379",
    instance_id: "mcp-gateway-7d9c-abcde",
    key_prefix: "mcp-gateway:",
    advertise_url: "http://10.1.2.3:39400",
  });
});

test("the Deployment runs replicas with probes on /health", () => {
  const deployment = manifests.find((doc) => doc.kind === "Deployment");
  expect(deployment.spec.replicas).toBeGreaterThan(1);
  const [container] = deployment.spec.template.spec.containers;
  expect(container.readinessProbe.httpGet.path).toBe("/health");
  expect(container.livenessProbe.httpGet.path).toBe("/health");
});

test("a redis_url that is not a Redis URL is refused, naming the setting", () => {
  const file = writeConfig("cluster: { redis_url: localhost:6379 }\n");
  expect(() => loadConfig({ path: file, env: {} })).toThrow(/cluster\.redis_url/);
});
