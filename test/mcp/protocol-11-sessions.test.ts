/**
 * The session's end as a raw client meets it (spec 2025-11-25, Session Management): a session
 * that expired or was deleted answers 404, so the client knows to initialize again (not 400,
 * which says the request was wrong), its GET stream ends rather than hanging, and a new
 * initialize without the old id opens a new session.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { startFixtureGateway } from "../helpers.ts";
import { MCP_HEADERS } from "../security/_helpers.ts";
import { openSession, request } from "./_protocol-10.ts";

setDefaultTimeout(60_000);

let gateway: Awaited<ReturnType<typeof startFixtureGateway>>;
beforeAll(async () => {
  gateway = await startFixtureGateway("server:\n  session_ttl: 1s\n");
});
afterAll(async () => {
  await gateway?.stop();
});

const VERSION = "2025-11-25";
const PATH = "/mcp/fixture";

/** Opens the session's GET stream; `ended` resolves once the gateway ends it. */
async function getStream(session: string) {
  const response = await fetch(`${gateway.url}${PATH}`, {
    headers: {
      accept: "text/event-stream",
      "mcp-session-id": session,
      "mcp-protocol-version": VERSION,
    },
  });
  expect(response.status).toBe(200);
  const ended = (async () => {
    for await (const _ of response.body as ReadableStream<Uint8Array>) {
    }
    return true;
  })().catch(() => true);
  return { ended };
}

async function ping(session: string): Promise<number> {
  const response = await fetch(`${gateway.url}${PATH}`, {
    method: "POST",
    headers: { ...MCP_HEADERS, "mcp-session-id": session, "mcp-protocol-version": VERSION },
    body: JSON.stringify(request(1, "ping")),
  });
  await response.text();
  return response.status;
}

describe("the end of a session", () => {
  test("an expired session answers 404, its GET stream ends, and a new initialize works", async () => {
    const { id } = await openSession(gateway.url, VERSION, PATH);
    const stream = await getStream(id());
    // Reaped once idle past session_ttl (1 s; the reaper runs each second here): a request
    // would count as use, so the stream's end is what is waited for.
    expect(await stream.ended).toBe(true);
    expect(await ping(id())).toBe(404);
    const again = await openSession(gateway.url, VERSION, PATH);
    expect(again.id()).not.toBe(id());
    expect(await ping(again.id())).toBe(200);
  });

  test("DELETE ends it: 404 after, and its GET stream ends", async () => {
    const { id } = await openSession(gateway.url, VERSION, PATH);
    const stream = await getStream(id());
    const deleted = await fetch(`${gateway.url}${PATH}`, {
      method: "DELETE",
      headers: { "mcp-session-id": id(), "mcp-protocol-version": VERSION },
    });
    expect(deleted.status).toBe(200);
    expect(await stream.ended).toBe(true);
    expect(await ping(id())).toBe(404);
    const twice = await fetch(`${gateway.url}${PATH}`, {
      method: "DELETE",
      headers: { "mcp-session-id": id() },
    });
    expect(twice.status).toBe(404);
  });
});
