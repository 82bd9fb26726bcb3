/**
 * A stopped instance (SIGSTOP: a frozen VM, a paused container, a process stuck swapping) × the
 * relay. Its listening socket stays open, so the kernel accepts every connection to it and
 * nothing answers: before, a request another instance relayed there waited for as long as its
 * client would (forever for a client without a timeout), and so did every later request of its
 * sessions. Now the relaying instance gives up after `cluster.peer_timeout` without an answer
 * from the owner's /health either, answers the client with an error naming the owner, and serves
 * the session's next request itself (it adopts it).
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { BUN, FIXTURE_SERVER, waitFor, writeConfig } from "../helpers.ts";
import { connectRouted, echo } from "./_config.ts";
import { type Instance, startInstance } from "./_instances.ts";
import { type RedisServer, startRedis } from "./_redis.ts";

setDefaultTimeout(180_000);

let redis: RedisServer | undefined;
let instances: Instance[] = [];

beforeAll(async () => {
  if (!Bun.which("redis-server")) return;
  redis = await startRedis();
  const config = writeConfig(`
capabilities: { enabled: false }
cluster:
  redis_url: "${redis.url}"
  key_prefix: "seams-11-silent-${process.pid}:"
  peer_timeout: 3s
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
`);
  instances = [
    await startInstance(config, "a"),
    await startInstance(config, "b"),
    await startInstance(config, "c"),
  ];
});

afterAll(async () => {
  for (const instance of instances) instance.process.kill("SIGCONT");
  await Promise.all(instances.map((instance) => instance.kill()));
  await redis?.kill();
});

/** `promise`'s outcome as text, and how long it took from now. */
async function outcome(promise: Promise<unknown>): Promise<{ text: string; ms: number }> {
  const start = performance.now();
  const text = await promise.then(
    () => "answered",
    (error: Error) => `failed: ${error.message}`,
  );
  return { text, ms: performance.now() - start };
}

describe.skipIf(!Bun.which("redis-server"))("an owner that is stopped, not dead", () => {
  test("a call relayed to it while it runs gets an error naming it; the session goes on elsewhere", async () => {
    const [a, b] = instances as [Instance, Instance];
    let target = a.url;
    const client = await connectRouted(() => target, { name: "stopped-mid-call" });
    try {
      expect(await echo(client, "on a")).toBe("on a");
      target = b.url;
      const call = outcome(client.callTool({ name: "wait", arguments: {} }, { timeout: 60_000 }));
      await Bun.sleep(500);
      a.process.kill("SIGSTOP");
      const { text, ms } = await call;
      expect(text).toStartWith("failed:");
      expect(text).toContain(a.url);
      expect(text).toContain("has not answered");
      // Bounded by the peer timeout (3 s) and a probe, not the client's 120 s.
      expect(ms).toBeLessThan(60_000);
      // The next request is served by b, which takes the session over: no second wait.
      expect(await echo(client, "adopted by b")).toBe("adopted by b");
    } finally {
      a.process.kill("SIGCONT");
      await client.close().catch(() => {});
    }
  });

  test("a request relayed to it after it stopped gets an error, not a hang", async () => {
    const [, b, c] = instances as [Instance, Instance, Instance];
    let target = c.url;
    const client = await connectRouted(() => target, { name: "stopped-before" });
    try {
      expect(await echo(client, "on c")).toBe("on c");
      c.process.kill("SIGSTOP");
      target = b.url;
      const { text } = await outcome(
        client.callTool({ name: "echo", arguments: { message: "x" } }, { timeout: 60_000 }),
      );
      expect(text).toStartWith("failed:");
      expect(text).toContain(c.url);
      expect(text).toContain("retry only if that is safe");
      expect(await echo(client, "adopted by b")).toBe("adopted by b");
      // Once c runs again it answers its own health, and b relays to it again when needed.
      c.process.kill("SIGCONT");
      await waitFor(async () => (await fetch(`${c.url}/health`)).ok);
    } finally {
      c.process.kill("SIGCONT");
      await client.close().catch(() => {});
    }
  });
});
