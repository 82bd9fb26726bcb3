/**
 * A task made on one instance, polled at once through another (a load balancer's next pick).
 * The task's record went to Redis after its answer left (fire and forget), so with a Redis a
 * little slow for the instance that made it, the other instance found no record and said
 * "Unknown task". The answer now waits for the record (bounded by the Redis command timeout).
 * Instance a reaches Redis through a proxy that delays each write by 150 ms; b directly.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import type { Socket, TCPSocketListener } from "bun";
import type { RunningGateway } from "../../src/gateway/run.ts";
import { BUN, FIXTURES, freePort, writeConfig } from "../helpers.ts";
import { ALICE, authYaml, clusterYaml } from "./_config.ts";
import { postModern, startInProcess } from "./_instances.ts";
import { type RedisServer, startRedis } from "./_redis.ts";

setDefaultTimeout(60_000);
const DELAY_MS = 150;
let redis: RedisServer | undefined;
let proxy: TCPSocketListener<{ upstream?: Socket; queue: Uint8Array[] }> | undefined;
let instances: (RunningGateway & { url: string })[] = [];

/** A TCP proxy to `port` that holds each chunk the client sends for `DELAY_MS`. */
async function delayingProxy(port: number) {
  const listen = await freePort();
  return Bun.listen<{ upstream?: Socket; queue: Uint8Array[] }>({
    hostname: "127.0.0.1",
    port: listen,
    socket: {
      async open(client) {
        client.data = { queue: [] };
        client.data.upstream = await Bun.connect({
          hostname: "127.0.0.1",
          port,
          socket: {
            data: (_, chunk) => void client.write(chunk),
            close: () => void client.end(),
            error: () => void client.end(),
          },
        });
        for (const chunk of client.data.queue) client.data.upstream.write(chunk);
      },
      data(client, chunk) {
        const copy = new Uint8Array(chunk);
        setTimeout(() => {
          if (client.data.upstream) client.data.upstream.write(copy);
          else client.data.queue.push(copy);
        }, DELAY_MS);
      },
      close: (client) => void client.data.upstream?.end(),
      error: (client) => void client.data.upstream?.end(),
    },
  });
}

beforeAll(async () => {
  if (!Bun.which("redis-server")) return;
  redis = await startRedis();
  proxy = await delayingProxy(redis.port);
  const backend = `backends:
  jobs:
    command: ${BUN}
    args: ["${join(FIXTURES, "servers/task-status.ts")}"]
`;
  instances = await startInProcess(
    (id) =>
      writeConfig(
        clusterYaml(
          id === "a" ? `redis://127.0.0.1:${proxy!.port}` : redis!.url,
          id,
          "task-race",
          authYaml({ alice: ALICE }),
          backend,
        ),
      ),
    { backend: "jobs", timeoutMs: 30_000 },
  );
});

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.stop()));
  proxy?.stop(true);
  await redis?.kill();
});

describe.skipIf(!Bun.which("redis-server"))(
  "a task polled through another instance at once",
  () => {
    test("is found there: the answer left after its record reached Redis", async () => {
      const [a, b] = instances as [
        RunningGateway & { url: string },
        RunningGateway & { url: string },
      ];
      const made = await postModern(a.url, "/mcp/jobs", ALICE, "tools/call", {
        name: "job",
        arguments: {},
        task: { ttl: 60_000 },
      });
      const taskId = (made.result as { task?: { taskId?: string } } | undefined)?.task?.taskId;
      expect(taskId, JSON.stringify(made)).toBeString();
      expect(b.gateway.tasks.has(taskId!)).toBe(false);
      const got = await postModern(b.url, "/mcp/jobs", ALICE, "tasks/get", { taskId });
      expect(got.result, JSON.stringify(got)).toMatchObject({ taskId });
    });
  },
);
