/**
 * A call sent straight to the instance that owns its session (the balancer picked it: no
 * relay), which then dies: killed (-9), or stopped with SIGTERM while the call outlasts
 * `server.shutdown_timeout`. The balancer sends the client's resumption (`Last-Event-ID`) to
 * another instance, which adopts the session. Before, nobody ever answered the call: the old
 * owner was gone, and the adopter replayed the stream's events without an answer, so the
 * client waited until its own timeout. Now the client gets an error saying the outcome is
 * unknown (the draining owner sends it itself; after a crash, the adopter, from the requests
 * the owner noted in Redis), the call is not run again, and the session goes on.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BUN, FIXTURE_SERVER, tempDir, waitFor, writeConfig } from "../helpers.ts";
import { connectRouted, echo } from "./_config.ts";
import { type Instance, startInstance } from "./_instances.ts";
import { type RedisServer, startRedis } from "./_redis.ts";

setDefaultTimeout(180_000);

let redis: RedisServer | undefined;
let instances: Instance[] = [];
const log = join(tempDir(), "fixture.log");

beforeAll(async () => {
  if (!Bun.which("redis-server")) return;
  redis = await startRedis();
  const config = writeConfig(`
capabilities: { enabled: false }
server: { shutdown_timeout: 2s }
cluster: { redis_url: "${redis.url}", key_prefix: "seams-11-dies-${process.pid}:" }
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
    env: { FIXTURE_LOG: "${log}" }
`);
  instances = [
    await startInstance(config, "a"),
    await startInstance(config, "b"),
    await startInstance(config, "c"),
  ];
});

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.kill()));
  await redis?.kill();
});

/** How many times a fixture ran `hang_write`, on any instance. */
const runs = () =>
  existsSync(log)
    ? readFileSync(log, "utf8")
        .split("\n")
        .filter((line) => line === "hang_write called").length
    : 0;

/** A `hang_write` call's outcome as text, sent to `owner` directly; then `stop` stops it. */
async function dyingCall(
  owner: Instance,
  next: Instance,
  stop: () => void,
): Promise<{ outcome: string; ms: number; client: Awaited<ReturnType<typeof connectRouted>> }> {
  let target = owner.url;
  const client = await connectRouted(() => target, { name: "direct" });
  expect(await echo(client, "on the owner")).toBe("on the owner");
  const before = runs();
  const call = client.callTool({ name: "hang_write", arguments: {} }, { timeout: 90_000 }).then(
    () => "answered",
    (error: Error) => `failed: ${error.message}`,
  );
  await waitFor(() => runs() === before + 1);
  // The balancer sends what comes next to another instance.
  target = next.url;
  const start = performance.now();
  stop();
  const outcome = await call;
  return { outcome, ms: performance.now() - start, client };
}

describe.skipIf(!Bun.which("redis-server"))("a call sent straight to an owner that dies", () => {
  test("killed (-9): the instance that adopts the session answers the call with an error", async () => {
    const [a, b] = instances as [Instance, Instance];
    const before = runs();
    const { outcome, ms, client } = await dyingCall(a, b, () => a.process.kill("SIGKILL"));
    try {
      expect(outcome).toStartWith("failed:");
      expect(outcome).toContain(a.url);
      expect(outcome).toContain("may or may not have run");
      expect(ms).toBeLessThan(60_000);
      await Bun.sleep(1500);
      expect(runs()).toBe(before + 1);
      expect(await echo(client, "adopted")).toBe("adopted");
    } finally {
      await client.close().catch(() => {});
    }
  });

  test("SIGTERM, the call outlasting shutdown_timeout: the owner answers it with an error", async () => {
    const [, b, c] = instances as [Instance, Instance, Instance];
    const before = runs();
    const { outcome, client } = await dyingCall(c, b, () => c.process.kill("SIGTERM"));
    try {
      expect(outcome).toStartWith("failed:");
      expect(outcome).toContain(c.url);
      expect(outcome).toContain("shut down before this request finished");
      await Bun.sleep(1500);
      expect(runs()).toBe(before + 1);
      expect(await echo(client, "adopted")).toBe("adopted");
    } finally {
      await client.close().catch(() => {});
    }
  });
});
