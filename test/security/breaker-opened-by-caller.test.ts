/**
 * Attack: one caller opens a backend's circuit breaker for everyone. Arguments nested 100,000
 * deep overflowed the stack while being sent, and oversized ones choked the backend; both were
 * counted as the backend failing, so after five of them the admin's next call got CIRCUIT_OPEN.
 * Now the gateway refuses them before forwarding, with an error naming the limit, and they never
 * count against the backend.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { MAX_ARGUMENT_DEPTH, MAX_ARGUMENT_SIZE } from "../../src/meta/validate.ts";
import { hashKey } from "../../src/security/keys.ts";
import { BUN, FIXTURE_SERVER, firstText, startGateway, waitFor } from "../helpers.ts";
import { connectWithKey, initializeBody, MCP_HEADERS } from "./_helpers.ts";

setDefaultTimeout(60_000);

const ATTACKER = "attacker-key-0123456789abcdef";
const ADMIN = "admin-key-0123456789abcdef";
const DEEP = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
const HUGE = JSON.stringify("x".repeat(MAX_ARGUMENT_SIZE + 1024));

let gateway: Awaited<ReturnType<typeof startGateway>>;

beforeAll(async () => {
  gateway = await startGateway(`
capabilities: { enabled: false }
auth:
  enabled: true
  api_keys:
    - name: attacker
      key: "${hashKey(ATTACKER)}"
    - name: admin
      key: "${hashKey(ADMIN)}"
      admin: true
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
`);
  await waitFor(() => gateway.gateway.index.tools("fixture").length > 0);
});

afterAll(async () => {
  await gateway?.stop();
});

/** Opens a raw session on `path` as the attacker; returns a sender of raw JSON-RPC requests. */
async function rawSession(path: string) {
  const headers = { ...MCP_HEADERS, authorization: `Bearer ${ATTACKER}` };
  const opened = await fetch(`${gateway.url}${path}`, {
    method: "POST",
    headers,
    body: initializeBody(),
  });
  await opened.text();
  const session = opened.headers.get("mcp-session-id")!;
  let id = 1;
  return async (method: string, params: string): Promise<string> => {
    const response = await fetch(`${gateway.url}${path}`, {
      method: "POST",
      headers: { ...headers, "mcp-session-id": session, "mcp-protocol-version": "2025-11-25" },
      body: `{"jsonrpc":"2.0","id":${++id},"method":"${method}","params":${params}}`,
    });
    return response.text();
  };
}

const breakerState = () =>
  (gateway.gateway.health().backends.fixture as { state: string } | undefined)?.state;

describe("a caller's bad arguments never open the breaker for others", () => {
  test("100,000-deep and oversized arguments, through /mcp/fixture and gateway_invoke", async () => {
    const direct = await rawSession("/mcp/fixture");
    const meta = await rawSession("/mcp");
    // Every attack is sent before anything is checked, so the next test sees their full effect.
    const answers: [payload: string, answer: string][] = [];
    for (const payload of [DEEP, HUGE]) {
      for (let round = 0; round < 3; round++) {
        const viaBackend = await direct(
          "tools/call",
          `{"name":"echo","arguments":{"message":"hi","extra":${payload}}}`,
        );
        const viaInvoke = await meta(
          "tools/call",
          `{"name":"gateway_invoke","arguments":{"server":"fixture","tool":"echo","arguments":{"message":"hi","extra":${payload}}}}`,
        );
        answers.push([payload, viaBackend], [payload, viaInvoke]);
      }
    }
    for (const [payload, answer] of answers) {
      expect(answer).toContain("[INVALID_ARGUMENTS]");
      expect(answer).toContain(
        payload === DEEP ? `deeper than ${MAX_ARGUMENT_DEPTH} levels` : `${MAX_ARGUMENT_SIZE}`,
      );
    }
    // Any other method passed through: refused as invalid params, not sent.
    const other = await direct("x/deep", `{"extra":${DEEP}}`);
    expect(other).toContain("-32602");
    expect(other).toContain(`deeper than ${MAX_ARGUMENT_DEPTH} levels`);
    expect(breakerState()).toBe("ready");
  });

  test("the admin's next calls succeed, through both doors", async () => {
    const admin = await connectWithKey(gateway.url, ADMIN);
    const invoked = await admin.client.callTool({
      name: "gateway_invoke",
      arguments: { server: "fixture", tool: "echo", arguments: { message: "still up" } },
    });
    expect(invoked.isError).toBeFalsy();
    expect(firstText(invoked)).toContain("still up");
    await admin.close();
    const direct = await connectWithKey(gateway.url, ADMIN, "/mcp/fixture");
    const echoed = await direct.client.callTool({ name: "echo", arguments: { message: "ok" } });
    expect(echoed.isError).toBeFalsy();
    await direct.close();
  });

  test("arguments at the limit still go through", async () => {
    const nested = `${"[".repeat(MAX_ARGUMENT_DEPTH - 1)}${"]".repeat(MAX_ARGUMENT_DEPTH - 1)}`;
    const direct = await rawSession("/mcp/fixture");
    const answer = await direct(
      "tools/call",
      `{"name":"echo","arguments":{"message":"deep enough","extra":${nested}}}`,
    );
    expect(answer).toContain("deep enough");
    expect(answer).not.toContain("isError");
  });
});
