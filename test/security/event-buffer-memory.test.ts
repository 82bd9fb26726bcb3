/**
 * Attack: pinning memory through resumability buffers. Every `/mcp` session keeps the SSE events
 * it was sent (up to 1 MiB) so that its client can resume with `Last-Event-ID`; a thousand
 * sessions that each fetch one large result would pin a gigabyte. `server.event_buffer_bytes`
 * caps the total across sessions, and the idlest sessions lose their oldest events first.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { RunningGateway } from "../../src/gateway/run.ts";
import { BUN, FIXTURE_SERVER, startGateway, waitFor } from "../helpers.ts";
import { initializeBody, MCP_HEADERS } from "./_helpers.ts";

setDefaultTimeout(30_000);

const BUDGET = 100_000;
const HEADERS = { ...MCP_HEADERS, "mcp-protocol-version": "2025-11-25" };

let running: RunningGateway & { url: string };

beforeAll(async () => {
  running = await startGateway(`
capabilities: { enabled: false }
server: { event_buffer_bytes: ${BUDGET} }
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
`);
  await waitFor(() => running.gateway.index.tools("fixture").length > 0);
});

afterAll(async () => {
  await running?.stop();
});

async function post(session: string, body: unknown): Promise<Response> {
  return fetch(`${running.url}/mcp`, {
    method: "POST",
    headers: { ...HEADERS, "mcp-session-id": session },
    body: JSON.stringify(body),
  });
}

async function open(): Promise<string> {
  const response = await fetch(`${running.url}/mcp`, {
    method: "POST",
    headers: HEADERS,
    body: initializeBody(),
  });
  await response.text();
  const session = response.headers.get("mcp-session-id")!;
  await (await post(session, { jsonrpc: "2.0", method: "notifications/initialized" })).text();
  return session;
}

/** The SSE events of a response, as `{ id, data }`. */
async function events(response: Response): Promise<{ id?: string; data: string }[]> {
  const text = await response.text();
  return text
    .split("\n\n")
    .filter((block) => block.trim())
    .map((block) => ({
      id: /^id: ?(.*)$/m.exec(block)?.[1],
      data: [...block.matchAll(/^data: ?(.*)$/gm)].map((m) => m[1]).join("\n"),
    }));
}

/** Calls `echo` with a message of `size` bytes; returns the id of the stream's first event. */
async function bigCall(session: string, size: number): Promise<string> {
  const response = await post(session, {
    jsonrpc: "2.0",
    id: 2,
    method: "tools/call",
    params: {
      name: "gateway_invoke",
      arguments: { server: "fixture", tool: "echo", arguments: { message: "x".repeat(size) } },
    },
  });
  const received = await events(response);
  expect(received.at(-1)!.data).toContain("xxxx");
  // The priming event (no data) comes first: resuming after it replays the result.
  const first = received[0]!;
  expect(first.data).toBe("");
  return first.id!;
}

/** Whether the session can still replay the result it was sent after `eventId`. */
async function canResume(session: string, eventId: string): Promise<boolean> {
  const controller = new AbortController();
  const response = await fetch(`${running.url}/mcp`, {
    method: "GET",
    headers: { ...HEADERS, "mcp-session-id": session, "last-event-id": eventId },
    signal: controller.signal,
  });
  expect(response.status).toBe(200);
  // The replay comes at once; the stream then stays open for new messages.
  const reader = response.body!.getReader();
  let text = "";
  const deadline = Date.now() + 500;
  while (Date.now() < deadline && !text.includes("xxxx")) {
    const chunk = await Promise.race([
      reader.read(),
      Bun.sleep(deadline - Date.now()).then(() => undefined),
    ]);
    if (!chunk || chunk.done) break;
    text += new TextDecoder().decode(chunk.value);
  }
  controller.abort();
  return text.includes("xxxx");
}

async function buffered(): Promise<{ bufferedBytes: number; maxBufferedBytes: number }> {
  const health = (await (await fetch(`${running.url}/health`)).json()) as {
    sessionLimits: { bufferedBytes: number; maxBufferedBytes: number };
  };
  return health.sessionLimits;
}

describe("resumability buffers across sessions", () => {
  test("hold at most server.event_buffer_bytes in all; the idlest session loses its events first", async () => {
    const sessions: string[] = [];
    const anchors: string[] = [];
    for (let i = 0; i < 3; i++) {
      sessions.push(await open());
      anchors.push(await bigCall(sessions[i]!, 25_000));
    }
    // All three fit: each can resume.
    for (let i = 0; i < 3; i++) expect(await canResume(sessions[i]!, anchors[i]!)).toBe(true);
    // The first session is used again; the second is now the idlest.
    await (await post(sessions[0]!, { jsonrpc: "2.0", id: 9, method: "ping" })).text();
    sessions.push(await open());
    anchors.push(await bigCall(sessions[3]!, 25_000));
    const { bufferedBytes, maxBufferedBytes } = await buffered();
    expect(maxBufferedBytes).toBe(BUDGET);
    expect(bufferedBytes).toBeLessThanOrEqual(BUDGET);
    expect(await canResume(sessions[1]!, anchors[1]!)).toBe(false);
    for (const i of [0, 2, 3]) expect(await canResume(sessions[i]!, anchors[i]!)).toBe(true);
  });

  test("many sessions with large results stay under the cap", async () => {
    for (let i = 0; i < 12; i++) await bigCall(await open(), 30_000);
    expect((await buffered()).bufferedBytes).toBeLessThanOrEqual(BUDGET);
  });

  test("a closed session's buffer leaves the total", async () => {
    const before = (await buffered()).bufferedBytes;
    const session = await open();
    await bigCall(session, 5_000);
    expect((await buffered()).bufferedBytes).toBeGreaterThan(before);
    const closed = await fetch(`${running.url}/mcp`, {
      method: "DELETE",
      headers: { ...HEADERS, "mcp-session-id": session },
    });
    expect(closed.status).toBe(200);
    await waitFor(async () => (await buffered()).bufferedBytes <= before);
  });
});
