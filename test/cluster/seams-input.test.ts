/**
 * A 2026-07-28 (stateless) call that needs the user (a confirmation, a backend's elicitation)
 * × several instances behind a round-robin balancer: the gateway answers `input_required` and
 * holds the call; the client's retry with its answer lands on another instance, which sends it
 * on to the one holding the call (before, it answered "requestState is unknown or expired":
 * with two instances in strict alternation such a call never went through).
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
const BOB = "bob-key-0123456789abcdef";
let redis: RedisServer;
const instances: (RunningGateway & { url: string })[] = [];

function yaml(redisUrl: string, id: string): string {
  return `
capabilities: { enabled: false }
cluster: { redis_url: "${redisUrl}", instance_id: ${id}, key_prefix: "seams-input-${process.pid}:" }
security:
  require_confirmation: ["fixture:echo"]
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
    ...(await startInProcess((id) => writeConfig(yaml(redis.url, id)), { backend: "fixture" })),
  );
});

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.stop()));
  await redis?.kill();
});

/**
 * The SDK's client pinned to 2026-07-28 with `key`, through a round-robin balancer in its
 * fetch (each request to the next instance), answering every elicitation with `action`.
 * `asked` counts the questions it was asked.
 */
async function balancedClient(
  key: string,
  action: "accept" | "decline",
  version: "2026-07-28" | "2025-11-25" = "2026-07-28",
): Promise<{ client: Client; asked: () => number }> {
  let next = 0;
  let asked = 0;
  const routed = (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : input);
    url.host = new URL(instances[next++ % instances.length]!.url).host;
    return fetch(url, init);
  };
  const client = new Client(
    { name: "balanced", version: "1" },
    {
      capabilities: { elicitation: { form: {} } },
      ...(version === "2026-07-28"
        ? { versionNegotiation: { mode: { pin: "2026-07-28" as const } } }
        : {}),
    },
  );
  client.setRequestHandler("elicitation/create", async () => {
    asked++;
    return { action, content: {} };
  });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${instances[0]!.url}/mcp/fixture`), {
      requestInit: { headers: { Authorization: `Bearer ${key}` } },
      fetch: routed,
    }),
  );
  return { client, asked: () => asked };
}

describe.skipIf(!Bun.which("redis-server"))("input_required across instances", () => {
  test("a confirmed call goes through when the retry lands on the other instance", async () => {
    const { client, asked } = await balancedClient(ALICE, "accept");
    try {
      for (let i = 0; i < 3; i++) {
        const result = await client.callTool({ name: "echo", arguments: { message: `c${i}` } });
        expect(firstText(result)).toBe(`c${i}`);
      }
      expect(asked()).toBe(3);
    } finally {
      await client.close();
    }
  });

  test("a 2025-11-25 session's confirmation, asked by its owner, is answered through the other instance", async () => {
    const { client, asked } = await balancedClient(ALICE, "accept", "2025-11-25");
    try {
      for (let i = 0; i < 3; i++) {
        const result = await client.callTool({ name: "echo", arguments: { message: `s${i}` } });
        expect(firstText(result)).toBe(`s${i}`);
      }
      expect(asked()).toBe(3);
    } finally {
      await client.close();
    }
  });

  test("a declined call is refused, wherever the retry lands", async () => {
    const { client } = await balancedClient(ALICE, "decline");
    try {
      const result = await client.callTool({ name: "echo", arguments: { message: "no" } });
      expect(firstText(result)).toContain("CONFIRMATION_REQUIRED");
    } finally {
      await client.close();
    }
  });
});

/** A raw 2026-07-28 `tools/call` of echo as `key` on `url`, with `extra` params; its answer. */
async function rawCall(url: string, key: string, extra: Record<string, unknown> = {}) {
  const response = await fetch(`${url}/mcp/fixture`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      authorization: `Bearer ${key}`,
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": "tools/call",
      "mcp-name": "echo",
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: {
        name: "echo",
        arguments: { message: "raw" },
        ...extra,
        _meta: {
          "io.modelcontextprotocol/protocolVersion": "2026-07-28",
          "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" },
          "io.modelcontextprotocol/clientCapabilities": { elicitation: { form: {} } },
        },
      },
    }),
  });
  return response.text();
}

describe.skipIf(!Bun.which("redis-server"))("input_required across instances, attacked", () => {
  test("another key's retry with a stolen requestState is not sent on to the instance holding the call", async () => {
    const [a, b] = instances as [
      RunningGateway & { url: string },
      RunningGateway & { url: string },
    ];
    const held = JSON.parse(await rawCall(a.url, ALICE)) as {
      result: { resultType: string; requestState: string };
    };
    expect(held.result.resultType).toBe("input_required");
    const retry = {
      requestState: held.result.requestState,
      inputResponses: { r1: { action: "accept", content: {} } },
    };
    // Bob holds alice's requestState: at b it is unknown (not sent on to a), and a refuses it too.
    expect(await rawCall(b.url, BOB, retry)).toContain("requestState is unknown or expired");
    expect(await rawCall(a.url, BOB, retry)).toContain("requestState is unknown or expired");
    // Alice's own retry, at b, reaches the call a holds: it was not used up.
    expect(await rawCall(b.url, ALICE, retry)).toContain('"text":"raw"');
  });
});
