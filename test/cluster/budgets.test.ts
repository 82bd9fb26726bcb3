/**
 * Cost budgets in a cluster: two gateway instances on one real `redis-server` count a key's
 * daily budget together (a budget of 1.0 is 1.0 across both, not 1.0 on each), and while Redis
 * is down each instance counts on its own.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { governorOf } from "../../src/observe/costs.ts";
import { waitFor } from "../helpers.ts";
import { connectWithKey, meta } from "../security/_helpers.ts";
import { authYaml, clusterYaml, useCluster } from "./_config.ts";

setDefaultTimeout(30_000);

const CI = "ci-key-0123456789abcdef";
const BURST = "burst-key-0123456789abcdef";

const { redis, instances } = useCluster((redisUrl, id) =>
  clusterYaml(
    redisUrl,
    id,
    "budgets",
    `${authYaml({ ci: CI, burst: BURST })}
cost_governance:
  enabled: true
  tool_costs: { echo: 0.25 }
  budgets: { per_key: { ci: 1.0, burst: 1.0 } }`,
  ),
);

const echo = (client: Awaited<ReturnType<typeof connectWithKey>>["client"]) =>
  meta(client, "gateway_invoke", { server: "fixture", tool: "echo", arguments: { message: "hi" } });

describe.skipIf(!Bun.which("redis-server"))("budgets in a cluster of two instances", () => {
  test("a key's daily budget of 1.0 is 1.0 across both instances, not 1.0 on each", async () => {
    const clients = await Promise.all(instances.map((i) => connectWithKey(i.url, CI)));
    const outcomes: boolean[] = [];
    // 0.25 a call: four fit, alternating instances; the fifth and sixth are refused on either.
    for (let i = 0; i < 6; i++) outcomes.push(!(await echo(clients[i % 2]!.client)).isError);
    expect(outcomes).toEqual([true, true, true, true, false, false]);
    const refused = await echo(clients[1]!.client);
    expect(refused.text).toStartWith("[BUDGET_EXCEEDED] per_key:ci budget of 1");
    expect(refused.text).toContain("1 USD spent today");
    // Both instances report the cluster's spend.
    for (const instance of instances) {
      const governor = governorOf(instance.gateway);
      expect(governor?.budgets("key:ci")).toMatchObject([{ budget: "per_key:ci", spent: 1 }]);
    }
    await Promise.all(clients.map((client) => client.close()));
  });

  test("a burst of eight simultaneous calls over both instances against room for four runs four", async () => {
    const clients = await Promise.all(instances.map((i) => connectWithKey(i.url, BURST)));
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => echo(clients[i % 2]!.client)),
    );
    const ran = results.filter((result) => !result.isError).length;
    expect(ran).toBe(4);
    for (const result of results.filter((r) => r.isError)) {
      expect(result.text).toStartWith("[BUDGET_EXCEEDED] per_key:burst budget of 1");
    }
    // What was refused was taken back: the shared spend is exactly the budget.
    await waitFor(() =>
      instances.every(
        (instance) => governorOf(instance.gateway)?.budgets("key:burst")[0]?.spent === 1,
      ),
    );
    await Promise.all(clients.map((client) => client.close()));
  });

  test("while Redis is down, an instance counts its own spend and says so in /health", async () => {
    await redis.kill();
    const b = instances[1]!;
    await waitFor(async () => {
      const response = await fetch(`${b.url}/health`, {
        headers: { authorization: `Bearer ${CI}` },
      });
      const health = (await response.json()) as { cluster?: { redis: string; counters?: string } };
      return health.cluster?.redis === "down" && health.cluster.counters === "local";
    });
    // b alone spent 0.5 of the shared 1.0: two more calls fit here, the third does not.
    const client = await connectWithKey(b.url, CI);
    const outcomes: boolean[] = [];
    for (let i = 0; i < 3; i++) outcomes.push(!(await echo(client.client)).isError);
    expect(outcomes).toEqual([true, true, false]);
    await client.close();
    await redis.restart();
  });
});
