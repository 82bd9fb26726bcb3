/**
 * A client that reads JSON only (Accept: application/json, no text/event-stream) gets each
 * answer as one JSON body: a request the backend sends it mid-call (roots, elicitation,
 * sampling) has no stream to travel on. The gateway answers the backend at once with an error
 * that says so, as for a client that did not declare the capability, instead of letting the
 * call wait for its timeout.
 */
import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { startFixtureGateway } from "../helpers.ts";

setDefaultTimeout(90_000);

const gateway = await startFixtureGateway();
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

test("a JSON-only client's call whose backend asks for its roots ends at once, saying why", async () => {
  const accept = "application/json";
  const opened = await post(accept, {
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: {
      protocolVersion: "2025-11-25",
      capabilities: { roots: {} },
      clientInfo: { name: "json-only", version: "1" },
    },
  });
  const session = opened.response.headers.get("mcp-session-id") ?? "";
  expect(session).not.toBe("");
  await post(accept, { jsonrpc: "2.0", method: "notifications/initialized" }, session);
  const started = Date.now();
  const { response, text } = await post(
    accept,
    {
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: {
        name: "gateway_invoke",
        arguments: { server: "fixture", tool: "roots", arguments: {} },
      },
    },
    session,
  );
  // Well under the 60 s the call waited for an answer that cannot come.
  expect(Date.now() - started).toBeLessThan(20_000);
  expect(response.headers.get("content-type")).toContain("application/json");
  expect(text).toContain("roots/list");
  expect(text).toContain("text/event-stream");
});
