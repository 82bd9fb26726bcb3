#!/usr/bin/env bun
/**
 * What observing costs: one call's hooks (µs) with the metrics/usage observer subscribed (vs with no
 * subscriber), rendering `/metrics` for many tools, and writing usage rows to SQLite.
 *
 *   bun bench/observe.ts [calls=20000]
 */
import { join } from "node:path";
import { createGatewayHooks } from "../src/hooks.ts";
import { createObserver } from "../src/observe/observer.ts";
import { openSqliteStore } from "../src/state/sqlite.ts";
import { createMemoryStore, type UsageRow } from "../src/state/store.ts";
import { printTable, summarize } from "./_stats.ts";

const CALLS = Number(process.argv[2] ?? 20_000);
const dir = (await import("node:fs")).mkdtempSync(join((await import("node:os")).tmpdir(), "obs-"));

/** ms per hook pair (before + after), awaited as the core's `void callHook` would settle. */
async function hookPairs(subscribe: boolean): Promise<number[]> {
  const hooks = createGatewayHooks();
  const pool = { statuses: () => [], breakerState: () => "closed" as const };
  const observer = subscribe
    ? createObserver({ hooks, pool, store: createMemoryStore(), flushMs: 60_000 })
    : undefined;
  const result = { content: [{ type: "text" as const, text: "ok" }] };
  const samples: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const call = { server: `s${i % 10}`, tool: `t${i % 50}`, caller: "local" };
    const started = performance.now();
    await hooks.callHook("tool:call:before", call);
    await hooks.callHook("tool:call:after", { ...call, durationMs: 3, result });
    samples.push(performance.now() - started);
  }
  observer?.close();
  return samples;
}

/** ms per `/metrics` render with `servers` × `tools` histogram series. */
function renders(servers: number, tools: number): number[] {
  const hooks = createGatewayHooks();
  const names = Array.from({ length: servers }, (_, i) => `server${i}`);
  const pool = {
    statuses: () =>
      names.map((name) => ({ name, transport: "stdio" as const, state: "ready" as const, tools })),
    breakerState: () => "closed" as const,
  };
  const observer = createObserver({ hooks, pool, store: createMemoryStore(), flushMs: 60_000 });
  for (const server of names) {
    for (let t = 0; t < tools; t++) {
      void hooks.callHook("tool:call:after", {
        server,
        tool: `tool_${t}`,
        caller: "local",
        durationMs: t,
        result: { content: [] },
      });
    }
  }
  const samples: number[] = [];
  for (let i = 0; i < 50; i++) {
    const started = performance.now();
    observer.metrics();
    samples.push(performance.now() - started);
  }
  observer.close();
  return samples;
}

/** ms per flush of `rows` usage rows to SQLite (one transaction). */
async function flushes(rows: number): Promise<number[]> {
  const store = await openSqliteStore(join(dir, "state.db"));
  const batch: UsageRow[] = Array.from({ length: rows }, (_, i) => ({
    server: `s${i % 20}`,
    tool: `t${i}`,
    caller: "local",
    calls: 1,
    errors: 0,
    totalMs: 2,
    lastAt: Date.now(),
  }));
  const samples: number[] = [];
  for (let i = 0; i < 30; i++) {
    const started = performance.now();
    store.addUsage(batch);
    samples.push(performance.now() - started);
  }
  store.close();
  return samples;
}

const rows: (string | number)[][] = [];
const add = (what: string, samples: number[]) => {
  const s = summarize(samples);
  rows.push([what, s.p50, s.p90, s.p99]);
};
const micro = (samples: number[]) => samples.map((ms) => ms * 1000);
add(`hook pair, no subscriber (µs, n=${CALLS})`, micro(await hookPairs(false)));
add(`hook pair, observer subscribed (µs, n=${CALLS})`, micro(await hookPairs(true)));
add("render /metrics, 20 backends x 50 tools (ms)", renders(20, 50));
add("render /metrics, 50 backends x 100 tools (ms)", renders(50, 100));
add("flush 1,000 usage rows to SQLite (ms)", await flushes(1000));
printTable(["what", "p50", "p90", "p99"], rows);
