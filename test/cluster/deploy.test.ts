/**
 * What operators deploy with must load: the config in the Kubernetes manifests (with the
 * variables the Deployment sets) is a valid cluster config, and the probes hit `/health`.
 */
import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { loadConfig } from "../../src/config/load.ts";
import { ROOT, writeConfig } from "../helpers.ts";
import { ChartRenderer } from "./_gotemplate.ts";

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
    peer_timeout: 10_000,
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

// The Helm chart, rendered by a small evaluator of the template subset it uses (helm itself is
// not installable here): see _gotemplate.ts.
const CHART = join(ROOT, "deploy/helm/mcp-gateway");

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes documents, read field by field below
type Manifest = Record<string, any>;

function renderChart(values: Record<string, unknown> = {}): Manifest[] {
  const defaults = parse(readFileSync(join(CHART, "values.yaml"), "utf8")) as Record<
    string,
    unknown
  >;
  const merged = deepMerge(structuredClone(defaults), values);
  const files = readdirSync(join(CHART, "templates")).sort();
  const sources = files.map((file) => readFileSync(join(CHART, "templates", file), "utf8"));
  const renderer = new ChartRenderer(sources);
  const context = { Values: merged, Release: { Name: "rel" } };
  return files
    .filter((file) => !file.startsWith("_"))
    .flatMap((file) => {
      const text = renderer.render(readFileSync(join(CHART, "templates", file), "utf8"), context);
      return parseAllDocuments(text)
        .map((doc) => {
          if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0]!.message}\n${text}`);
          return doc.toJS();
        })
        .filter(Boolean);
    });
}

function deepMerge(into: Record<string, unknown>, from: Record<string, unknown>) {
  for (const [key, value] of Object.entries(from)) {
    const have = into[key];
    if (
      have &&
      value &&
      typeof have === "object" &&
      typeof value === "object" &&
      !Array.isArray(value)
    )
      deepMerge(have as Record<string, unknown>, value as Record<string, unknown>);
    else into[key] = value;
  }
  return into;
}

test("helm chart: renders a ConfigMap the gateway loads, a Secret, the Deployment with probes, Services and Redis", () => {
  const docs = renderChart({ token: "t".repeat(40) });
  expect(docs.map((doc) => `${doc.kind}/${doc.metadata.name}`)).toEqual([
    "ConfigMap/rel-mcp-gateway",
    "Secret/rel-mcp-gateway",
    "Deployment/rel-mcp-gateway",
    "Service/rel-mcp-gateway",
    "Deployment/rel-mcp-gateway-redis",
    "Service/rel-mcp-gateway-redis",
  ]);
  const config = loadConfig({
    path: writeConfig(docs[0]!.data["config.yaml"]),
    env: {
      MCP_GATEWAY_TOKEN: "t".repeat(40),
      MCP_GATEWAY_CLUSTER__INSTANCE_ID: "rel-mcp-gateway-abc",
      MCP_GATEWAY_CLUSTER__ADVERTISE_URL: "http://10.1.2.3:39400",
    },
  });
  expect(config.cluster?.redis_url).toBe("redis://rel-mcp-gateway-redis:6379");
  expect(config.server.host).toBe("0.0.0.0");
  expect(config.auth.enabled).toBe(true);
  expect(docs[1]!.stringData.token).toBe("t".repeat(40));
  const deployment = docs[2]!;
  expect(deployment.spec.replicas).toBe(3);
  const [container] = deployment.spec.template.spec.containers;
  expect(container.image).toBe("ghcr.io/mcp-gateway/mcp-gateway:latest");
  expect(container.readinessProbe.httpGet.path).toBe("/health");
  expect(container.livenessProbe.httpGet.path).toBe("/health");
  expect(container.resources.limits.memory).toBe("512Mi");
  expect(container.env[0].valueFrom.secretKeyRef.name).toBe("rel-mcp-gateway");
  expect(deployment.spec.template.metadata.annotations["checksum/config"]).toMatch(
    /^[0-9a-f]{64}$/,
  );
  // The Service selects the Deployment's pods.
  expect(docs[3]!.spec.selector).toEqual(deployment.spec.template.metadata.labels);
  expect(docs[5]!.spec.selector).toEqual(docs[4]!.spec.template.metadata.labels);
});

test("helm chart: your own Redis and your own Secret", () => {
  const docs = renderChart({
    existingSecret: "gateway-token",
    redis: { enabled: false, url: "rediss://redis.internal:6380" },
  });
  expect(docs.map((doc) => doc.kind)).toEqual(["ConfigMap", "Deployment", "Service"]);
  expect(docs[0]!.data["config.yaml"]).toContain("redis_url: rediss://redis.internal:6380");
  expect(docs[1]!.spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.name).toBe(
    "gateway-token",
  );
});

test("helm chart: a missing token or Redis URL stops the render, saying what to set", () => {
  expect(() => renderChart()).toThrow(/set token .* or existingSecret/);
  expect(() => renderChart({ token: "x", redis: { enabled: false } })).toThrow(
    /redis.url is required when redis.enabled is false/,
  );
});
