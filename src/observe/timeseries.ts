import type { GatewayHookable } from "../hooks.ts";
import type { AuditRow } from "../state/store.ts";

/** The windows the dashboard charts: the last hour by minute, the last day by quarter hour. */
export const SERIES_WINDOWS = {
  "1h": { spanMs: 3_600_000, bucketMs: 60_000 },
  "24h": { spanMs: 86_400_000, bucketMs: 900_000 },
} as const;
export type SeriesWindow = keyof typeof SERIES_WINDOWS;

/** One time bucket of one backend: calls, errors and latency percentiles (ms). */
export interface SeriesPoint {
  /** The bucket's start, epoch ms. */
  at: number;
  calls: number;
  errors: number;
  p50: number;
  p99: number;
}

export interface BackendSeries {
  server: string;
  calls: number;
  errors: number;
  points: SeriesPoint[];
}

export interface SeriesAnswer {
  window: SeriesWindow;
  bucketMs: number;
  /** The first bucket's start; buckets run to now. */
  from: number;
  /** Calls are known from here on: the gateway's start, or a day back when the audit log is on. */
  since: number;
  backends: BackendSeries[];
}

export interface CallSeriesOptions {
  hooks: GatewayHookable;
  /**
   * Earlier calls (the audit log), newest first, a page of rows older than `before` (an id) at a
   * time; read once, at the first question, so charts survive a restart.
   */
  history?: (since: number, before?: number) => HistoryRow[];
  now?: () => number;
}

type HistoryRow = Pick<AuditRow, "at" | "kind" | "caller" | "server" | "outcome" | "latencyMs"> & {
  id: number;
};

/** Calls per backend over time, by caller: what `/ui` charts. */
export interface CallSeries {
  /** `caller`: only that caller's calls (a non-admin); `allow`: backends the asker may see. */
  answer(
    window: SeriesWindow,
    caller?: string,
    allow?: (server: string) => boolean,
  ): Promise<SeriesAnswer>;
  close(): void;
}

/**
 * Latency bins: log-spaced from 0.1 ms by a factor of 1.2 (≈9% wide), up to ~30 minutes. A
 * percentile is read as its bin's geometric middle: within 10%, in a fixed 90 counters per cell.
 */
const BIN_BASE = 0.1;
const BIN_RATIO = 1.2;
const BINS = 90;
const LOG_RATIO = Math.log(BIN_RATIO);
/** Cells (backend × caller) one bucket keeps; past it, callers are pooled as `(others)`. */
const MAX_CELLS = 2000;
const FOLD_MS = 1000;
/** Calls waiting to be folded, at most: past it they are folded at once. */
const MAX_PENDING = 10_000;
/** Audit rows read back at most, a page at a time with a pause between pages for other work. */
const HISTORY_ROWS = 200_000;
const HISTORY_PAGE = 5000;

interface Cell {
  calls: number;
  errors: number;
  bins: Uint32Array;
}

interface Sample {
  at: number;
  server: string;
  caller: string;
  ms: number;
  failed: boolean;
}

/**
 * Time-bucketed call counts and latency histograms kept in memory. The call hook only appends
 * to a list; folding into buckets runs on a timer or when asked, never on the call path.
 */
