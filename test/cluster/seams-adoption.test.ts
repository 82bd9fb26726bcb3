/**
 * A 2025-11-25 session adopted by another instance after its owner died × routing profiles:
 * the adopted session keeps the profile its client picked (the `X-MCP-Profile` header at
 * `initialize`, or `gateway_set_profile` since), instead of falling back to the default one
 * (before, an adoption replayed `initialize` without the header: the session's narrowing was
 * gone and every tool of the key came back).
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import type { RunningGateway } from "../../src/gateway/run.ts";
import { firstText } from "../helpers.ts";
import { ALICE, authYaml, clusterYaml, connectRouted, useCluster } from "./_config.ts";

setDefaultTimeout(60_000);

const ADMIN = "admin-key-0123456789abcdef";

const { instances } = useCluster(
  (redisUrl, id) =>
    clusterYaml(
      redisUrl,
      id,
      "seams-adopt",
      `meta_mcp: { operator_tools: [gateway_set_profile, gateway_get_profile] }
routing_profiles:
  echo_only: { allow_tools: ["echo"] }
${authYaml({ alice: ALICE, admin: [ADMIN, "admin: true"] })}`,
    ),
  { ids: ["a", "b", "c"], backend: "fixture" },
);

describe.skipIf(!Bun.which("redis-server"))("session adoption × routing profiles", () => {
  test("a session opened under a profile keeps it when another instance adopts it", async () => {
    const [a, b] = instances as [
      RunningGateway & { url: string },
      RunningGateway & { url: string },
    ];
    // A load balancer in the client's fetch: every request goes to `target`, which moves.
    let target = a.url;
    const client = await connectRouted(() => target, {
      key: ALICE,
      headers: { "X-MCP-Profile": "echo_only" },
      name: "profiled",
    });
    try {
      const names = async () => (await client.listTools()).tools.map((tool) => tool.name);
      expect(await names()).toEqual(["echo"]);
      await a.stop();
      target = b.url;
      // Adopted on b: the same narrowing, not every tool of the key.
      expect(await names()).toEqual(["echo"]);
      const pid = await client.callTool({ name: "pid", arguments: {} });
      expect(firstText(pid)).toContain("echo_only");
      expect(firstText(await client.callTool({ name: "echo", arguments: { message: "hi" } }))).toBe(
        "hi",
      );
    } finally {
      await client.close().catch(() => {});
    }
  });

  test("a profile switched by gateway_set_profile holds after an adoption", async () => {
    const [, b, c] = instances as (RunningGateway & { url: string })[];
    let target = b!.url;
    const client = await connectRouted(() => target, {
      key: ADMIN,
      path: "/mcp",
      name: "profiled",
    });
    try {
      const set = await client.callTool({
        name: "gateway_set_profile",
        arguments: { profile: "echo_only" },
      });
      expect(set.isError).toBeFalsy();
      await b!.stop();
      target = c!.url;
      const now = await client.callTool({ name: "gateway_get_profile", arguments: {} });
      expect(firstText(now)).toContain("echo_only");
    } finally {
      await client.close().catch(() => {});
    }
  });
});
