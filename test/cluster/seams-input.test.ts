/**
 * A 2026-07-28 (stateless) call that needs the user (a confirmation, a backend's elicitation)
 * × several instances behind a round-robin balancer: the gateway answers `input_required` and
 * holds the call; the client's retry with its answer lands on another instance, which sends it
 * on to the one holding the call (before, it answered "requestState is unknown or expired":
 * with two instances in strict alternation such a call never went through).
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { Client } from "@modelcontextprotocol/client";
import type { RunningGateway } from "../../src/gateway/run.ts";
import { firstText } from "../helpers.ts";
import {
  ALICE,
  authYaml,
  BOB,
  clusterYaml,
  connectRouted,
  roundRobin,
  useCluster,
} from "./_config.ts";

setDefaultTimeout(60_000);

const { instances } = useCluster((redisUrl, id) =>
  clusterYaml(
    redisUrl,
    id,
    "seams-input",
    `security:
  require_confirmation: ["fixture:echo"]
${authYaml({ alice: ALICE, bob: BOB })}`,
  ),
);

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
  let asked = 0;
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
  await connectRouted(roundRobin(instances), { key, client });
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
