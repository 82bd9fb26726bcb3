/**
 * A stdio backend that exits at start, with no cached tool list, hammered by several clients:
 * every start goes through the same backoff and parking as a crash, so the process is spawned a
 * bounded number of times (not once per call), the backend is parked with a retry time, calls
 * fail with a clear error, and the failed calls show in the usage stats.
 */
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { RunningGateway } from "../../src/gateway/run.ts";
import { type ConnectedClient, connectHttp, firstText, startGateway, tempDir } from "../helpers.ts";

setDefaultTimeout(30_000);

const CLIENTS = 5;
const HAMMER_MS = 3_000;

const dir = tempDir("mcpgw-storm-");
const starts = join(dir, "starts.log");
let running: RunningGateway & { url: string };
const sessions: ConnectedClient[] = [];

afterAll(async () => {
  for (const session of sessions) await session.close();
  await running?.stop();
});

function spawns(): number {
  return existsSync(starts) ? readFileSync(starts, "utf8").split("\n").filter(Boolean).length : 0;
}

describe("a backend that exits at start", () => {
  test("is spawned a bounded number of times, then parked with a retry time", async () => {
    running = await startGateway(`
capabilities: { enabled: false }
failsafe:
  restart: { initial_backoff: 100ms, max_backoff: 1s, crash_limit: 3, crash_window: 1m }
backends:
  dead:
    command: sh
    args: ["-c", "echo started >> ${starts}; echo 'cannot open the database' >&2; exit 1"]
`);
    for (let i = 0; i < CLIENTS; i++) sessions.push(await connectHttp(running.url));
    const texts: string[] = [];
    const until = Date.now() + HAMMER_MS;
    await Promise.all(
      sessions.map(async ({ client }) => {
        while (Date.now() < until) {
          const result = await client.callTool({
            name: "gateway_invoke",
            arguments: { server: "dead", tool: "query", arguments: {} },
          });
          expect(result.isError).toBe(true);
          texts.push(firstText(result));
        }
      }),
    );
    // One start at gateway start, then restarts with backoff until parked: never one per call.
    expect(texts.length).toBeGreaterThan(CLIENTS);
    expect(spawns()).toBeLessThanOrEqual(3);
    const status = running.gateway.pool.status("dead")!;
    expect(status.state).toBe("failed");
    expect(status.error).toMatch(/parked after 3 crashes in 1m; retry in \d+s/);
    expect(status.error).toContain("cannot open the database");
    const last = texts.at(-1)!;
    expect(last).toStartWith("[BACKEND_UNAVAILABLE] [backend:dead] parked after 3 crashes");
    const health = await (await fetch(`${running.url}/health`)).json();
    expect(health.backends.dead.state).toBe("failed");
    // Every failed call is counted in the usage stats.
    const usage = (await (await fetch(`${running.url}/api/usage`)).json()).usage as {
      server: string;
      tool: string;
      calls: number;
      errors: number;
    }[];
    const row = usage.find((u) => u.server === "dead" && u.tool === "query");
    expect(row?.calls).toBe(texts.length);
    expect(row?.errors).toBe(texts.length);
  });
});