export function createCallSeries(options: CallSeriesOptions): CallSeries {
  const now = options.now ?? Date.now;
  const startedAt = now();
  const buckets = {
    "1h": new Map<number, Map<string, Cell>>(),
    "24h": new Map<number, Map<string, Cell>>(),
  } satisfies Record<SeriesWindow, Map<number, Map<string, Cell>>>;
  let pending: Sample[] = [];
  let history: Promise<number> | undefined;

  function add(sample: Sample): void {
    for (const window of Object.keys(buckets) as SeriesWindow[]) {
      const { bucketMs, spanMs } = SERIES_WINDOWS[window];
      if (sample.at < now() - spanMs - bucketMs) continue;
      const key = Math.floor(sample.at / bucketMs);
      const cells = buckets[window].get(key) ?? new Map<string, Cell>();
      buckets[window].set(key, cells);
      let id = `${sample.server}\u0000${sample.caller}`;
      if (!cells.has(id) && cells.size >= MAX_CELLS) id = `${sample.server}\u0000(others)`;
      const cell = cells.get(id) ?? { calls: 0, errors: 0, bins: new Uint32Array(BINS) };
      cells.set(id, cell);
      cell.calls++;
      if (sample.failed) cell.errors++;
      cell.bins[binOf(sample.ms)]!++;
    }
  }

  function fold(): void {
    const batch = pending;
    pending = [];
    for (const sample of batch) add(sample);
    for (const window of Object.keys(buckets) as SeriesWindow[]) {
      const { bucketMs, spanMs } = SERIES_WINDOWS[window];
      const oldest = Math.floor((now() - spanMs) / bucketMs);
      for (const key of buckets[window].keys()) if (key < oldest) buckets[window].delete(key);
    }
  }

  /**
   * Calls from before this run: the audit log's rows of the last day, read in pages so that calls
   * in between are not held up. Answers when the calls are known from (a day back, or the start).
   */
  async function loadHistory(): Promise<number> {
    const read = options.history;
    if (!read) return startedAt;
    const since = now() - SERIES_WINDOWS["24h"].spanMs;
    let before: number | undefined;
    let oldest = since;
    for (let loaded = 0; loaded < HISTORY_ROWS; loaded += HISTORY_PAGE) {
      const rows = read(since, before);
      for (const row of rows) {
        if (row.kind !== "call" || row.at >= startedAt || !row.server) continue;
        add({
          at: row.at,
          server: row.server,
          caller: row.caller,
          ms: row.latencyMs ?? 0,
          failed: row.outcome !== "ok",
        });
      }
      if (rows.length < HISTORY_PAGE) return since;
      before = rows.at(-1)!.id;
      oldest = rows.at(-1)!.at;
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    // More calls in a day than are read back: the charts know them from the oldest row read.
    return oldest;
  }

  const unhook = options.hooks.hook("tool:call:after", (call) => {
    pending.push({
      at: now(),
      server: call.server,
      caller: call.caller,
      ms: call.durationMs,
      failed: call.error !== undefined || !!call.result?.isError,
    });
    if (pending.length >= MAX_PENDING) queueMicrotask(fold);
  });
  const timer = setInterval(fold, FOLD_MS);
  timer.unref?.();

  return {
    async answer(window, caller, allow = () => true) {
      history ??= loadHistory();
      const since = await history;
      fold();
      const { bucketMs, spanMs } = SERIES_WINDOWS[window];
      const last = Math.floor(now() / bucketMs);
      const first = last - Math.round(spanMs / bucketMs) + 1;
      const servers = new Map<string, Map<number, Cell>>();
      for (const [key, cells] of buckets[window]) {
        if (key < first) continue;
        for (const [id, cell] of cells) {
          const [server, who] = id.split("\u0000") as [string, string];
          if ((caller && who !== caller) || !allow(server)) continue;
          const series = servers.get(server) ?? new Map<number, Cell>();
          servers.set(server, series);
          const sum = series.get(key) ?? { calls: 0, errors: 0, bins: new Uint32Array(BINS) };
          series.set(key, sum);
          sum.calls += cell.calls;
          sum.errors += cell.errors;
          for (let i = 0; i < BINS; i++) sum.bins[i]! += cell.bins[i]!;
        }
      }
      const backends = [...servers]
        .map(([server, series]): BackendSeries => {
          const points: SeriesPoint[] = [];
          for (let key = first; key <= last; key++) {
            const cell = series.get(key);
            points.push({
              at: key * bucketMs,
              calls: cell?.calls ?? 0,
              errors: cell?.errors ?? 0,
              p50: cell ? percentile(cell.bins, cell.calls, 0.5) : 0,
              p99: cell ? percentile(cell.bins, cell.calls, 0.99) : 0,
            });
          }
          return {
            server,
            calls: points.reduce((sum, point) => sum + point.calls, 0),
            errors: points.reduce((sum, point) => sum + point.errors, 0),
            points,
          };
        })
        .sort((a, b) => b.calls - a.calls || a.server.localeCompare(b.server));
      return { window, bucketMs, from: first * bucketMs, since, backends };
    },
    close() {
      unhook();
      clearInterval(timer);
    },
  };
}

function binOf(ms: number): number {
  if (!(ms > BIN_BASE)) return 0;
  return Math.min(BINS - 1, Math.floor(Math.log(ms / BIN_BASE) / LOG_RATIO));
}

/** The `share` percentile of a histogram, as its bin's geometric middle (ms, 2 significant digits). */
function percentile(bins: Uint32Array, count: number, share: number): number {
  const rank = Math.max(1, Math.ceil(count * share));
  let seen = 0;
  for (let i = 0; i < BINS; i++) {
    seen += bins[i]!;
    if (seen >= rank) {
      const middle = BIN_BASE * BIN_RATIO ** (i + 0.5);
      return Number(middle.toPrecision(2));
    }
  }
  return 0;
}

/** Audit rows of calls since `since`, a page older than `before` at a time, for `history`. */
export function auditHistory(
  query: (q: { since: number; kind: "call"; before?: number; limit: number }) => HistoryRow[],
): (since: number, before?: number) => HistoryRow[] {
  return (since, before) => query({ since, kind: "call", before, limit: HISTORY_PAGE });
}
