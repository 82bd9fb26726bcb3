/**
 * A rolling restart behind a balancer: `server.drain_delay`. On SIGTERM an instance closed its
 * port at once; a request the balancer had just sent there was reset (Bun closes a connection
 * whose request it has not read yet as idle, and the kernel resets those not yet accepted), and
 * nginx does not send a POST again: 10 of about 7,000 calls got 502 Bad Gateway under a rolling
 * restart. With a drain delay the instance first goes on serving while `/health` answers 503
 * `draining` (a balancer that watches it stops sending there), every answer closing its
 * connection, and only then closes its port.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { waitFor } from "../helpers.ts";
import { clusterConfig, type Instance, postModern, startInstance } from "./_instances.ts";
import { type RedisServer, startRedis } from "./_redis.ts";

setDefaultTimeout(60_000);

let redis: RedisServer | undefined;
let instance: Instance | undefined;

beforeAll(async () => {
  if (!Bun.which("redis-server")) return;
  redis = await startRedis();
  instance = await startInstance(
    clusterConfig(redis.url, "server: { drain_delay: 3s, shutdown_timeout: 5s }"),
    "drain",
  );
});

afterAll(async () => {
  await instance?.kill();
  await redis?.kill();
});

const health = async (url: string) => {
  const response = await fetch(`${url}/health`);
  return { status: response.status, body: (await response.json()) as { status: string } };
};

describe.skipIf(!Bun.which("redis-server"))("server.drain_delay", () => {
  test("on SIGTERM the instance serves on, says draining on /health, then stops", async () => {
    const { url, process: child } = instance!;
    expect((await health(url)).status).toBe(200);
    const stopped = performance.now();
    child.kill("SIGTERM");
    await waitFor(async () => (await health(url)).body.status === "draining");
    expect((await health(url)).status).toBe(503);
    // Calls are still served meanwhile, each closing its connection after its answer.
    const raw = await fetch(`${url}/health`);
    expect(raw.headers.get("connection")).toBe("close");
    await raw.text();
    const answer = await postModern(url, "/mcp/fixture", "", "tools/call", {
      name: "echo",
      arguments: { message: "still here" },
    });
    expect(JSON.stringify(answer.result)).toContain("still here");
    expect(await child.exited).toBe(0);
    // It served for the delay before closing (with no call in flight, it ends right after).
    expect(performance.now() - stopped).toBeGreaterThanOrEqual(2_900);
  });
});
