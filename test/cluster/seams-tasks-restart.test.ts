/**
 * 2026-07-28 tasks × Redis restarted without persistence: the instance holding a task writes
 * its record again when Redis answers, so `tasks/get` and `tasks/list` from the other instance
 * find it again (before, a task made before the restart was unknown everywhere but on its
 * instance until it ended).
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { RunningGateway } from "../../src/gateway/run.ts";
import { hashKey } from "../../src/security/keys.ts";
import { EVERYTHING, waitFor, writeConfig } from "../helpers.ts";
import { postModern, startInProcess } from "./_instances.ts";
import { type RedisServer, startRedis } from "./_redis.ts";

setDefaultTimeout(60_000);

const ALICE = "alice-key-0123456789abcdef";
let redis: RedisServer;
type Instance = RunningGateway & { url: string };
const instances: Instance[] = [];

beforeAll(async () => {
  if (!Bun.which("redis-server")) return;
  redis = await startRedis();
  const yaml = (id: string) => `
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
  instances.push(
    ...(await startInProcess((id) => writeConfig(yaml(id)), {
      backend: "everything",
      timeoutMs: 20_000,
    })),
  );
});

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.stop()));
  await redis?.kill();
});

/** A raw 2026-07-28 request on /mcp/everything as alice (the SDK refuses tasks/list there). */
const post = (url: string, method: string, params: Record<string, unknown>) =>
  postModern(url, "/mcp/everything", ALICE, method, params);

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
    // a writes its tasks back once it is connected again: waited for (a fixed 200 ms was not
    // always enough under load).
    let got: Awaited<ReturnType<typeof post>> | undefined;
    await waitFor(async () => {
      got = await post(b.url, "tasks/get", { taskId: id });
      return (got.result as { taskId?: string } | undefined)?.taskId === id;
    }).catch(() => {});
    expect(got?.result, JSON.stringify(got)).toMatchObject({ taskId: id });
    const listed = await post(b.url, "tasks/list", {});
    expect(JSON.stringify(listed.result)).toContain(id!);
  });
});
