/**
 * Attack (or just a busy laptop): with auth off every local client is the same caller, so more
 * local clients than `server.max_sessions_per_caller` (or one client that leaks sessions) used
 * to evict sessions that were working, and SDK clients do not re-initialize after "Session not
 * found". Now an active session (a request in flight, or used within `server.session_active_window`)
 * is never closed to make room: idle ones go first, and when none is idle the new session is
 * refused with an error naming the setting. Local clients are told apart by name and address.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import type { RunningGateway } from "../../src/gateway/run.ts";
import { BUN, FIXTURE_SERVER, startGateway, waitFor } from "../helpers.ts";

setDefaultTimeout(60_000);

const CAP = 6;
const IDLE_AFTER_MS = 1000;

let running: RunningGateway & { url: string };
const clients: Client[] = [];

beforeAll(async () => {
  running = await startGateway(`
capabilities: { enabled: false }
server: { max_sessions_per_caller: ${CAP}, session_active_window: ${IDLE_AFTER_MS}ms }
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
`);
  await waitFor(() => running.gateway.index.tools("fixture").length > 0);
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close().catch(() => {})));
  await running?.stop();
});

async function connect(name: string): Promise<Client> {
  const client = new Client({ name, version: "1.0.0" }, { capabilities: {} });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${running.url}/mcp`)));
  clients.push(client);
  return client;
}

/** A client calling a tool over and over, as an agent at work does, recording what failed. */
function keepCalling(client: Client) {
  const errors: string[] = [];
  let calls = 0;
  let running = true;
  const done = (async () => {
    while (running) {
      try {
        await client.callTool({
          name: "gateway_invoke",
          arguments: { server: "fixture", tool: "echo", arguments: { message: `call ${calls}` } },
        });
        calls++;
      } catch (error) {
        errors.push(error instanceof Error ? error.message : String(error));
      }
      await Bun.sleep(10);
    }
  })();
  return {
    errors,
    calls: () => calls,
    async stop() {
      running = false;
      await done;
    },
  };
}

async function limits(): Promise<{ evicted: number; refused: number }> {
  const health = (await (await fetch(`${running.url}/health`)).json()) as {
    sessionLimits: { evicted: number; refused: number };
  };
  return health.sessionLimits;
}

describe("more local clients than max_sessions_per_caller, all at work", () => {
  test("none is evicted; the next one is refused, naming the setting; idle ones go first", async () => {
    const busy = await Promise.all(Array.from({ length: CAP }, () => connect("busy-agent")));
    const loops = busy.map(keepCalling);
    await waitFor(() => loops.every((loop) => loop.calls() >= 3));

    // One more of the same client: every session in the way is active, so it is refused.
    const refused = await connect("busy-agent").then(
      () => "connected",
      (error: Error) => error.message,
    );
    expect(refused).toContain("server.max_sessions_per_caller");
    expect((await limits()).refused).toBe(1);

    // Another local client (another name) has its own cap: it connects and works.
    const other = await connect("other-agent");
    await other.callTool({
      name: "gateway_invoke",
      arguments: { server: "fixture", tool: "echo", arguments: { message: "hi" } },
    });

    // One agent stops working; once idle past session_active_window, its session makes room.
    await loops[0]!.stop();
    const callsBefore = loops.slice(1).map((loop) => loop.calls());
    await Bun.sleep(IDLE_AFTER_MS + 300);
    const fresh = await connect("busy-agent");
    const freshLoop = keepCalling(fresh);
    await waitFor(() => freshLoop.calls() >= 3);
    expect((await limits()).evicted).toBe(1);
    const stale = await busy[0]!.listTools().then(
      () => "alive",
      (error: Error) => error.message,
    );
    expect(stale).toContain("Session not found");

    // The working agents kept working the whole time: not one failed call.
    for (const [index, loop] of loops.slice(1).entries()) {
      expect(loop.calls()).toBeGreaterThan(callsBefore[index]!);
    }
    await Promise.all([...loops, freshLoop].map((loop) => loop.stop()));
    for (const loop of [...loops, freshLoop]) expect(loop.errors).toEqual([]);
  });
});
