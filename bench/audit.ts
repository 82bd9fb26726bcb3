#!/usr/bin/env bun
/**
 * The audit log at scale: a generated table of N rows (default 10 million, 30 days of traffic,
 * 50 callers, 400 tools) in the real schema, then the dashboard's queries timed, then retention
 * pruning it to a size limit.
 *
 *   bun bench/audit.ts [rows=10000000] [max_size_mb=500]
 */
import { Database } from "bun:sqlite";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSqliteAudit, usedBytes } from "../src/state/sqlite-audit.ts";
import { printTable, summarize } from "./_stats.ts";

const ROWS = Number(process.argv[2] ?? 10_000_000);
const MAX_MB = Number(process.argv[3] ?? 500);
const file = join(mkdtempSync(join(tmpdir(), "bench-audit-")), "state.db");
const db = new Database(file, { create: true });
db.exec("PRAGMA journal_mode = WAL");
// The real schema; its indexes are built after the rows go in (faster than row by row).
createSqliteAudit(db);
for (const index of ["audit_at", "audit_caller", "audit_tool", "audit_kind"]) {
  db.exec(`DROP INDEX ${index}`);
}
const now = Date.now();
const span = 30 * 86_400_000;

let started = performance.now();
// Generated in SQL (a recursive sequence), in time order as the gateway appends them.
db.exec(`INSERT INTO audit (at, kind, caller, session, server, tool, args_hash, outcome, code, latency_ms, bytes, cost)
  WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < ${ROWS - 1})
  SELECT ${now - span} + n * ${span / ROWS}, CASE WHEN n % 500 = 0 THEN 'refusal' ELSE 'call' END,
    'key:agent' || (n * 7 % 50), 'session-' || (n / 40), 'server' || (n % 12), 'tool_' || (n * 13 % 400),
    printf('%016x', n * 2654435761 % 4294967296), CASE WHEN n % 20 = 0 THEN 'error' ELSE 'ok' END,
    CASE WHEN n % 20 = 0 THEN 'TOOL_ERROR' END, (n % 997) / 10.0, 200 + n % 5000, 0.001
  FROM seq`);
// The hourly sums the gateway keeps beside the rows as it appends them.
db.exec(`INSERT INTO audit_hourly (bucket, caller, server, tool, calls, errors, total_ms, max_ms, cost)
  SELECT at / 3600000, caller, server, tool, count(*), sum(outcome != 'ok'), total(latency_ms),
    max(latency_ms), total(cost)
  FROM audit WHERE kind = 'call' GROUP BY at / 3600000, caller, server, tool`);
db.exec(`INSERT INTO audit_daily (bucket, caller, server, tool, calls, errors, total_ms, max_ms, cost)
  SELECT at / 86400000, caller, server, tool, count(*), sum(outcome != 'ok'), total(latency_ms),
    max(latency_ms), total(cost)
  FROM audit WHERE kind = 'call' GROUP BY at / 86400000, caller, server, tool`);
const audit = createSqliteAudit(db);
const generated = (performance.now() - started) / 1000;
const bytesBefore = usedBytes(db);

function time(run: () => unknown, times = 20): number {
  run();
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    run();
    samples.push(performance.now() - t);
  }
  return summarize(samples).p50;
}

const rows: (string | number)[][] = [
  ["default view: newest 100", time(() => audit.queryAudit({ limit: 100 }))],
  ["filtered by caller", time(() => audit.queryAudit({ caller: "agent7", limit: 100 }))],
  ["filtered by tool", time(() => audit.queryAudit({ tool: "tool_42", limit: 100 }))],
  [
    "caller and server:tool",
    time(() => audit.queryAudit({ caller: "agent7", tool: "server1:tool_1", limit: 100 })),
  ],
  ["last 24h", time(() => audit.queryAudit({ since: now - 86_400_000, limit: 100 }))],
  ["next page (before id)", time(() => audit.queryAudit({ before: ROWS / 2, limit: 100 }))],
  ["usage summary, 24h (hourly sums)", time(() => audit.summarizeAudit(now - 86_400_000), 5)],
  ["usage summary, 30d (daily sums)", time(() => audit.summarizeAudit(now - span), 3)],
  [
    "searches that found nothing, 24h",
    time(() => audit.queryAudit({ since: now - 86_400_000, kind: "search", code: "NO_MATCH" }), 5),
  ],
];
console.log(
  `\naudit table of ${ROWS.toLocaleString()} rows (generated in ${generated.toFixed(1)} s, ${(bytesBefore / 1e6).toFixed(0)} MB)\n`,
);
printTable(["query", "p50 ms"], rows);

started = performance.now();
let deleted = 0;
let worst = 0;
for (;;) {
  const t = performance.now();
  const step = audit.pruneAudit({ maxBytes: MAX_MB * 1e6, limit: 250 });
  worst = Math.max(worst, performance.now() - t);
  if (!step) break;
  deleted += step;
}
const pruned = (performance.now() - started) / 1000;
console.log(
  `\nretention to ${MAX_MB} MB: ${deleted.toLocaleString()} rows deleted in ${pruned.toFixed(1)} s (steps of 250 rows as the gateway runs them, the longest ${worst.toFixed(1)} ms); pages in use ${(usedBytes(db) / 1e6).toFixed(0)} MB (file ${(statSync(file).size / 1e6).toFixed(0)} MB, freed pages are reused)`,
);
started = performance.now();
audit.addAudit(
  Array.from({ length: 100_000 }, (_, i) => ({
    at: now + i,
    kind: "call" as const,
    caller: "key:new",
    server: "server1",
    tool: "tool_1",
    outcome: "ok" as const,
    latencyMs: 1,
    bytes: 300,
  })),
);
const size = statSync(file).size;
console.log(
  `100,000 new rows after pruning: file ${(size / 1e6).toFixed(0)} MB (written in ${((performance.now() - started) / 1000).toFixed(2)} s)`,
);
db.close();
