/**
 * The session sandbox × a Redis restarted empty. `max_calls` and `max_duration` hold across
 * the cluster through Redis (`sandbox:<session>`, `sandbox-clock:<session>`); a Redis that came
 * back empty forgot both, and nobody put them back: a session that had used its calls got them
 * again on every instance (each instance's own count allows the whole cap), and one whose time
 * was up started a new clock on an instance that had not served it yet. Security caps that a
 * Redis restart lifts fail open.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { waitFor } from "../helpers.ts";
import { ALICE, authYaml, clusterYaml, type Running, useCluster } from "./_config.ts";
import { postModern } from "./_instances.ts";
import type { RedisServer } from "./_redis.ts";

setDefaultTimeout(90_000);

const echo = async (instance: Running, message: string) =>
  JSON.stringify(
    await postModern(instance.url, "/mcp/fixture", ALICE, "tools/call", {
      name: "echo",
      arguments: { message },
    }),
  );

async function flush(redis: RedisServer, instances: Running[]): Promise<void> {
  await redis.kill();
  await waitFor(() => instances.every((instance) => !instance.cluster!.connected));
  await redis.restart();
  await waitFor(() => instances.every((instance) => instance.cluster!.connected), 20_000);
  // What each puts back lands right after it reconnects.
  await Bun.sleep(300);
}

describe.skipIf(!Bun.which("redis-server"))("max_calls × Redis restarted empty", () => {
  const { redis, instances } = useCluster((url, id) =>
    clusterYaml(
      url,
      id,
      "cluster-12-sandbox-calls",
      `${authYaml({ alice: ALICE })}\nsecurity: { sandbox: { max_calls: 4 } }`,
    ),
  );

  test("a caller that made 3 of its 4 calls makes one more, not 4 or 5 more", async () => {
    const [a, b] = instances as [Running, Running];
    for (const [i, instance] of [a, b, a].entries()) {
      expect(await echo(instance, `call ${i}`)).toContain(`call ${i}`);
    }
    await flush(redis, [a, b]);
    const answers: string[] = [];
    for (const [i, instance] of [b, a, b, a].entries())
      answers.push(await echo(instance, `after ${i}`));
    expect(answers[0]).toContain("after 0");
    for (const answer of answers.slice(1)) expect(answer).toContain("sandbox.max_calls");
  });
});

describe.skipIf(!Bun.which("redis-server"))("max_duration × Redis restarted empty", () => {
  const { redis, instances } = useCluster(
    (url, id) =>
      clusterYaml(
        url,
        id,
        "cluster-12-sandbox-clock",
        `${authYaml({ alice: ALICE })}\nsecurity: { sandbox: { max_duration: 3s } }`,
      ),
    { ids: ["a", "b"], backend: "fixture" },
  );

  test("a session whose time is up on one instance is not given a new clock on another", async () => {
    const [a, b] = instances as [Running, Running];
    const started = Date.now();
    expect(await echo(a, "first")).toContain("first");
    await flush(redis, [a, b]);
    await Bun.sleep(Math.max(0, 3_500 - (Date.now() - started)));
    expect(await echo(a, "late on a")).toContain("sandbox.max_duration");
    // b never served the session: Redis had forgotten when it started.
    expect(await echo(b, "late on b")).toContain("sandbox.max_duration");
  });
});
