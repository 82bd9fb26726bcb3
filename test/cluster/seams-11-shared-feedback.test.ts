/**
 * Search feedback × a load balancer. A search teaches what it meant by the call that follows it
 * (search.feedback); behind round robin the search lands on one instance and the call on the
 * next, and each instance held only its own searches: nothing was ever learned (and what one
 * instance learned never lifted a search on another). Now every instance holds every search,
 * the first call anywhere claims it (one pair, not one per instance), and each pair learned is
 * counted in Redis, so every instance ranks by the cluster's.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { feedbackPool, queryKey } from "../../src/search/feedback.ts";
import { waitFor } from "../helpers.ts";
import { clusterYaml, type Running, useCluster } from "./_config.ts";
import { postModern } from "./_instances.ts";

setDefaultTimeout(60_000);

const { instances } = useCluster((redisUrl, id) => clusterYaml(redisUrl, id, "seams-11-feedback"), {
  ids: ["a", "b", "c"],
  backend: "fixture",
});

const QUERY = "echo a message back";

/** What `instance` learned that the query led to echo: its count, 0 when nothing. */
const learned = (instance: Running) =>
  instance.gateway
    .feedback!.rows()
    .find((row) => row.query === queryKey(QUERY) && row.tool === "echo")?.count ?? 0;

describe.skipIf(!Bun.which("redis-server"))("search feedback across instances", () => {
  test("a search on one instance and its call on another teach every instance, once", async () => {
    const [a, b, c] = instances as [Running, Running, Running];
    for (const [searchOn, callOn] of [
      [a, b],
      [b, c],
    ] as const) {
      const found = await postModern(searchOn.url, "/mcp", "", "tools/call", {
        name: "gateway_search_tools",
        arguments: { query: QUERY },
      });
      expect(found.result).toBeDefined();
      // The search reaches the others by pub/sub (the call may land there right after).
      await waitFor(() =>
        callOn.gateway.feedback!.waiting(feedbackPool("local", "raw"), "stateless:local"),
      );
      const called = await postModern(callOn.url, "/mcp", "", "tools/call", {
        name: "gateway_invoke",
        arguments: { server: "fixture", tool: "echo", arguments: { message: "hi" } },
      });
      expect(JSON.stringify(called.result)).toContain("hi");
    }
    for (const instance of instances) await waitFor(() => learned(instance) === 2);
    // Two calls, two pairs: no instance counted one twice.
    await Bun.sleep(500);
    expect(instances.map(learned)).toEqual([2, 2, 2]);
  });
});
