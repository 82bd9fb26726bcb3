/**
 * Attack: 50 `tools/call` in one JSON-RPC batch (one POST) against a key limited to 5 requests a
 * minute; the limit must count messages, not POSTs.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { hashKey } from "../../src/security/keys.ts";
import { FIXTURE_SERVER, startGateway, waitFor } from "../helpers.ts";
import { connectWithKey, MCP_HEADERS } from "./_helpers.ts";

setDefaultTimeout(30_000);

const LIMITED = "limited-key-0123456789abcdef";
const ADMIN = "admin-key-0123456789abcdef";
let gateway: Awaited<ReturnType<typeof startGateway>>;

beforeAll(async () => {
  gateway = await startGateway(`
capabilities: { enabled: false }
auth:
  enabled: true
  api_keys:
    - name: limited
      key: "${hashKey(LIMITED)}"
      rate_limit: 5
    - name: admin
      key: "${hashKey(ADMIN)}"
      admin: true
backends:
  fixture:
    command: ${process.execPath}
    args: ["${FIXTURE_SERVER}"]
`);
  await waitFor(() => gateway.gateway.index.tools("fixture").length > 0);
});

afterAll(async () => {
  await gateway?.stop();
});

async function post(body: unknown, session?: string): Promise<Response> {
  return fetch(`${gateway.url}/mcp/fixture`, {
    method: "POST",
    headers: {
      ...MCP_HEADERS,
      authorization: `Bearer ${LIMITED}`,
      "mcp-protocol-version": "2025-03-26",
      ...(session ? { "mcp-session-id": session } : {}),
    },
    body: JSON.stringify(body),
  });
}

const counterCall = (id: number) => ({
  jsonrpc: "2.0",
  id,
  method: "tools/call",
  params: { name: "counter", arguments: {} },
});

describe("a per-key rate limit counts the messages of a batch", () => {
  // 2025-03-26 is the revision whose clients may batch (2025-06-18 removed batches).
  test("a batch of 50 calls against a limit of 5 runs none of them", async () => {
    const opened = await post({
      jsonrpc: "2.0",
      id: 0,
      method: "initialize",
      params: {
        protocolVersion: "2025-03-26",
        capabilities: {},
        clientInfo: { name: "batch", version: "1" },
      },
    });
    await opened.text();
    const session = opened.headers.get("mcp-session-id")!;
    // Two of five used (initialize, initialized); a batch of 50 would be 50 more.
    await (await post({ jsonrpc: "2.0", method: "notifications/initialized" }, session)).text();
    const batch = await post(
      Array.from({ length: 50 }, (_, i) => counterCall(i + 1)),
      session,
    );
    expect(batch.status).toBe(429);
    expect(await batch.text()).toContain("more than the rate limit of key:limited (5/min)");

    // None of the 50 reached the backend: the first counter call anyone makes counts 1.
    const admin = await connectWithKey(gateway.url, ADMIN, "/mcp/fixture");
    try {
      const result = await admin.client.callTool({ name: "counter", arguments: {} });
      expect((result.content as { text: string }[])[0]!.text).toBe("1");
    } finally {
      await admin.close();
    }

    // The refused POST cost one like any other: a batch that fits the two left goes through,
    // and the next POST is over the limit.
    const fits = await post([counterCall(100), counterCall(101)], session);
    expect(fits.status).toBe(200);
    await fits.text();
    const over = await post([counterCall(103), counterCall(104)], session);
    expect(over.status).toBe(429);
    expect(over.headers.get("retry-after")).toBeString();
  });
});
