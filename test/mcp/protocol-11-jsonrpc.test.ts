/**
 * JSON-RPC edge cases a raw client sends on /mcp, each answered as the spec (and JSON-RPC 2.0)
 * says. An `initialize` whose params lack a required field was answered "Server not
 * initialized" (the SDK took it for another request), which told a hand-written client nothing
 * about its mistake; it is a -32602 naming the missing fields now. A request id past 2^53 - 1
 * (a client drawing random 64-bit ids) was refused under a rounded id as "not a valid JSON-RPC
 * message"; the refusal names the id as sent and says to use a smaller one or a string.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { startFixtureGateway } from "../helpers.ts";
import { MCP_HEADERS } from "../security/_helpers.ts";
import { messagesOf, openSession, request } from "./_protocol-10.ts";

setDefaultTimeout(30_000);

let gateway: Awaited<ReturnType<typeof startFixtureGateway>>;
beforeAll(async () => {
  gateway = await startFixtureGateway();
});
afterAll(async () => {
  await gateway?.stop();
});

const VERSION = "2025-11-25";

async function raw(body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${gateway.url}/mcp`, {
    method: "POST",
    headers: { ...MCP_HEADERS, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, messages: text ? messagesOf(text) : [] };
}

describe("JSON-RPC edge cases on a session", () => {
  test('ids 0 and "" are ids; a notification with an id is a request; responses get 202', async () => {
    const { post } = await openSession(gateway.url, VERSION);
    expect((await post(request(0, "ping"))).messages[0]).toMatchObject({ id: 0, result: {} });
    expect((await post(request("", "ping"))).messages[0]).toMatchObject({ id: "", result: {} });
    const named = await post(request(3, "notifications/made_up"));
    expect(named.messages[0]).toMatchObject({ id: 3, error: { code: -32601 } });
    // A client answering a server's ping, and one answering with an error.
    expect((await post({ jsonrpc: "2.0", id: "srv-1", result: {} })).status).toBe(202);
    const error = { jsonrpc: "2.0", id: "srv-2", error: { code: -1, message: "no" } };
    expect((await post(error)).status).toBe(202);
    expect((await post({ jsonrpc: "2.0", method: "notifications/made_up" })).status).toBe(202);
  });

  test("invalid requests are 400 with the id when it can be read", async () => {
    const { post } = await openSession(gateway.url, VERSION);
    const noVersion = await post({ id: 5, method: "ping" });
    expect(noVersion.status).toBe(400);
    expect(noVersion.messages[0]).toMatchObject({ id: 5, error: { code: -32600 } });
    const arrayParams = await post({ jsonrpc: "2.0", id: 6, method: "tools/list", params: [] });
    expect(arrayParams.status).toBe(400);
    expect(arrayParams.messages[0]?.id).toBe(6);
    const nullId = await post({ jsonrpc: "2.0", id: null, method: "ping" });
    expect(nullId.status).toBe(400);
    expect(nullId.messages[0]?.id).toBeNull();
    const unknown = await post(request(7, "nope/nope"));
    expect(unknown.messages[0]).toMatchObject({ id: 7, error: { code: -32601 } });
  });

  test("an integer id past 2^53 - 1 is refused naming it; one at 2^53 - 1 is answered", async () => {
    const { id } = await openSession(gateway.url, VERSION);
    const headers = { "mcp-session-id": id(), "mcp-protocol-version": VERSION };
    const huge = await raw('{"jsonrpc":"2.0","id":9007199254740993,"method":"ping"}', headers);
    expect(huge.status).toBe(400);
    expect(huge.messages[0]?.id).toBeNull();
    expect(huge.messages[0]?.error?.message).toContain("request id 9007199254740993 is beyond");
    expect(huge.messages[0]?.error?.message).toContain("string id");
    const largest = await raw('{"jsonrpc":"2.0","id":9007199254740991,"method":"ping"}', headers);
    expect(largest.messages[0]).toMatchObject({ id: 9007199254740991, result: {} });
  });

  test("a second initialize on a session is refused; a session's requests go on", async () => {
    const { post } = await openSession(gateway.url, VERSION);
    const again = await post(
      request(8, "initialize", {
        protocolVersion: VERSION,
        capabilities: {},
        clientInfo: { name: "raw", version: "1" },
      }),
    );
    expect(again.status).toBe(400);
    expect(again.messages[0]?.error?.code).toBe(-32600);
    expect((await post(request(9, "ping"))).messages[0]?.result).toEqual({});
  });

  test("an initialize missing fields is -32602 naming them, with its id", async () => {
    const cases: [Record<string, unknown> | undefined, string[]][] = [
      [undefined, ["params.protocolVersion", "params.capabilities", "params.clientInfo.name"]],
      [
        { protocolVersion: VERSION, clientInfo: { name: "x", version: "1" } },
        ["params.capabilities"],
      ],
      [
        { protocolVersion: VERSION, capabilities: {}, clientInfo: { name: "x" } },
        ["params.clientInfo.version"],
      ],
    ];
    for (const [params, missing] of cases) {
      const refused = await raw({
        jsonrpc: "2.0",
        id: "init",
        method: "initialize",
        ...(params ? { params } : {}),
      });
      expect(refused.status).toBe(400);
      expect(refused.messages[0]?.id).toBe("init");
      expect(refused.messages[0]?.error?.code).toBe(-32602);
      for (const field of missing) expect(refused.messages[0]?.error?.message).toContain(field);
    }
    // A complete one still opens a session.
    const opened = await raw(
      request("ok", "initialize", {
        protocolVersion: VERSION,
        capabilities: {},
        clientInfo: { name: "x", version: "1" },
      }),
    );
    expect(opened.messages[0]?.result?.protocolVersion).toBe(VERSION);
  });

  test("a request before initialized, and with no MCP-Protocol-Version header, is served", async () => {
    const opened = await fetch(`${gateway.url}/mcp`, {
      method: "POST",
      headers: MCP_HEADERS,
      body: JSON.stringify(
        request(0, "initialize", {
          protocolVersion: VERSION,
          capabilities: {},
          clientInfo: { name: "x", version: "1" },
        }),
      ),
    });
    const session = opened.headers.get("mcp-session-id") ?? "";
    await opened.text();
    const early = await raw(request(1, "tools/list"), { "mcp-session-id": session });
    expect(early.status).toBe(200);
    expect(Array.isArray(early.messages[0]?.result?.tools)).toBe(true);
    // An unsupported revision in the header is 400; a session unknown here is 404.
    const wrong = await raw(request(2, "ping"), {
      "mcp-session-id": session,
      "mcp-protocol-version": "1999-01-01",
    });
    expect(wrong.status).toBe(400);
    const gone = await raw(request(3, "ping"), { "mcp-session-id": "no-such-session" });
    expect(gone.status).toBe(404);
  });
});
