/**
 * `failsafe.rate_limit` × an HTTP backend × three instances. The limit protects the backend (a
 * paid API's quota, a service that falls over past some rate); every instance calls the same
 * one, and before, each kept a bucket of the whole limit: three instances sent it three times
 * its limit. Now each keeps its share (rate and burst divided by the instances counted in
 * Redis); a stdio backend, which runs per instance, keeps its whole limit on each.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Subprocess } from "bun";
import { BUN, FIXTURE_SERVER, freePort, waitFor } from "../helpers.ts";
import { clusterYaml, type Running, useCluster } from "./_config.ts";
import { postModern } from "./_instances.ts";

setDefaultTimeout(90_000);

let backend: Subprocess | undefined;
let port = 0;

beforeAll(async () => {
  port = await freePort();
  backend = Bun.spawn([BUN, FIXTURE_SERVER, "--http", String(port)], {
    stdout: "ignore",
    stderr: "ignore",
  });
  await waitFor(
    async () => (await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined)) !== undefined,
  );
});

afterAll(() => {
  backend?.kill();
});

const { instances } = useCluster(
  (redisUrl, id) =>
    clusterYaml(
      redisUrl,
      id,
      "seams-11-backend-rate",
      // A burst of 3, refilled once a quarter hour: the test sees the burst alone.
      "failsafe: { rate_limit: { enabled: true, requests_per_second: 0.001, burst: 3, max_wait: 1ms } }",
      `backends:
  remote:
    url: http://127.0.0.1:${port}/mcp
  local:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]`,
    ),
  { ids: ["a", "b", "c"], backend: "remote" },
);

/** Successful echo calls of `server` when each instance is asked `rounds` times. */
async function served(server: string, rounds: number): Promise<number> {
  let ok = 0;
  for (let round = 0; round < rounds; round++) {
    for (const instance of instances) {
      const answer = await postModern(instance.url, `/mcp/${server}`, "", "tools/call", {
        name: "echo",
        arguments: { message: "hi" },
      });
      const result = answer.result as { isError?: boolean } | undefined;
      if (result && !result.isError) ok++;
    }
  }
  return ok;
}

describe.skipIf(!Bun.which("redis-server"))("a backend's rate limit in a cluster", () => {
  test("an HTTP backend gets its limit from the cluster, not three times it", async () => {
    for (const instance of instances) await instance.cluster?.peers?.beat();
    for (const instance of instances) await instance.cluster?.peers?.beat();
    expect(instances.map((i: Running) => i.cluster?.peers?.size())).toEqual([3, 3, 3]);
    expect(await served("remote", 3)).toBe(3);
  });

  test("a stdio backend, one per instance, keeps its whole limit on each", async () => {
    await waitFor(() => instances.every((i: Running) => i.gateway.index.tools("local").length > 0));
    expect(await served("local", 3)).toBe(9);
  });
});
