/**
 * 2026-07-28 (stateless) tasks, on one instance and across two: a task-augmented call (a
 * backend's task tool on /mcp/{backend}, or gateway_invoke on /mcp) makes a task its backend
 * process holds; tasks/get, tasks/result, tasks/list and tasks/cancel are served for the caller
 * that made it, by whichever instance the request reaches (a load balancer without sticky
 * routing): the owner answers, the other relays to it through Redis's record of the task.
 * Another key never sees the task, on either instance.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { RunningGateway } from "../../src/gateway/run.ts";
import { hashKey } from "../../src/security/keys.ts";
import { EVERYTHING, writeConfig } from "../helpers.ts";
import { postModern, startInProcess } from "./_instances.ts";
import { type RedisServer, startRedis } from "./_redis.ts";

setDefaultTimeout(60_000);

const ALICE = "alice-key-0123456789abcdef";
const MALLORY = "mallory-key-0123456789abcdef";
let redis: RedisServer;
type Instance = RunningGateway & { url: string };
const instances: Instance[] = [];

beforeAll(async () => {
  if (!Bun.which("redis-server")) return;
  redis = await startRedis();
  const yaml = (id: string) => `
capabilities: { enabled: false }
cluster: { redis_url: "${redis.url}", instance_id: ${id}, key_prefix: "tasks-${process.pid}:" }
auth:
  enabled: true
  api_keys:
    - { name: alice, key: "${hashKey(ALICE)}" }
    - { name: mallory, key: "${hashKey(MALLORY)}" }
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

const post = postModern;

const RESEARCH = { topic: "gateways" };

/** Makes a task on `url` as `key`: through /mcp/everything or gateway_invoke on /mcp. */
async function makeTask(url: string, path: string, key = ALICE): Promise<string> {
  const params =
    path === "/mcp"
      ? {
          name: "gateway_invoke",
          arguments: { server: "everything", tool: "simulate-research-query", arguments: RESEARCH },
          task: { ttl: 60_000 },
        }
      : { name: "simulate-research-query", arguments: RESEARCH, task: { ttl: 60_000 } };
  const created = await post(url, path, key, "tools/call", params);
  const task = (created.result as { task?: { taskId?: unknown } } | undefined)?.task;
  expect(task?.taskId, JSON.stringify(created)).toBeString();
  return task!.taskId as string;
}

const unknownTask = (answer: Record<string, unknown>) =>
  expect(answer.error, JSON.stringify(answer)).toMatchObject({ code: -32602 });

describe.skipIf(!Bun.which("redis-server"))("stateless tasks", () => {
  for (const path of ["/mcp/everything", "/mcp"]) {
    test(`${path}: a task-augmented call makes a task; get, result, list on the same instance`, async () => {
      const [a] = instances as [Instance];
      const id = await makeTask(a.url, path);
      const got = await post(a.url, path, ALICE, "tasks/get", { taskId: id });
      expect(got.result, JSON.stringify(got)).toMatchObject({ taskId: id });
      const listed = await post(a.url, path, ALICE, "tasks/list", {});
      const ids = (listed.result as { tasks?: { taskId: string }[] } | undefined)?.tasks?.map(
        (task) => task.taskId,
      );
      expect(ids, JSON.stringify(listed)).toContain(id);
      // tasks/result blocks until the task is done, and answers with the tool's own result.
      const result = await post(a.url, path, ALICE, "tasks/result", { taskId: id });
      expect(JSON.stringify(result.result), JSON.stringify(result)).toContain("gateways");
    });

    test(`${path}: the other instance relays get, result and cancel, and lists the task`, async () => {
      const [a, b] = instances as [Instance, Instance];
      const id = await makeTask(a.url, path);
      expect(b.gateway.tasks.has(id)).toBe(false);
      const got = await post(b.url, path, ALICE, "tasks/get", { taskId: id });
      expect(got.result, JSON.stringify(got)).toMatchObject({ taskId: id });
      const listed = await post(b.url, path, ALICE, "tasks/list", {});
      const ids = (listed.result as { tasks?: { taskId: string }[] } | undefined)?.tasks?.map(
        (task) => task.taskId,
      );
      expect(ids, JSON.stringify(listed)).toContain(id);
      const result = await post(b.url, path, ALICE, "tasks/result", { taskId: id });
      expect(JSON.stringify(result.result), JSON.stringify(result)).toContain("gateways");
      const other = await makeTask(a.url, path);
      const cancelled = await post(b.url, path, ALICE, "tasks/cancel", { taskId: other });
      expect(cancelled.result, JSON.stringify(cancelled)).toMatchObject({
        taskId: other,
        status: "cancelled",
      });
    });

    test(`${path}: another key never sees the task, on either instance`, async () => {
      const [a, b] = instances as [Instance, Instance];
      const id = await makeTask(a.url, path);
      for (const url of [a.url, b.url]) {
        for (const method of ["tasks/get", "tasks/result", "tasks/cancel"]) {
          unknownTask(await post(url, path, MALLORY, method, { taskId: id }));
        }
        const listed = await post(url, path, MALLORY, "tasks/list", {});
        expect(JSON.stringify(listed)).not.toContain(id);
        expect(listed.error, JSON.stringify(listed)).toBeUndefined();
      }
      // Still alice's, still running.
      const got = await post(b.url, path, ALICE, "tasks/get", { taskId: id });
      expect(got.result, JSON.stringify(got)).toMatchObject({ taskId: id, status: "working" });
    });
  }

  test("a task nobody made is unknown", async () => {
    const [, b] = instances as [Instance, Instance];
    unknownTask(await post(b.url, "/mcp", ALICE, "tasks/get", { taskId: "no-such-task" }));
  });
});
