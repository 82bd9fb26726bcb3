/**
 * Search's "used before" lift and search feedback × a Redis restarted empty (no persistence: a
 * pod replaced). The cluster's counts live in two Redis hashes; every instance holds them in
 * memory, but nobody put them back: an instance started afterwards (a rolling restart) ranked
 * as if nothing had ever been called or learned, and the next call's total announced from the
 * empty hash started the count again from 1.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { feedbackPool, queryKey } from "../../src/search/feedback.ts";
import { waitFor, writeConfig } from "../helpers.ts";
import { clusterYaml, type Running, useCluster } from "./_config.ts";
import { postModern, startInProcess } from "./_instances.ts";

setDefaultTimeout(90_000);

const yaml = (redisUrl: string, id: string) => clusterYaml(redisUrl, id, "cluster-12-usage");
const { redis, instances } = useCluster(yaml);

const QUERY = "echo a message back";

/** What `instance` learned that the query led to echo: its count, 0 when nothing. */
const learned = (instance: Running) =>
  instance.gateway
    .feedback!.rows()
    .find((row) => row.query === queryKey(QUERY) && row.tool === "echo")?.count ?? 0;

const used = (instance: Running) => instance.gateway.usage.count("local", "fixture", "echo");

async function searchThenCall(searchOn: Running, callOn: Running): Promise<void> {
  const found = await postModern(searchOn.url, "/mcp", "", "tools/call", {
    name: "gateway_search_tools",
    arguments: { query: QUERY },
  });
  expect(found.result).toBeDefined();
  await waitFor(() =>
    callOn.gateway.feedback!.waiting(feedbackPool("local", "raw"), "stateless:local"),
  );
  const called = await postModern(callOn.url, "/mcp", "", "tools/call", {
    name: "gateway_invoke",
    arguments: { server: "fixture", tool: "echo", arguments: { message: "hi" } },
  });
  expect(JSON.stringify(called.result)).toContain("hi");
}

describe.skipIf(!Bun.which("redis-server"))("usage and feedback × Redis restarted empty", () => {
  test("the counts survive in the instances and go back into Redis", async () => {
    const [a, b] = instances as [Running, Running];
    await searchThenCall(a, b);
    await searchThenCall(b, a);
    await searchThenCall(a, b);
    for (const instance of [a, b]) {
      await waitFor(() => learned(instance) === 3);
      await waitFor(() => used(instance) === 3);
    }

    await redis.kill();
    await waitFor(() => !a.cluster!.connected && !b.cluster!.connected);
    await redis.restart();
    await waitFor(() => a.cluster!.connected && b.cluster!.connected, 20_000);

    // A rolling restart's next instance reads the hashes: they were empty.
    const [c] = (await startInProcess((id) => writeConfig(yaml(redis.url, id)), {
      ids: ["c"],
      backend: "fixture",
    })) as Running[];
    try {
      await waitFor(() => used(c!) === 3);
      await waitFor(() => learned(c!) === 3);
      // One more call counts on from 3, not from 1.
      await searchThenCall(c!, a);
      for (const instance of [a, b, c!]) {
        await waitFor(() => used(instance) === 4);
        await waitFor(() => learned(instance) === 4);
      }
    } finally {
      await c!.stop();
    }
  });
});
