/**
 * A per-key cost budget × Redis restarted without persistence (its pod replaced): the spend
 * the cluster had recorded today is gone from Redis, but each instance remembers the last
 * total it saw and writes it back when Redis answers again, so the budget goes on from there
 * (before, the budget started again from zero: a key could spend it twice in a day).
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { RedisClient } from "bun";
import { waitFor } from "../helpers.ts";
import { connectWithKey, meta } from "../security/_helpers.ts";
import { authYaml, clusterYaml, useCluster } from "./_config.ts";

setDefaultTimeout(60_000);

const CI = "ci-key-0123456789abcdef";

const { redis, instances } = useCluster((redisUrl, id) =>
  clusterYaml(
    redisUrl,
    id,
    "seams-budget",
    `${authYaml({ ci: CI })}
cost_governance:
  enabled: true
  tool_costs: { echo: 0.25 }
  budgets: { per_key: { ci: 1.0 } }`,
  ),
);

describe.skipIf(!Bun.which("redis-server"))("budgets × Redis restarted empty", () => {
  test("the day's spend survives a Redis restart: a budget of 1.0 is still 1.0 that day", async () => {
    const clients = await Promise.all(instances.map((i) => connectWithKey(i.url, CI)));
    const echo = async (i: number) =>
      !(
        await meta(clients[i % 2]!.client, "gateway_invoke", {
          server: "fixture",
          tool: "echo",
          arguments: { message: "hi" },
        })
      ).isError;
    try {
      // 0.75 of 1.0, over both instances.
      for (let i = 0; i < 3; i++) expect(await echo(i)).toBe(true);
      await redis.kill();
      await waitFor(() => instances.every((i) => i.cluster?.status().redis === "down"));
      await redis.restart();
      await waitFor(
        () => instances.every((i) => i.cluster?.status().redis === "connected"),
        15_000,
      );
      // The instances write the day's spend back once connected again: waited for in Redis
      // itself (a fixed 200 ms was not always enough under load; the calls below then found
      // the budget at zero).
      const raw = new RedisClient(redis.url);
      try {
        await waitFor(async () => ((await raw.send("KEYS", ["*spend:*"])) as string[]).length > 0);
      } finally {
        raw.close();
      }
      // One more call fits (1.0); then the budget is spent, on either instance.
      const outcomes: boolean[] = [];
      for (let i = 0; i < 4; i++) outcomes.push(await echo(i));
      expect(outcomes).toEqual([true, false, false, false]);
    } finally {
      await Promise.all(clients.map((client) => client.close()));
    }
  });
});
