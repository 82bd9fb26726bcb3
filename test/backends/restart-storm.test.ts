/**
 * A stdio backend that exits at start, with no cached tool list, hammered by several clients:
 * every start goes through the same backoff, parking and circuit breaker as a crash, so the
 * process is spawned a bounded number of times (not once per call), the backend shows when it
 * is tried again, calls fail with a clear error, and the failed calls show in the usage stats.
 */

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { UNKNOWN_TOOL } from "../../src/gateway/observed.ts";
import type { RunningGateway } from "../../src/gateway/run.ts";
import { type ConnectedClient, connectHttp, firstText, startGateway, tempDir } from "../helpers.ts";

setDefaultTimeout(30_000);

const CLIENTS = 5;
const HAMMER_MS = 3_000;

const open: { close(): Promise<void> | void }[] = [];

afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

/**
 * Starts a gateway whose one backend exits at once (logging each start to a file), and has
 * CLIENTS sessions call it in a loop for HAMMER_MS. Returns the error texts and the spawn count.
 */
async function hammer(failsafe: string) {
  const starts = join(tempDir("mcpgw-storm-"), "starts.log");
  const running = (await startGateway(`
capabilities: { enabled: false }
failsafe:
${failsafe}
backends:
  dead:
    command: sh
    args: ["-c", "echo started >> ${starts}; echo 'cannot open the database' >&2; exit 1"]
`)) as RunningGateway & { url: string };
  open.push({ close: () => running.stop() });
  const sessions: ConnectedClient[] = [];
  for (let i = 0; i < CLIENTS; i++) sessions.push(await connectHttp(running.url));
  open.push(...sessions);
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
  const spawns = existsSync(starts)
    ? readFileSync(starts, "utf8").split("\n").filter(Boolean).length
    : 0;
  const usage = (await (await fetch(`${running.url}/api/usage`)).json()).usage as {
    server: string;
    tool: string;
    calls: number;
    errors: number;
  }[];
  return {
    running,
    texts,
    spawns,
    // The backend never listed "query", so its calls share the unknown-tool label.
    usage: usage.find((u) => u.server === "dead" && u.tool === UNKNOWN_TOOL),
  };
}

describe("a backend that exits at start", () => {
  test("is spawned a bounded number of times; its breaker opens and says when it retries", async () => {
    const { running, texts, spawns, usage } = await hammer(
      "  restart: { initial_backoff: 100ms, max_backoff: 1s, crash_limit: 3, crash_window: 1m }",
    );
    // One start at gateway start, then at most a restart or two: never one per call.
    expect(texts.length).toBeGreaterThan(CLIENTS * 10);
    expect(spawns).toBeLessThanOrEqual(3);
    for (const text of texts) expect(text).toMatch(/^\[(BACKEND_UNAVAILABLE|CIRCUIT_OPEN)\]/);
    expect(texts.some((t) => t.includes("cannot open the database"))).toBe(true);
    expect(texts.at(-1)).toMatch(/^\[CIRCUIT_OPEN\] \[backend:dead\] .*retry in \d+s/);
    const health = await (await fetch(`${running.url}/health`)).json();
    expect(health.backends.dead.state).toBe("failed");
    expect(health.backends.dead.error).toMatch(/cannot open the database.*retry in \d+s/);
    // Every failed call is counted in the usage stats.
    expect(usage?.calls).toBe(texts.length);
    expect(usage?.errors).toBe(texts.length);
  });

  test("without a breaker, failed starts back off and park it with a retry time", async () => {
    const { running, texts, spawns, usage } = await hammer(
      "  circuit_breaker: { enabled: false }\n  restart: { initial_backoff: 100ms, max_backoff: 1s, crash_limit: 3, crash_window: 1m }",
    );
    expect(spawns).toBe(3);
    const status = running.gateway.pool.status("dead")!;
    expect(status.state).toBe("failed");
    expect(status.error).toMatch(/parked after 3 crashes in 1m; retry in \d+s/);
    expect(status.error).toContain("cannot open the database");
    expect(texts.at(-1)).toStartWith("[BACKEND_UNAVAILABLE] [backend:dead] parked after 3 crashes");
    expect(usage?.errors).toBe(texts.length);
  });
});
