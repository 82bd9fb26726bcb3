/**
 * 2026-07-28 (stateless) tasks across instances: a task-augmented call served by one instance
 * makes a task its backend process holds; `tasks/get` sent to another instance (a load balancer
 * without sticky routing) is relayed to the first through Redis's record of the task.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { loadConfig } from "../../src/config/load.ts";
import { type RunningGateway, runGateway } from "../../src/gateway/run.ts";
import { EVERYTHING, freePort, waitFor, writeConfig } from "../helpers.ts";
import { type RedisServer, startRedis } from "./_redis.ts";

setDefaultTimeout(30_000);

let redis: RedisServer;
const instances: (RunningGateway & { url: string })[] = [];

beforeAll(async () => {
  if (!Bun.which("redis-server")) return;
  redis = await startRedis();
  for (const id of ["a", "b"]) {
    const yaml = `
capabilities: { enabled: false }
cluster: { redis_url: "${redis.url}", instance_id: ${id}, key_prefix: "tasks-${process.pid}:" }
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
    instances.push(running as RunningGateway & { url: string });
  }
});

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.stop()));
  await redis?.kill();
});

async function post(url: string, id: number, method: string, params: Record<string, unknown>) {
  const response = await fetch(`${url}/mcp/everything`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": method,
      "mcp-name": String(params.name ?? params.taskId),
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
  return messages.find((message) => message.id === id) ?? { raw: text };
}

describe.skipIf(!Bun.which("redis-server"))("stateless tasks across two instances", () => {
  test("tasks/get sent to the other instance is answered by the one whose backend holds the task", async () => {
    const [a, b] = instances as [
      RunningGateway & { url: string },
      RunningGateway & { url: string },
    ];
    const created = await post(a.url, 1, "tools/call", {
      name: "simulate-research-query",
      arguments: { topic: "gateways" },
      task: { ttl: 60_000 },
    });
    const task = (created.result as { task?: { taskId: string } } | undefined)?.task;
    expect(task?.taskId, JSON.stringify(created)).toBeString();
    expect(b.gateway.tasks.has(task!.taskId)).toBe(false);
    const got = await post(b.url, 2, "tasks/get", { taskId: task!.taskId });
    expect(got.result, JSON.stringify(got)).toMatchObject({ taskId: task!.taskId });
    // A task nobody made is still unknown.
    const unknown = await post(b.url, 3, "tasks/get", { taskId: "no-such-task" });
    expect(unknown.error).toBeDefined();
  });
});
