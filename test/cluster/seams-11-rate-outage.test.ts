/**
 * A key's `rate_limit` × Redis down × three instances behind round robin. While Redis answers,
 * the limit is one counter for the cluster; while it is down each instance counts alone, and
 * before, each allowed the whole limit: three instances let a key make three times its limit (a
 * security limit multiplied silently). Now each allows its share: the limit divided by the
 * instances counted while Redis answered (`/health`'s `cluster.instances`). The wrong-key
 * lockout likewise: its failures divided among them, rounded up.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { waitFor } from "../helpers.ts";
import { authYaml, clusterYaml, initializeStatus, type Running, useCluster } from "./_config.ts";

setDefaultTimeout(90_000);

const LIMITED = "limited-key-0123456789abcdef";

const { redis, instances } = useCluster(
  (redisUrl, id) =>
    clusterYaml(
      redisUrl,
      id,
      "seams-11-rate",
      authYaml(
        { limited: [LIMITED, "rate_limit: 6"] },
        "lockout: { failures: 6, window: 5m, loopback: true }",
      ),
      "",
    ),
  { ids: ["a", "b", "c"] },
);

describe.skipIf(!Bun.which("redis-server"))("rate_limit while Redis is down", () => {
  test("three instances together allow the key its limit, not three times it", async () => {
    // Each instance counts the others at its next beat (every 15 s): beat now, once all run.
    for (const instance of instances) await instance.cluster?.peers?.beat();
    for (const instance of instances) await instance.cluster?.peers?.beat();
    for (const instance of instances) expect(instance.cluster?.peers?.size()).toBe(3);
    await redis.kill();
    await waitFor(() => instances.every((i: Running) => i.cluster?.status().redis === "down"));
    let allowed = 0;
    for (let round = 0; round < 4; round++) {
      for (const instance of instances) {
        if ((await initializeStatus(instance.url, LIMITED)) === 200) allowed++;
      }
    }
    expect(allowed).toBe(6);
  });

  test("the wrong-key lockout: three instances together allow its failures, not three times them", async () => {
    // Redis is still down (the test above stopped it).
    let guesses = 0;
    for (let round = 0; round < 4; round++) {
      for (const instance of instances) {
        if ((await initializeStatus(instance.url, `wrong-${round}`)) === 401) guesses++;
      }
    }
    // 6 failures over 3 instances: 2 each; before, 6 each (12 of these 12 guesses were tried).
    expect(guesses).toBe(6);
  });
});
