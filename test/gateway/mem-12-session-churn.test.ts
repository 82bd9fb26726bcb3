/**
 * Sessions opened, used and closed leave nothing behind (issue #20): after a warm-up, the heap's
 * object counts of the kinds every session makes (its SDK server's handlers are async functions,
 * its requests keep `Request` and `Headers`) are back where they were, however many sessions came
 * and went. Counts after a full collection, not timings or RSS: one session kept by mistake holds
 * about 30 async functions and two `Request`s, so 60 kept show as 1,800 and 120.
 */
import { heapStats } from "bun:jsc";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import type { RunningGateway } from "../../src/gateway/run.ts";
import { BUN, FIXTURE_SERVER, startGateway, waitFor } from "../helpers.ts";

const WARM = 10;
const SESSIONS = 60;
/** Kinds a kept session adds to (per session: 30, 2, 2, 13, 9). */
const KINDS = ["AsyncFunction", "Request", "Headers", "Map", "Set"] as const;

let gateway: RunningGateway & { url: string };
/** Fixture processes with no session open: the shared backend's, and the one `isolated` lists with. */
let idle = 0;

beforeAll(async () => {
  gateway = await startGateway(
    `capabilities: { enabled: false }\ncache: { enabled: false }\nbackends:\n` +
      `  fixture:\n    command: ${BUN}\n    args: ["${FIXTURE_SERVER}"]\n` +
      `  isolated:\n    command: ${BUN}\n    args: ["${FIXTURE_SERVER}"]\n    isolation: session\n`,
  );
  await waitFor(() => gateway.gateway.index.tools("fixture").length > 0);
  await waitFor(() => gateway.gateway.index.tools("isolated").length > 0);
  idle = fixturesRunning();
});
afterAll(() => gateway.stop());

function counts(): Record<string, number> {
  Bun.gc(true);
  Bun.gc(true);
  const byType = heapStats().objectTypeCounts as Record<string, number>;
  return Object.fromEntries(KINDS.map((kind) => [kind, byType[kind] ?? 0]));
}

/** Our fixture servers running as this process's children (the gateway runs in process). */
function fixturesRunning(): number {
  let running = 0;
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (parent !== process.pid) continue;
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(FIXTURE_SERVER)) running++;
    } catch {}
  }
  return running;
}

/** What a closed session closes in the background (an isolated backend and its process). */
async function settled(): Promise<void> {
  await waitFor(() => fixturesRunning() <= idle, 30_000);
  await Bun.sleep(300);
}

/** `session()` run WARM times, then `sessions` times: the counts it left after each. */
async function churn(session: (i: number) => Promise<void>, sessions = SESSIONS) {
  for (let i = 0; i < WARM; i++) await session(i);
  await settled();
  const before = counts();
  for (let i = 0; i < sessions; i++) await session(WARM + i);
  await settled();
  const after = counts();
  const grown = Object.fromEntries(KINDS.map((kind) => [kind, after[kind]! - before[kind]!]));
  if (process.env.MEM12_DEBUG) console.log(grown);
  return { before, after, grown };
}

/** Under half of each kind per session: a session kept by mistake adds 2 to 30 of each. */
function expectNoneKept(grown: Record<string, number>, sessions = SESSIONS): void {
  for (const kind of KINDS)
    expect({ kind, grown: grown[kind]! < sessions / 2 }).toEqual({ kind, grown: true });
}

async function session(path: string, call: (client: Client) => Promise<unknown>, modern = false) {
  const client = new Client(
    { name: "churn", version: "1" },
    modern
      ? { capabilities: {}, versionNegotiation: { mode: { pin: "2026-07-28" } } }
      : { capabilities: {} },
  );
  const transport = new StreamableHTTPClientTransport(new URL(`${gateway.url}${path}`));
  await client.connect(transport);
  for (let i = 0; i < 2; i++) {
    const result = (await call(client)) as { isError?: boolean; content?: { text?: string }[] };
    expect(result.isError).toBeFalsy();
    expect(result.content?.[0]?.text).toContain("hi");
  }
  if (!modern) await transport.terminateSession();
  await client.close();
}

const invoke = (server: string) => (client: Client) =>
  client.callTool({
    name: "gateway_invoke",
    arguments: { server, tool: "echo", arguments: { message: "hi" } },
  });
const echo = (client: Client) => client.callTool({ name: "echo", arguments: { message: "hi" } });

describe("sessions opened, used and closed keep nothing", () => {
  test("/mcp: gateway_invoke, then DELETE", async () => {
    const { grown } = await churn(() => session("/mcp", invoke("fixture")));
    const health = (await fetch(`${gateway.url}/health`).then((r) => r.json())) as {
      sessions?: unknown;
    };
    expect(health.sessions).toBe(0);
    expectNoneKept(grown);
  }, 120_000);

  test("/mcp/{backend} passthrough, then DELETE", async () => {
    const { grown } = await churn(() => session("/mcp/fixture", echo));
    expectNoneKept(grown);
  }, 120_000);

  test("isolation: session: each session's own backend connection goes with it", async () => {
    // A backend process each: fewer sessions (the bound scales with them).
    const { grown } = await churn(() => session("/mcp", invoke("isolated")), 30);
    expectNoneKept(grown, 30);
  }, 240_000);

  test("2026-07-28 (stateless): a server per request, none kept", async () => {
    const { grown } = await churn(() => session("/mcp", invoke("fixture"), true));
    expectNoneKept(grown);
  }, 120_000);
});
