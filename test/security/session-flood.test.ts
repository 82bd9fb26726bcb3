/**
 * Attack: a client (or anyone holding one key) opens `/mcp` sessions until the gateway runs out
 * of memory, each session holding a resumability buffer and maybe its own backend process.
 * `server.max_sessions_per_caller` and `server.max_sessions` cap them: past a cap the idlest
 * session goes (cleaned up as a DELETE would), and when every session in the way is busy the new
 * one is refused with 503. (`session_active_window: 0s` here, so that only a request in flight
 * protects a session; session-eviction-under-load.test.ts covers the idle window.)
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { RunningGateway } from "../../src/gateway/run.ts";
import { BUN, type ConnectedClient, FIXTURE_SERVER, startGateway, waitFor } from "../helpers.ts";
import { connectWithKey, initializeBody, MCP_HEADERS, meta } from "./_helpers.ts";

setDefaultTimeout(30_000);

let running: RunningGateway & { url: string };
const open: ConnectedClient[] = [];

beforeAll(async () => {
  running = await startGateway(`
capabilities: { enabled: false }
server: { max_sessions: 4, max_sessions_per_caller: 2, session_active_window: 0s }
auth:
  enabled: true
  api_keys:
    - { name: alice, key: alice-key-0123456789 }
    - { name: bob, key: bob-key-0123456789 }
    - { name: carol, key: carol-key-0123456789 }
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
  iso:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
    isolation: session
`);
  await waitFor(() => running.gateway.index.tools("fixture").length > 0);
  await waitFor(() => running.gateway.index.tools("iso").length > 0);
});

afterAll(async () => {
  await Promise.all(open.map((session) => session.close()));
  await running?.stop();
});

async function connect(key: string): Promise<ConnectedClient> {
  const session = await connectWithKey(running.url, key);
  open.push(session);
  return session;
}

/** Whether the session still answers; a closed one gets 404 from the gateway. */
async function alive(session: ConnectedClient): Promise<boolean> {
  try {
    await session.client.listTools();
    return true;
  } catch (error) {
    expect((error as { data?: { status?: number } }).data?.status ?? error).toBe(404);
    return false;
  }
}

async function health(): Promise<Record<string, unknown>> {
  const response = await fetch(`${running.url}/health`, {
    headers: { authorization: "Bearer alice-key-0123456789" },
  });
  return (await response.json()) as Record<string, unknown>;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("session caps", () => {
  test("past max_sessions_per_caller the caller's idlest session closes, others work", async () => {
    const first = await connect("alice-key-0123456789");
    const second = await connect("alice-key-0123456789");
    // The isolated backend gives `second` its own process: eviction must stop it.
    const pid = Number(
      (await meta(second.client, "gateway_invoke", { server: "iso", tool: "pid" })).text,
    );
    expect(processAlive(pid)).toBe(true);
    await first.client.listTools(); // `second` is now the idlest of alice's
    const third = await connect("alice-key-0123456789");
    expect(await alive(second)).toBe(false);
    expect(await alive(first)).toBe(true);
    expect(await alive(third)).toBe(true);
    await waitFor(() => !processAlive(pid));
    expect(await health()).toMatchObject({
      sessions: 2,
      sessionLimits: { max: 4, maxPerCaller: 2, evicted: 1, refused: 0 },
    });
  });

  test("past max_sessions the idlest session of anyone closes", async () => {
    // alice has two (the first used before the third was opened); bob adds two more.
    const bob1 = await connect("bob-key-0123456789");
    const bob2 = await connect("bob-key-0123456789");
    expect((await health()).sessions).toBe(4);
    const [aliceFirst, , aliceThird] = open;
    await aliceThird!.client.listTools();
    await bob1.client.listTools();
    await bob2.client.listTools();
    // aliceFirst is now the idlest of all: carol's first session takes its place.
    const carol = await connect("carol-key-0123456789");
    expect(await alive(aliceFirst!)).toBe(false);
    for (const session of [aliceThird!, bob1, bob2, carol]) expect(await alive(session)).toBe(true);
    expect((await health()).sessions).toBe(4);
  });

  test("a request without a session that is not initialize evicts nothing", async () => {
    const before = (await health()).sessionLimits as { evicted: number };
    const response = await fetch(`${running.url}/mcp`, {
      method: "POST",
      headers: { ...MCP_HEADERS, authorization: "Bearer bob-key-0123456789" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(response.status).toBe(400);
    expect(((await health()).sessionLimits as { evicted: number }).evicted).toBe(before.evicted);
  });

  test("when every session in the way has a request in flight, initialize gets 503", async () => {
    // bob holds two sessions (his cap); both start a call that waits until cancelled.
    const bobs = open.slice(3, 5);
    const calls = bobs.map((session) => {
      const controller = new AbortController();
      const call = session.client
        .callTool(
          { name: "gateway_invoke", arguments: { server: "fixture", tool: "wait" } },
          { signal: controller.signal },
        )
        .catch(() => undefined);
      return { controller, call };
    });
    await waitFor(() => running.gateway.busy() === 2);
    const refused = await fetch(`${running.url}/mcp`, {
      method: "POST",
      headers: { ...MCP_HEADERS, authorization: "Bearer bob-key-0123456789" },
      body: initializeBody(7),
    });
    expect(refused.status).toBe(503);
    const body = (await refused.json()) as { id: unknown; error: { message: string } };
    expect(body.id).toBe(7);
    expect(body.error.message).toContain("raise server.max_sessions_per_caller");
    expect(((await health()).sessionLimits as { refused: number }).refused).toBe(1);
    for (const session of bobs) expect(await alive(session)).toBe(true);

    // A cancelled call is no longer in flight: that session may go again.
    calls[0]!.controller.abort();
    await calls[0]!.call;
    await waitFor(() => running.gateway.busy() === 1);
    const fresh = await fetch(`${running.url}/mcp`, {
      method: "POST",
      headers: { ...MCP_HEADERS, authorization: "Bearer bob-key-0123456789" },
      body: initializeBody(8),
    });
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get("mcp-session-id")).toBeTruthy();
    expect(await alive(bobs[0]!)).toBe(false);
    expect(await alive(bobs[1]!)).toBe(true);
    calls[1]!.controller.abort();
    await calls[1]!.call;
    await waitFor(() => running.gateway.busy() === 0);
  });
});
