/**
 * A client that reads JSON only (Accept: application/json, no text/event-stream) gets each
 * answer as one JSON body: a request the backend sends it mid-call (roots, elicitation,
 * sampling) has no stream to travel on. The gateway answers the backend at once with an error
 * that says so, as for a client that did not declare the capability, instead of letting the
 * call wait for its timeout.
 */
import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { BUN, EVERYTHING, FIXTURE_SERVER, startGateway, waitFor } from "../helpers.ts";

setDefaultTimeout(90_000);

const gateway = await startGateway(`
capabilities: { enabled: false }
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
  everything:
    command: node
    args: ["${EVERYTHING}"]
`);
await waitFor(() => gateway.gateway.index.tools("everything").length > 0, 30_000);
afterAll(() => gateway.stop());

async function post(
  accept: string,
  body: unknown,
  session?: string,
): Promise<{ response: Response; text: string }> {
  const response = await fetch(`${gateway.url}/mcp`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept,
      "mcp-protocol-version": "2025-11-25",
      ...(session ? { "mcp-session-id": session } : {}),
    },
    body: JSON.stringify(body),
  });
  return { response, text: await response.text() };
}

/** A JSON-only session that declares `capabilities`; `call` posts one tools/call. */
async function jsonOnlySession(capabilities: Record<string, unknown>) {
  const accept = "application/json";
  const opened = await post(accept, {
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: {
      protocolVersion: "2025-11-25",
      capabilities,
      clientInfo: { name: "json-only", version: "1" },
    },
  });
  const session = opened.response.headers.get("mcp-session-id") ?? "";
  expect(session).not.toBe("");
  await post(accept, { jsonrpc: "2.0", method: "notifications/initialized" }, session);
  return async (server: string, tool: string, args: Record<string, unknown>) => {
    const started = Date.now();
    const { response, text } = await post(
      accept,
      {
        jsonrpc: "2.0",
        id: 2,
        method: "tools/call",
        params: { name: "gateway_invoke", arguments: { server, tool, arguments: args } },
      },
      session,
    );
    expect(response.headers.get("content-type")).toContain("application/json");
    return { ms: Date.now() - started, text };
  };
}

test("a backend's sampling request during a JSON-only client's call is refused at once, saying why", async () => {
  const call = await jsonOnlySession({ sampling: {} });
  const { ms, text } = await call("everything", "trigger-sampling-request", {
    prompt: "hello",
    maxTokens: 5,
  });
  // Well under the 60 s the call waited for an answer that could not come.
  expect(ms).toBeLessThan(20_000);
  expect(text).toContain("sampling/createMessage");
  expect(text).toContain("text/event-stream");
});

test("a backend's roots/list during a JSON-only client's call gets the gateway's own roots at once", async () => {
  const call = await jsonOnlySession({ roots: {} });
  const { ms, text } = await call("fixture", "roots", {});
  expect(ms).toBeLessThan(20_000);
  expect(text).toContain('\\"roots\\":[]');
});
