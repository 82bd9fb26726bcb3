/**
 * Attack: malformed JSON and malformed JSON-RPC, sent to crash the gateway or confuse it. Each
 * gets a JSON-RPC error with the right code (never a 5xx), and the gateway keeps serving.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { connectHttp, type startGateway } from "../helpers.ts";
import { gatewayWithRawSession, MCP_HEADERS, meta } from "./_helpers.ts";

setDefaultTimeout(30_000);

let gateway: Awaited<ReturnType<typeof startGateway>>;
let session = "";

beforeAll(async () => {
  ({ gateway, session } = await gatewayWithRawSession());
});

afterAll(async () => {
  await gateway?.stop();
});

async function send(body: string, inSession: boolean): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = { ...MCP_HEADERS };
  if (inSession) {
    headers["mcp-session-id"] = session;
    headers["mcp-protocol-version"] = "2025-11-25";
  }
  const response = await fetch(`${gateway.url}/mcp`, { method: "POST", headers, body });
  return { status: response.status, text: await response.text() };
}

/** The JSON-RPC error code in a JSON or SSE response body. */
function errorCode(text: string): number | undefined {
  const json = text.startsWith("{") ? text : /^data: (\{.*\})$/m.exec(text)?.[1];
  return json ? (JSON.parse(json) as { error?: { code: number } }).error?.code : undefined;
}

const CASES: [name: string, body: string, code: number][] = [
  ["an empty body", "", -32700],
  ["broken JSON", '{"jsonrpc":"2.0",', -32700],
  ["10,000 levels of nesting", "[".repeat(10_000), -32700],
  ["a number", "42", -32600],
  ["null", "null", -32600],
  ["an empty batch", "[]", -32600],
  ["an empty object", "{}", -32600],
  ["JSON-RPC 1.0", '{"jsonrpc":"1.0","id":1,"method":"ping"}', -32600],
  ["an object as id", '{"jsonrpc":"2.0","id":{},"method":"ping"}', -32600],
  ["a number as method", '{"jsonrpc":"2.0","id":1,"method":7}', -32600],
  ["params as a list", '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":[]}', -32600],
];

describe("malformed messages get JSON-RPC errors, never a 5xx", () => {
  for (const [name, body, code] of CASES) {
    for (const inSession of [false, true]) {
      test(`${name}${inSession ? " (in a session)" : ""}`, async () => {
        const response = await send(body, inSession);
        expect(response.status).toBe(400);
        expect(errorCode(response.text)).toBe(code);
      });
    }
  }

  test("an unknown method in a session: -32601", async () => {
    const response = await send('{"jsonrpc":"2.0","id":5,"method":"nope/nope"}', true);
    expect(errorCode(response.text)).toBe(-32601);
  });

  test("tools/call without a name: -32602", async () => {
    const response = await send('{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{}}', true);
    expect(errorCode(response.text)).toBe(-32602);
  });

  test("gateway_invoke with arguments of the wrong shape: a tool error saying what to fix", async () => {
    const client = await connectHttp(gateway.url);
    for (const args of [
      { server: "fixture", tool: "noop", arguments: 7 },
      { server: "fixture", tool: "noop", arguments: "{not json" },
      { server: 12, tool: "noop" },
      { tool: "noop" },
    ]) {
      const result = await meta(client.client, "gateway_invoke", args);
      expect(result.isError).toBe(true);
      expect(result.text).toStartWith("[INVALID_ARGUMENTS]");
    }
    await client.close();
  });

  test("the gateway still serves a well-formed session afterwards", async () => {
    const response = await send('{"jsonrpc":"2.0","id":9,"method":"tools/list"}', true);
    expect(response.status).toBe(200);
    expect(response.text).toContain("gateway_invoke");
  });
});
