/**
 * A 2025-11-25 session adopted by another instance after its owner died × routing profiles:
 * the adopted session keeps the profile its client picked (the `X-MCP-Profile` header at
 * `initialize`, or `gateway_set_profile` since), instead of falling back to the default one
 * (before, an adoption replayed `initialize` without the header: the session's narrowing was
 * gone and every tool of the key came back).
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import type { RunningGateway } from "../../src/gateway/run.ts";
import { hashKey } from "../../src/security/keys.ts";
import { BUN, FIXTURE_SERVER, firstText, writeConfig } from "../helpers.ts";
import { startInProcess } from "./_instances.ts";
import { type RedisServer, startRedis } from "./_redis.ts";

setDefaultTimeout(60_000);

const ALICE = "alice-key-0123456789abcdef";
const ADMIN = "admin-key-0123456789abcdef";
let redis: RedisServer;
const instances: (RunningGateway & { url: string })[] = [];

function yaml(redisUrl: string, id: string): string {
  return `
capabilities: { enabled: false }
cluster: { redis_url: "${redisUrl}", instance_id: ${id}, key_prefix: "seams-adopt-${process.pid}:" }
meta_mcp: { operator_tools: [gateway_set_profile, gateway_get_profile] }
routing_profiles:
  echo_only: { allow_tools: ["echo"] }
auth:
  enabled: true
  api_keys:
    - { name: alice, key: "${hashKey(ALICE)}" }
    - { name: admin, key: "${hashKey(ADMIN)}", admin: true }
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
`;
}

beforeAll(async () => {
  if (!Bun.which("redis-server")) return;
  redis = await startRedis();
  instances.push(
    ...(await startInProcess((id) => writeConfig(yaml(redis.url, id)), {
      ids: ["a", "b", "c"],
      backend: "fixture",
    })),
  );
});

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.stop()));
  await redis?.kill();
});

/**
 * The SDK's 2025-11-25 client for `path` with `headers`, through a load balancer in its fetch
 * that sends every request to `to()` (which the test moves).
 */
async function balanced(
  path: string,
  headers: Record<string, string>,
  to: () => string,
): Promise<Client> {
  const routed = (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : input);
    url.host = new URL(to()).host;
    return fetch(url, init);
  };
  const client = new Client({ name: "profiled", version: "1" }, { capabilities: {} });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${to()}${path}`), {
      requestInit: { headers },
      fetch: routed,
    }),
  );
  return client;
}

describe.skipIf(!Bun.which("redis-server"))("session adoption × routing profiles", () => {
  test("a session opened under a profile keeps it when another instance adopts it", async () => {
    const [a, b] = instances as [
      RunningGateway & { url: string },
      RunningGateway & { url: string },
    ];
    // A load balancer in the client's fetch: every request goes to `target`, which moves.
    let target = new URL(a.url);
    const routed = (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(input instanceof Request ? input.url : input);
      url.host = target.host;
      return fetch(url, init);
    };
    const client = new Client({ name: "profiled", version: "1" }, { capabilities: {} });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${a.url}/mcp/fixture`), {
        requestInit: {
          headers: { Authorization: `Bearer ${ALICE}`, "X-MCP-Profile": "echo_only" },
        },
        fetch: routed,
      }),
    );
    try {
      const names = async () => (await client.listTools()).tools.map((tool) => tool.name);
      expect(await names()).toEqual(["echo"]);
      await a.stop();
      target = new URL(b.url);
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
    const client = await balanced("/mcp", { Authorization: `Bearer ${ADMIN}` }, () => target);
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
