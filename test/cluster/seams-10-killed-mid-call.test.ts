/**
 * An instance killed mid-call × the relay: a `tools/call` that b relays to the session's owner
 * a, which dies while the call runs. The client must hear at once that the call's outcome is
 * unknown (b sees a's stream break off), not wait for its own timeout (60 s by default, as long
 * as its longest tool may take when set for it) for an answer nobody will send; the call must
 * not be run again (that would repeat a side effect the client asked for once); and the
 * session goes on, adopted by b.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BUN, FIXTURE_SERVER, tempDir, waitFor, writeConfig } from "../helpers.ts";
import { connectRouted, echo } from "./_config.ts";
import { type Instance, startInstance } from "./_instances.ts";
import { type RedisServer, startRedis } from "./_redis.ts";

setDefaultTimeout(120_000);

let redis: RedisServer | undefined;
let instances: Instance[] = [];
/** Where each instance's fixture notes each `hang_write` it runs (one file for both). */
const log = join(tempDir(), "fixture.log");

beforeAll(async () => {
  if (!Bun.which("redis-server")) return;
  redis = await startRedis();
  const config = writeConfig(`
capabilities: { enabled: false }
cluster: { redis_url: "${redis.url}", key_prefix: "seams-10-killed-${process.pid}:" }
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
    env: { FIXTURE_LOG: "${log}" }
`);
  instances = [await startInstance(config, "a"), await startInstance(config, "b")];
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

describe.skipIf(!Bun.which("redis-server"))("an owner killed while a relayed call runs", () => {
  test("the call is not run again on the instance that relayed it; the session goes on there", async () => {
    const [a, b] = instances as [Instance, Instance];
    let target = a.url;
    const client = await connectRouted(() => target, { name: "killed" });
    try {
      expect(await echo(client, "on a")).toBe("on a");
      target = b.url;
      expect(await echo(client, "relayed to a")).toBe("relayed to a");
      // A tool with side effects, relayed by b to a; a dies while it runs.
      const call = client.callTool({ name: "hang_write", arguments: {} }, { timeout: 30_000 }).then(
        () => "answered",
        (error: Error) => `failed: ${error.message}`,
      );
      await waitFor(() => runs() === 1);
      await a.kill();
      const killed = performance.now();
      const outcome = await call;
      expect(performance.now() - killed).toBeLessThan(10_000);
      // Give a second run the time it would take to start, then count.
      await Bun.sleep(2000);
      expect(runs()).toBe(1);
      expect(outcome).toStartWith("failed:");
      expect(outcome).toContain(a.url);
      expect(outcome).toContain("may or may not have run");
      // The session itself goes on: b adopts it on the next request.
      expect(await echo(client, "adopted by b")).toBe("adopted by b");
    } finally {
      await client.close().catch(() => {});
    }
  });
});
