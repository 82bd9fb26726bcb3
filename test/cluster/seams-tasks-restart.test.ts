/**
 * 2026-07-28 tasks × Redis restarted without persistence: the instance holding a task writes
 * its record again when Redis answers, so `tasks/get` and `tasks/list` from the other instance
 * find it again (before, a task made before the restart was unknown everywhere but on its
 * instance until it ended).
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { loadConfig } from "../../src/config/load.ts";
import { type RunningGateway, runGateway } from "../../src/gateway/run.ts";
import { hashKey } from "../../src/security/keys.ts";
import { EVERYTHING, freePort, waitFor, writeConfig } from "../helpers.ts";
import { type RedisServer, startRedis } from "./_redis.ts";

setDefaultTimeout(60_000);

const ALICE = "alice-key-0123456789abcdef";
let redis: RedisServer;
type Instance = RunningGateway & { url: string };
const instances: Instance[] = [];

beforeAll(async () => {
  if (!Bun.which("redis-server")) return;
  redis = await startRedis();
  for (const id of ["a", "b"]) {
    const yaml = `
capabilities: { enabled: false }
cluster: { redis_url: "${redis.url}", instance_id: ${id}, key_prefix: "seams-tasks-${process.pid}:" }
auth:
  enabled: true
  api_keys:
    - { name: alice, key: "${hashKey(ALICE)}" }
backends:
  everything:
    command: node
    args: ["${EVERYTHING}", "stdio"]
`;
    const running = await runGateway({
      config: loadConfig({ path: writeConfig(yaml) }),
      port: await freePort(),
      memoryState: true,
      watch: false,
    });
    await waitFor(() => running.gateway.index.tools("everything").length > 0, 20_000);
    instances.push(running as Instance);
  }
});

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.stop()));
  await redis?.kill();
});

let nextId = 1;

/** One raw 2026-07-28 request on /mcp/everything as alice (the SDK refuses tasks/list there). */
async function post(
  url: string,
  method: string,
  params: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const id = nextId++;
  const response = await fetch(`${url}/mcp/everything`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      authorization: `Bearer ${ALICE}`,
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": method,
      ...(params.name || params.taskId ? { "mcp-name": String(params.name ?? params.taskId) } : {}),
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id,
      method,
      params: {
        ...params,
        _meta: {
          "io.modelcontextprotocol/protocolVersion": "2026-07-28",
          "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" },
          "io.modelcontextprotocol/clientCapabilities": {},
        },
      },
    }),
  });
  const text = await response.text();
  const messages = text
    .split("\n")
    .filter((line) => line.startsWith("data: {") || line.startsWith("{"))
    .map((line) => JSON.parse(line.replace(/^data: /, "")) as Record<string, unknown>);
  return messages.find((message) => message.id === id) ?? { raw: text, status: response.status };
}

describe.skipIf(!Bun.which("redis-server"))("tasks × Redis restarted empty", () => {
  test("a task made before the restart is found from the other instance after it", async () => {
    const [a, b] = instances as [Instance, Instance];
    const created = await post(a.url, "tools/call", {
      name: "simulate-research-query",
      arguments: { topic: "restart" },
      task: { ttl: 60_000 },
    });
    const id = (created.result as { task?: { taskId?: string } } | undefined)?.task?.taskId;
    expect(id, JSON.stringify(created)).toBeString();
    await redis.kill();
    await waitFor(() => instances.every((i) => i.cluster?.status().redis === "down"));
    await redis.restart();
    await waitFor(() => instances.every((i) => i.cluster?.status().redis === "connected"), 15_000);
    await Bun.sleep(200);
    const got = await post(b.url, "tasks/get", { taskId: id });
    expect(got.result, JSON.stringify(got)).toMatchObject({ taskId: id });
    const listed = await post(b.url, "tasks/list", {});
    expect(JSON.stringify(listed.result)).toContain(id!);
  });
});
