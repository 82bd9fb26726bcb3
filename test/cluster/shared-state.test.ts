/**
 * Two gateway instances sharing one real `redis-server`: a key's rate limit counts across both,
 * so does the wrong-key lockout, a reload asked of one reaches the other, and `/health` says
 * degraded while Redis is down and recovers when it returns.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { announceLock } from "../../src/cluster/join.ts";
import { loadConfig } from "../../src/config/load.ts";
import { type RunningGateway, runGateway } from "../../src/gateway/run.ts";
import { hashKey } from "../../src/security/keys.ts";
import { freePort, waitFor, writeConfig } from "../helpers.ts";
import { initialize } from "./_config.ts";
import { type RedisServer, startRedis } from "./_redis.ts";

setDefaultTimeout(30_000);

const LIMITED = "limited-key-0123456789abcdef";
const ADMIN = "admin-key-0123456789abcdef";
let redis: RedisServer;
const instances: (RunningGateway & { url: string })[] = [];
const files: string[] = [];

function yaml(redisUrl: string, id: string, extra = ""): string {
  return `
capabilities: { enabled: false }
cluster: { redis_url: "${redisUrl}", instance_id: ${id}, key_prefix: "test-${process.pid}:" }
auth:
  enabled: true
  lockout: { failures: 3, window: 1m, loopback: true }
  api_keys:
    - { name: limited, key: "${hashKey(LIMITED)}", rate_limit: 4 }
    - { name: admin, key: "${hashKey(ADMIN)}", admin: true }
${extra}`;
}

beforeAll(async () => {
  if (!Bun.which("redis-server")) return;
  redis = await startRedis();
  for (const id of ["a", "b"]) {
    const file = writeConfig(yaml(redis.url, id));
    files.push(file);
    const config = loadConfig({ path: file });
    const running = await runGateway({
      config,
      port: await freePort(),
      memoryState: true,
      watch: false,
    });
    instances.push(running as RunningGateway & { url: string });
  }
  // Under load a first connection can miss its 2 s: the instance serves with Redis down (each
  // counting alone, as redis-down tests check) until it reconnects. These tests need it up.
  await waitFor(() => instances.every((i) => i.cluster?.status().redis === "connected"), 15_000);
});

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.stop()));
  await redis?.kill();
});

describe.skipIf(!Bun.which("redis-server"))("a cluster of two instances on one Redis", () => {
  test("a key limited to 4 a minute gets 4 across both instances, not 4 on each", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await initialize(instances[i % 2]!.url, LIMITED);
      await response.text();
      statuses.push(response.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
  });

  test("three wrong keys spread over both instances lock the address out on both", async () => {
    for (let i = 0; i < 3; i++) {
      const response = await initialize(instances[i % 2]!.url, `wrong-${i}`);
      expect(response.status).toBe(401);
    }
    for (const instance of instances) {
      const response = await initialize(instance.url, ADMIN);
      expect(response.status).toBe(429);
    }
  });

  test("a reload asked of one instance is applied by the other", async () => {
    for (const [i, file] of files.entries()) {
      writeFileSync(
        file,
        `${yaml(redis.url, i ? "b" : "a")}\nbackends:\n  extra: { url: "http://127.0.0.1:9/mcp" }\n`,
      );
    }
    const b = instances[1]!;
    expect(b.gateway.pool.has("extra")).toBe(false);
    await instances[0]!.reload();
    await waitFor(() => b.gateway.pool.has("extra"));
  });

  test("a breaker that opens on one instance is open on the other", async () => {
    const [a, b] = instances as [RunningGateway, RunningGateway];
    // `extra` (added by the reload above) points at a closed port: every call fails.
    for (let i = 0; i < 8 && a.gateway.pool.breakerState("extra") !== "open"; i++) {
      await a.gateway.pool.request("extra", "tools/list", undefined, {}).catch(() => {});
    }
    expect(a.gateway.pool.breakerState("extra")).toBe("open");
    await waitFor(() => b.gateway.pool.breakerState("extra") === "open");
  });

  test("a gateway.lock rewritten by `lock update` on one machine reaches every instance", async () => {
    const text = "version: 1\nbackends: {}\ncapabilities: {}\n";
    expect(await announceLock(loadConfig({ path: files[0]! }), text)).toBe(true);
    for (const file of files) {
      const lock = join(dirname(file), "gateway.lock");
      await waitFor(() => existsSync(lock) && readFileSync(lock, "utf8") === text);
    }
  });

  test("/health shows the cluster, degrades while Redis is down and recovers", async () => {
    const health = async () =>
      (await (
        await fetch(`${instances[0]!.url}/health`, {
          headers: { authorization: `Bearer ${ADMIN}` },
        })
      ).json()) as { status: string; cluster?: { redis: string; instance: string } };
    // The shared lockout above lives in Redis; instance a alone saw only two wrong keys.
    await redis.kill();
    await waitFor(async () => (await health()).cluster?.redis === "down");
    expect((await health()).status).toBe("degraded");
    // It still serves alone: a new session opens, with limits and lockout counted locally.
    const opened = await initialize(instances[0]!.url, ADMIN);
    await opened.text();
    expect(opened.status).toBe(200);
    await redis.restart();
    await waitFor(async () => (await health()).cluster?.redis === "connected", 15_000);
    const report = await health();
    expect(report.cluster?.instance).toBe("a");
  });
});
