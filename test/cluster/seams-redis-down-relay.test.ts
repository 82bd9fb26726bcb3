/**
 * 2025-11-25 sessions behind round robin while Redis is down. Before, an instance that did not
 * hold a session could not ask Redis who did and answered 404: the client opened a new session,
 * whose next request landed on the other instance, 404 again, so no session lasted two requests.
 * Now a session id starts with its owner's tag and the instances remember each other's URLs, so
 * the request is relayed to the owner; a tag nobody knows, or a forged one, is still a 404.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import type { RunningGateway } from "../../src/gateway/run.ts";
import { hashKey } from "../../src/security/keys.ts";
import { BUN, FIXTURE_SERVER, firstText, waitFor, writeConfig } from "../helpers.ts";
import { startInProcess } from "./_instances.ts";
import { type RedisServer, startRedis } from "./_redis.ts";

setDefaultTimeout(60_000);

const ALICE = "alice-key-0123456789abcdef";
const BOB = "bob-key-0123456789abcdef";
type Running = RunningGateway & { url: string };
let redis: RedisServer;
let instances: Running[] = [];

const yaml = (redisUrl: string, id: string) => `
capabilities: { enabled: false }
cluster: { redis_url: "${redisUrl}", instance_id: ${id}, key_prefix: "redis-down-relay-${process.pid}:" }
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

beforeAll(async () => {
  if (!Bun.which("redis-server")) return;
  redis = await startRedis();
  instances = await startInProcess((id) => writeConfig(yaml(redis.url, id)), {
    ids: ["a", "b"],
    backend: "fixture",
  });
  // Each instance read the list when it started; a's and b's next reads see each other.
  await Promise.all(instances.map((instance) => instance.cluster?.peers?.beat()));
});

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.stop()));
  await redis?.kill();
});

/** A client behind a round-robin balancer: each request goes to the next instance. */
async function roundRobin(key: string): Promise<Client> {
  let next = 0;
  const routed = (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : input);
    url.host = new URL(instances[next++ % instances.length]!.url).host;
    return fetch(url, init);
  };
  const client = new Client({ name: "behind-lb", version: "1" }, { capabilities: {} });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${instances[0]!.url}/mcp/fixture`), {
      requestInit: { headers: { Authorization: `Bearer ${key}` } },
      fetch: routed,
    }),
  );
  return client;
}

const echo = async (client: Client, message: string) =>
  firstText(await client.callTool({ name: "echo", arguments: { message } }));

describe.skipIf(!Bun.which("redis-server"))("sessions while Redis is down", () => {
  test("a session opened before and one opened during the outage both keep working behind round robin", async () => {
    const before = await roundRobin(ALICE);
    try {
      expect(await echo(before, "up")).toBe("up");
      await redis.kill();
      await waitFor(() => instances.every((i) => i.cluster?.status().redis === "down"));
      for (let i = 0; i < 4; i++) expect(await echo(before, `down ${i}`)).toBe(`down ${i}`);
      const during = await roundRobin(ALICE);
      try {
        for (let i = 0; i < 4; i++) expect(await echo(during, `new ${i}`)).toBe(`new ${i}`);
      } finally {
        await during.close().catch(() => {});
      }
    } finally {
      await before.close().catch(() => {});
    }
  });

  test("only the session's own caller is served through the relay; unknown or forged tags are 404", async () => {
    const [a, b] = instances as [Running, Running];
    const init = {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: "2025-11-25",
        capabilities: {},
        clientInfo: { name: "raw", version: "1" },
      },
    };
    const post = (url: string, key: string, body: unknown, session?: string) =>
      fetch(`${url}/mcp/fixture`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          authorization: `Bearer ${key}`,
          "mcp-protocol-version": "2025-11-25",
          ...(session ? { "mcp-session-id": session } : {}),
        },
        body: JSON.stringify(body),
      });
    const opened = await post(a.url, ALICE, init);
    const id = opened.headers.get("mcp-session-id")!;
    await opened.text();
    expect(id).toMatch(/^[0-9a-f]{8}\./);
    const ping = { jsonrpc: "2.0", id: 2, method: "ping" };
    // Alice's session asked of b: relayed to a, answered.
    expect((await post(b.url, ALICE, ping, id)).status).toBe(200);
    // Bob with alice's session id: a refuses him, through the relay too.
    expect((await post(b.url, BOB, ping, id)).status).toBe(403);
    // A tag no instance has, and the id of a session a never made: 404, nothing relayed.
    expect((await post(b.url, ALICE, ping, `deadbeef.${crypto.randomUUID()}`)).status).toBe(404);
    const forged = `${id.split(".")[0]}.${crypto.randomUUID()}`;
    expect((await post(b.url, ALICE, ping, forged)).status).toBe(404);
  });
});
