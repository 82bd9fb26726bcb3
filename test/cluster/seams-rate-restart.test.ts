/**
 * A key's `rate_limit` × Redis restarted without persistence: the minute's count is put back
 * when Redis answers again (what this instance last saw), instead of starting from zero and
 * handing the key a second minute's worth at once.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { waitFor } from "../helpers.ts";
import { authYaml, clusterYaml, initializeStatus, type Running, useCluster } from "./_config.ts";

setDefaultTimeout(60_000);

const LIMITED = "limited-key-0123456789abcdef";

const { redis, instances } = useCluster(
  (redisUrl, id) =>
    clusterYaml(redisUrl, id, "seams-rate", authYaml({ limited: [LIMITED, "rate_limit: 4"] }), ""),
  { ids: ["a"] },
);

describe.skipIf(!Bun.which("redis-server"))("rate_limit × Redis restarted empty", () => {
  test("the minute's count is put back: the key stays limited", async () => {
    const [gateway] = instances as [Running];
    const status = () => initializeStatus(gateway.url, LIMITED);
    for (let i = 0; i < 4; i++) expect(await status()).toBe(200);
    expect(await status()).toBe(429);
    await redis.kill();
    await waitFor(() => gateway.cluster?.status().redis === "down");
    await redis.restart();
    await waitFor(() => gateway.cluster?.status().redis === "connected", 15_000);
    await waitFor(
      async () => ((await gateway.cluster?.peek("rate:key:limited"))?.count ?? 0) >= 4,
      5_000,
    );
    expect(await status()).toBe(429);
  });
});
