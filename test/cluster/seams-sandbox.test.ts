/**
 * The session sandbox (`security.sandbox.max_calls`) × several instances on one Redis: a
 * stateless caller that alternates instances gets `max_calls` across the cluster, not on each,
 * without using up another key's; a session adopted by another instance after its owner died
 * keeps the calls it made (before, each instance counted alone: two instances doubled the
 * allowance, and an adoption started it again).
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import type { RunningGateway } from "../../src/gateway/run.ts";
import { connectStateless } from "../helpers.ts";
import { ALICE, authYaml, BOB, clusterYaml, connectRouted, echo, useCluster } from "./_config.ts";

setDefaultTimeout(60_000);

const { instances } = useCluster(
  (redisUrl, id) =>
    clusterYaml(
      redisUrl,
      id,
      "seams-sandbox",
      `security:
  sandbox: { max_calls: 4 }
${authYaml({ alice: ALICE, bob: BOB })}`,
    ),
  { ids: ["a", "b", "c"], backend: "fixture" },
);

describe.skipIf(!Bun.which("redis-server"))("security.sandbox across instances", () => {
  test("a stateless caller alternating two instances gets max_calls across both; another key keeps its own", async () => {
    const [a, b] = instances as [
      RunningGateway & { url: string },
      RunningGateway & { url: string },
    ];
    const alice = [
      await connectStateless(a.url, { key: ALICE, path: "/mcp/fixture" }),
      await connectStateless(b.url, { key: ALICE, path: "/mcp/fixture" }),
    ];
    const bob = await connectStateless(b.url, { key: BOB, path: "/mcp/fixture" });
    try {
      const answers: string[] = [];
      for (let i = 0; i < 6; i++) answers.push(await echo(alice[i % 2]!, `a${i}`));
      expect(answers.slice(0, 4)).toEqual(["a0", "a1", "a2", "a3"]);
      for (const refused of answers.slice(4)) {
        expect(refused).toStartWith("[SANDBOX_LIMIT] [sandbox.max_calls]");
      }
      expect(await echo(bob, "b0")).toBe("b0");
    } finally {
      await Promise.all([...alice, bob].map((client) => client.close()));
    }
  });

  test("a session adopted after its owner died keeps the calls it made there", async () => {
    const [, b, c] = instances as RunningGateway[] & { url: string }[];
    // A load balancer in the client's fetch: every request goes to `target`, which moves.
    let target = c!.url;
    const client = await connectRouted(() => target, { key: ALICE, name: "adopted" });
    try {
      for (let i = 0; i < 3; i++) expect(await echo(client, `s${i}`)).toBe(`s${i}`);
      await instances[2]!.stop();
      target = b!.url;
      // The fourth call is adopted on b and allowed; the fifth is one over max_calls.
      expect(await echo(client, "s3")).toBe("s3");
      expect(await echo(client, "s4")).toStartWith("[SANDBOX_LIMIT] [sandbox.max_calls]");
    } finally {
      await client.close().catch(() => {});
    }
  });
});
