/**
 * An instance killed (-9, as the OOM killer does) right after it answered calls × the audit
 * log, usage stats and the day's spend. The audit rows waited in memory for up to a second
 * before they were written (usage and spend two), so a crash lost the calls made just before
 * it: for a security log, a way to hide the calls that brought the instance down; for a budget,
 * spend it starts the day from again without. Now each turn's rows are committed at its end (SQLite in WAL mode with
 * synchronous=NORMAL: durable when the process dies), and every answered call has its row.
 */

import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Subprocess, spawn } from "bun";
import { BUN, FIXTURE_SERVER, freePort, ROOT, tempDir, waitFor, writeConfig } from "../helpers.ts";
import { postModern } from "./_instances.ts";

setDefaultTimeout(60_000);

const state = tempDir();
let child: Subprocess | undefined;
let url = "";

beforeAll(async () => {
  mkdirSync(state, { recursive: true });
  const port = await freePort();
  const config = writeConfig(`
capabilities: { enabled: false }
cost_governance: { enabled: true, default_cost: 0.5 }
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
`);
  child = spawn(
    [BUN, join(ROOT, "src/main.ts"), "serve", "--config", config, "--port", `${port}`],
    { env: { ...process.env, XDG_STATE_HOME: state }, stdout: "ignore", stderr: "ignore" },
  );
  url = `http://127.0.0.1:${port}`;
  await waitFor(async () => {
    const health = await fetch(`${url}/health`)
      .then((response) => response.json() as Promise<{ backends?: Record<string, unknown> }>)
      .catch(() => undefined);
    return !!health?.backends?.fixture;
  }, 30_000);
});

afterAll(async () => {
  child?.kill("SIGKILL");
  await child?.exited;
});

describe("the audit log, usage and spend × a crash right after calls", () => {
  test("every call answered before kill -9 has its audit row, its usage and its spend", async () => {
    for (let i = 0; i < 5; i++) {
      const answer = await postModern(url, "/mcp/fixture", "", "tools/call", {
        name: "echo",
        arguments: { message: `audited ${i}` },
      });
      expect(JSON.stringify(answer.result)).toContain(`audited ${i}`);
    }
    // The turn that answered the last call ends as its answer leaves (a loaded machine may
    // hold the gateway back a moment; the old wait was a second).
    await Bun.sleep(200);
    child!.kill("SIGKILL");
    await child!.exited;
    const db = new Database(join(state, "mcp-gateway", "state.db"));
    try {
      const row = db
        .query("SELECT COUNT(*) AS n FROM audit WHERE kind = 'call' AND tool = 'echo'")
        .get() as { n: number };
      expect(row.n).toBe(5);
      // The usage stats and the day's spend (what budgets start from again) likewise.
      const usage = db
        .query("SELECT SUM(calls) AS n FROM call_stats WHERE tool = 'echo'")
        .get() as { n: number | null };
      expect(usage.n).toBe(5);
      const spend = db.query("SELECT SUM(cost) AS cost FROM spend WHERE tool = 'echo'").get() as {
        cost: number | null;
      };
      expect(spend.cost).toBe(2.5);
    } finally {
      db.close();
    }
  });
});
