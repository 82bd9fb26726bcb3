/**
 * The session sandbox (`security.sandbox.max_calls`) × several instances on one Redis: a
 * stateless caller that alternates instances gets `max_calls` across the cluster, not on each,
 * without using up another key's; a session adopted by another instance after its owner died
 * keeps the calls it made (before, each instance counted alone: two instances doubled the
 * allowance, and an adoption started it again).
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import type { RunningGateway } from "../../src/gateway/run.ts";
import { hashKey } from "../../src/security/keys.ts";
import { BUN, connectStateless, FIXTURE_SERVER, firstText, writeConfig } from "../helpers.ts";
import { startInProcess } from "./_instances.ts";
import { type RedisServer, startRedis } from "./_redis.ts";

setDefaultTimeout(60_000);

const ALICE = "alice-key-0123456789abcdef";
const BOB = "bob-key-0123456789abcdef";
let redis: RedisServer;
const instances: (RunningGateway & { url: string })[] = [];

function yaml(redisUrl: string, id: string): string {
  return `
capabilities: { enabled: false }
cluster: { redis_url: "${redisUrl}", instance_id: ${id}, key_prefix: "seams-sandbox-${process.pid}:" }
security:
  sandbox: { max_calls: 4 }
auth:
  enabled: true
  api_keys:
    - { name: alice, key: "${hashKey(ALICE)}" }
    - { name: bob, key: "${hashKey(BOB)}" }
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

const echo = async (client: Client, message: string) =>
  firstText(await client.callTool({ name: "echo", arguments: { message } }));

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
    let target = new URL(c!.url);
    const routed = (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(input instanceof Request ? input.url : input);
      url.host = target.host;
      return fetch(url, init);
    };
    const client = new Client({ name: "adopted", version: "1" }, { capabilities: {} });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${c!.url}/mcp/fixture`), {
        requestInit: { headers: { Authorization: `Bearer ${ALICE}` } },
        fetch: routed,
      }),
    );
    try {
      for (let i = 0; i < 3; i++) expect(await echo(client, `s${i}`)).toBe(`s${i}`);
      await instances[2]!.stop();
      target = new URL(b!.url);
      // The fourth call is adopted on b and allowed; the fifth is one over max_calls.
      expect(await echo(client, "s3")).toBe("s3");
      expect(await echo(client, "s4")).toStartWith("[SANDBOX_LIMIT] [sandbox.max_calls]");
    } finally {
      await client.close().catch(() => {});
    }
  });
});
