/**
 * Search's "used before" lift × a load balancer. The lift ranks a caller's tools by how often it
 * called them successfully; each instance counted the calls it served, so behind round robin a
 * client's calls on one instance did not count on the next one its search landed on (each saw a
 * third of them with three instances). Now every instance ranks by the cluster's counts.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { waitFor, writeConfig } from "../helpers.ts";
import { ALICE, authYaml, clusterYaml, type Running, useCluster } from "./_config.ts";
import { postModern, startInProcess } from "./_instances.ts";

setDefaultTimeout(60_000);

const { redis, instances } = useCluster((redisUrl, id) =>
  clusterYaml(redisUrl, id, "seams-11-usage", authYaml({ alice: ALICE })),
);

describe.skipIf(!Bun.which("redis-server"))("usage across instances", () => {
  test("calls served by one instance count for the caller's searches on another", async () => {
    const [a, b] = instances as [Running, Running];
    for (let i = 0; i < 3; i++) {
      const answer = await postModern(a.url, "/mcp/fixture", ALICE, "tools/call", {
        name: "echo",
        arguments: { message: `call ${i}` },
      });
      expect(answer.result).toBeDefined();
    }
    await waitFor(() => a.gateway.usage.count("key:alice", "fixture", "echo") === 3);
    await waitFor(() => b.gateway.usage.count("key:alice", "fixture", "echo") === 3);
    // Another caller's count is its own.
    expect(b.gateway.usage.count("key:bob", "fixture", "echo")).toBe(0);
  });

  test("an instance that starts later reads the counts so far", async () => {
    const [late] = await startInProcess(
      (id) => writeConfig(clusterYaml(redis.url, id, "seams-11-usage", authYaml({ alice: ALICE }))),
      { ids: ["late"] },
    );
    try {
      await waitFor(() => late!.gateway.usage.count("key:alice", "fixture", "echo") === 3);
    } finally {
      await late!.stop();
    }
  });
});
