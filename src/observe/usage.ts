import { logger } from "../logger.ts";
import { mergeUsage, type StateStore, type UsageRow } from "../state/store.ts";
import { ORIGINAL_CALLER } from "./original-usage.ts";

/** One tool's usage over every caller, as the dashboard and `/api/usage` show it. */
export interface ToolUsage {
  server: string;
  tool: string;
  calls: number;
  errors: number;
  /** Mean duration in ms. */
  meanMs: number;
  lastAt: number;
  lastError?: string;
  /** Callers by number of calls, most first. */
  callers: { caller: string; calls: number }[];
}

/**
 * Usage counts kept in memory and written to the state store in batches (each turn's at its end,
 * so a crash right after a call loses none; failed writes again every `flushMs`; at close), so
 * a call never waits on the disk. Counts from earlier runs are read once at start.
 */
export class UsageStats {
  private readonly totals = new Map<string, UsageRow>();
  private pending = new Map<string, UsageRow>();
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly store: StateStore,
    flushMs = 2000,
  ) {
    for (const row of store.loadUsage()) this.totals.set(keyOf(row), row);
    this.timer = setInterval(() => this.flush(), flushMs);
    this.timer.unref?.();
  }

  record(row: UsageRow): void {
    const key = keyOf(row);
    this.totals.set(key, mergeUsage(this.totals.get(key), row));
    this.pending.set(key, mergeUsage(this.pending.get(key), row));
    // Written at the end of this turn: a crash right after the call loses none of it.
    this.soon ??= setTimeout(() => this.flush(), 0);
  }

  private soon?: ReturnType<typeof setTimeout>;

  /**
   * Calls of `server:tool` by `caller` that neither threw nor returned `isError`, and the
   * original gateway's count of its calls (imported; it counted every client's as one).
   */
  successes(caller: string, server: string, tool: string): number {
    let total = 0;
    for (const who of caller === ORIGINAL_CALLER ? [caller] : [caller, ORIGINAL_CALLER]) {
      const row = this.totals.get(keyOf({ caller: who, server, tool }));
      if (row) total += row.calls - row.errors;
    }
    return total;
  }

  /** Writes what was recorded since the last flush. A failed write is kept for the next one. */
  flush(): void {
    clearTimeout(this.soon);
    this.soon = undefined;
    if (!this.pending.size) return;
    const rows = [...this.pending.values()];
    this.pending = new Map();
    try {
      this.store.addUsage(rows);
    } catch (error) {
      logger.withTag("usage").warn(`cannot save usage stats: ${(error as Error).message}`);
      for (const row of rows)
        this.pending.set(keyOf(row), mergeUsage(this.pending.get(keyOf(row)), row));
    }
  }

  /** Per tool, summed over callers; `allow` filters what one caller may see. */
  byTool(allow: (server: string, tool: string) => boolean = () => true): ToolUsage[] {
    // The original gateway's imported counts have no durations: the mean is over timed calls.
    const tools = new Map<string, ToolUsage & { totalMs: number; timed: number }>();
    for (const row of this.totals.values()) {
      if (!allow(row.server, row.tool)) continue;
      const key = `${row.server}\u0000${row.tool}`;
      const entry = tools.get(key) ?? {
        server: row.server,
        tool: row.tool,
        calls: 0,
        errors: 0,
        meanMs: 0,
        totalMs: 0,
        timed: 0,
        lastAt: 0,
        callers: [],
      };
      entry.calls += row.calls;
      if (row.caller !== ORIGINAL_CALLER) entry.timed += row.calls;
      entry.errors += row.errors;
      entry.totalMs += row.totalMs;
      if (row.lastAt >= entry.lastAt) {
        entry.lastAt = row.lastAt;
        if (row.lastError) entry.lastError = row.lastError;
      }
      entry.callers.push({ caller: row.caller, calls: row.calls });
      tools.set(key, entry);
    }
    return [...tools.values()]
      .map(({ totalMs, timed, ...entry }) => ({
        ...entry,
        meanMs: timed ? Math.round((totalMs / timed) * 10) / 10 : 0,
        callers: entry.callers.sort((a, b) => b.calls - a.calls),
      }))
      .sort((a, b) => b.calls - a.calls || a.server.localeCompare(b.server));
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
  }
}

function keyOf(row: Pick<UsageRow, "server" | "tool" | "caller">): string {
  return `${row.server}\u0000${row.tool}\u0000${row.caller}`;
}
