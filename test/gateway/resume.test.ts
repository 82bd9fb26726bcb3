import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { BUN, FIXTURE_SERVER, startGateway, waitFor } from "../helpers.ts";

let gateway: Awaited<ReturnType<typeof startGateway>>;

beforeAll(async () => {
  gateway = await startGateway(`
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

const HEADERS = {
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
  "mcp-protocol-version": "2025-11-25",
};

async function initialize(): Promise<string> {
  const response = await fetch(`${gateway.url}/mcp`, {
    method: "POST",
    headers: HEADERS,
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 0,
      method: "initialize",
      params: {
        protocolVersion: "2025-11-25",
        capabilities: {},
        clientInfo: { name: "raw", version: "1" },
      },
    }),
  });
  const id = response.headers.get("mcp-session-id")!;
  await response.text();
  await fetch(`${gateway.url}/mcp`, {
    method: "POST",
    headers: { ...HEADERS, "mcp-session-id": id },
    body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
  });
  return id;
}

/** Reads SSE events (id + data) from a stream until `stop` says so. */
async function readEvents(
  body: ReadableStream<Uint8Array>,
  stop: (events: { id?: string; data: string }[]) => boolean,
): Promise<{ id?: string; data: string }[]> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const events: { id?: string; data: string }[] = [];
  let buffer = "";
  while (!stop(events)) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let split = buffer.indexOf("\n\n");
    while (split >= 0) {
      const block = buffer.slice(0, split);
      buffer = buffer.slice(split + 2);
      const id = /^id: ?(.*)$/m.exec(block)?.[1];
      const data = [...block.matchAll(/^data: ?(.*)$/gm)].map((m) => m[1]).join("\n");
      events.push({ id, data });
      split = buffer.indexOf("\n\n");
    }
  }
  await reader.cancel().catch(() => {});
  return events;
}

describe("sessions", () => {
  test("a client that lost its stream resumes with Last-Event-ID and gets the rest", async () => {
    const session = await initialize();
    const call = await fetch(`${gateway.url}/mcp`, {
      method: "POST",
      headers: { ...HEADERS, "mcp-session-id": session },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 7,
        method: "tools/call",
        params: {
          name: "gateway_invoke",
          arguments: { server: "fixture", tool: "slow", arguments: { steps: 4, delayMs: 150 } },
          _meta: { progressToken: "p1" },
        },
      }),
    });
    // Read until the first progress event, then drop the connection.
    const first = await readEvents(call.body!, (events) =>
      events.some((e) => e.data.includes("progress")),
    );
    const last = first.filter((e) => e.id).at(-1)!.id!;
    const resumed = await fetch(`${gateway.url}/mcp`, {
      method: "GET",
      headers: { ...HEADERS, "mcp-session-id": session, "last-event-id": last },
    });
    expect(resumed.status).toBe(200);
    const rest = await readEvents(resumed.body!, (events) =>
      events.some((e) => e.data.includes('"id":7')),
    );
    const texts = rest.map((e) => e.data).join("\n");
    expect(texts).toContain("done 4");
    expect(texts).toContain('"progress":4');
  });

  test("DELETE ends a session; its id is then unknown (404)", async () => {
    const session = await initialize();
    const deleted = await fetch(`${gateway.url}/mcp`, {
      method: "DELETE",
      headers: { ...HEADERS, "mcp-session-id": session },
    });
    expect(deleted.status).toBe(200);
    const after = await fetch(`${gateway.url}/mcp`, {
      method: "POST",
      headers: { ...HEADERS, "mcp-session-id": session },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(after.status).toBe(404);
  });

  test("a foreign Origin or Host is refused (DNS-rebinding protection)", async () => {
    const origin = await fetch(`${gateway.url}/mcp`, {
      method: "POST",
      headers: { ...HEADERS, origin: "http://evil.example.com" },
      body: "{}",
    });
    expect(origin.status).toBe(403);
    const host = await fetch(`${gateway.url}/health`, { headers: { host: "evil.example.com" } });
    expect(host.status).toBe(403);
    const local = await fetch(`${gateway.url}/health`, {
      headers: { origin: `http://localhost:${new URL(gateway.url).port}` },
    });
    expect(local.status).toBe(200);
  });

  test("malformed JSON gets a JSON-RPC parse error and the gateway keeps serving", async () => {
    const response = await fetch(`${gateway.url}/mcp`, {
      method: "POST",
      headers: HEADERS,
      body: "{oops",
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: number } }).error.code).toBe(-32700);
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
  });
});
