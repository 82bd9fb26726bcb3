import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  realpathSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { logger } from "../logger.ts";
import type { Tool } from "../mcp/sdk.ts";

/** A backend's tool list as last seen, with the config fingerprint it was listed under. */
export interface CachedTools {
  fingerprint: string;
  tools: Tool[];
  updatedAt: number;
}

/** Calls of one tool by one caller, summed: what usage stats persist. */
export interface UsageRow {
  server: string;
  tool: string;
  caller: string;
  calls: number;
  /** Calls that threw or returned `isError`. */
  errors: number;
  /** Summed duration of the calls, for the mean. */
  totalMs: number;
  /** When the last call ended (epoch ms). */
  lastAt: number;
  /** The last error's message, redacted. */
  lastError?: string;
}

/** A search followed by a call of one of the tools: the caller's query led to that tool. */
export interface FeedbackRow {
  caller: string;
  /** The client program's `clientInfo.name`: each caller and client learns apart. */
  client: string;
  /** The query's content words, lowercased, sorted, space-separated. */
  query: string;
  server: string;
  tool: string;
  /** How many times this query led to this tool. */
  count: number;
  lastAt: number;
}

/** One row of the audit log: a call, a refusal or an operator's action. */
export interface AuditRow {
  /** Epoch ms. */
  at: number;
  /** `search`: a gateway_search_tools; `list`: a tools/list sent (tool `tools/list`). */
  kind: "call" | "refusal" | "admin" | "search" | "list";
  /** Key name, OAuth subject, or `local`. */
  caller: string;
  session?: string;
  server?: string;
  /** The tool, or for an admin row the action (`key.create`, `reload`, ...). */
  tool?: string;
  /** sha256 (hex, first 16) of the redacted arguments' canonical JSON. */
  argsHash?: string;
  outcome: "ok" | "error" | "failed" | "refused";
  code?: string;
  latencyMs?: number;
  /** Size of the result's JSON. */
  bytes?: number;
  cost?: number;
  /** An admin action's target or detail; the redacted arguments when `audit.include_arguments`. */
  detail?: string;
}

export interface AuditQuery {
  /** Epoch ms, inclusive. */
  since?: number;
  caller?: string;
  /** A tool name, or `server:tool`. */
  tool?: string;
  kind?: AuditRow["kind"];
  code?: string;
  /** Only this backend's rows (the dashboard's activity filter). */
  server?: string;
  outcome?: AuditRow["outcome"];
  /** Epoch ms, exclusive: rows before this time. */
  until?: number;
  /** Rows older than this id (paging back); newest first. */
  before?: number;
  limit?: number;
}

/** Calls, errors and latency of one tool by one caller over a window (from the audit log). */
export interface AuditSummaryRow {
  caller: string;
  server: string;
  tool: string;
  calls: number;
  errors: number;
  meanMs: number;
  maxMs: number;
  cost: number;
}

/** Spend of one caller on one tool on one UTC day: what budgets restore from at start. */
export interface SpendRow {
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  caller: string;
  server: string;
  tool: string;
  cost: number;
  calls: number;
}

/** The audit log's part of the state store. */
export interface AuditStore {
  /** Appends rows (one transaction). */
  addAudit(rows: AuditRow[]): void;
  /** Newest first. */
  queryAudit(query: AuditQuery): (AuditRow & { id: number })[];
  /**
   * Calls per caller and tool since `since` (refusals and other rows left out). SQLite answers
   * from hourly sums, so `since` counts from the start of its hour.
   */
  summarizeAudit(since: number, caller?: string): AuditSummaryRow[];
  /**
   * One step of retention: deletes up to `limit` (default 5000) rows older than `before`, else
   * of the oldest while the database's pages in use exceed `maxBytes` (freed pages are reused,
   * so the file stops growing there). Returns rows deleted; call again while it is `limit`.
   */
  pruneAudit(policy: { before?: number; maxBytes?: number; limit?: number }): number;
  /** Adds spend (summed per day, caller and tool). */
  addSpend(rows: SpendRow[]): void;
  /** Spend rows from `sinceDay` (inclusive) on. */
  loadSpend(sinceDay: string): SpendRow[];
}

/** What the gateway keeps across restarts. One seam: SQLite on disk (bun:sqlite, node:sqlite under Deno), or memory. */
export interface StateStore extends AuditStore {
  readonly path?: string;
  getTools(server: string): CachedTools | undefined;
  setTools(server: string, entry: CachedTools): void;
  /** Every usage row persisted so far. */
  loadUsage(): UsageRow[];
  /** Adds these counts to the persisted ones (one transaction); later `lastAt`/`lastError` win. */
  addUsage(rows: UsageRow[]): void;
  /**
   * Adds `rows` as `addUsage` does and records `source` (a file imported), in one transaction,
   * unless `source` was recorded before: false then, and nothing is added.
   */
  importUsage(source: string, rows: UsageRow[]): boolean;
  /** Every search-feedback row persisted so far. */
  loadFeedback(): FeedbackRow[];
  /** Counts one more (caller, query, tool) choice; the row is created at count 1. */
  addFeedback(row: Omit<FeedbackRow, "count">): void;
  /** Drops every row of one pool's query (evicted: the pool has newer ones). */
  forgetFeedback(pool: { caller: string; client: string }, query: string): void;
  close(): void;
}

/** `$XDG_STATE_HOME/mcp-gateway`, else `~/.local/state/mcp-gateway`. */
export function defaultStateDir(env: Record<string, string | undefined> = process.env): string {
  const base = env.XDG_STATE_HOME || join(env.HOME || homedir(), ".local", "state");
  return join(base, "mcp-gateway");
}

/** Keeps state in memory only (tests, read-only disks). */
export function createMemoryStore(): StateStore {
  const tools = new Map<string, CachedTools>();
  const usage = new Map<string, UsageRow>();
  const feedback = new Map<string, FeedbackRow>();
  const imported = new Set<string>();
  const addUsage = (rows: UsageRow[]) => {
    for (const row of rows) {
      const key = `${row.server}\u0000${row.tool}\u0000${row.caller}`;
      usage.set(key, mergeUsage(usage.get(key), row));
    }
  };
  return {
    getTools: (server) => tools.get(server),
    setTools: (server, entry) => void tools.set(server, entry),
    loadUsage: () => [...usage.values()].map((row) => ({ ...row })),
    addUsage,
    importUsage(source, rows) {
      if (imported.has(source)) return false;
      imported.add(source);
      addUsage(rows);
      return true;
    },
    loadFeedback: () => [...feedback.values()].map((row) => ({ ...row })),
    addFeedback(row) {
      const key = [row.caller, row.client, row.query, row.server, row.tool].join("\u0000");
      const count = (feedback.get(key)?.count ?? 0) + 1;
      feedback.set(key, { ...row, count });
    },
    forgetFeedback(pool, query) {
      for (const [key, row] of feedback) {
        if (row.caller === pool.caller && row.client === pool.client && row.query === query) {
          feedback.delete(key);
        }
      }
    },
    ...createMemoryAudit(),
    close() {},
  };
}

/** The audit log and spend in memory (tests, read-only disks): the newest 100k rows. */
function createMemoryAudit(limit = 100_000): AuditStore {
  const rows: (AuditRow & { id: number })[] = [];
  const spend = new Map<string, SpendRow>();
  let id = 0;
  const matches = (row: AuditRow, query: AuditQuery) =>
    (query.since === undefined || row.at >= query.since) &&
    (!query.caller || row.caller === query.caller || row.caller === `key:${query.caller}`) &&
    (!query.tool || row.tool === query.tool || `${row.server}:${row.tool}` === query.tool) &&
    (!query.kind || row.kind === query.kind) &&
    (!query.code || row.code === query.code) &&
    (!query.server || row.server === query.server) &&
    (!query.outcome || row.outcome === query.outcome) &&
    (query.until === undefined || row.at < query.until);
  return {
    addAudit(added) {
      for (const row of added) rows.push({ ...row, id: ++id });
      if (rows.length > limit) rows.splice(0, rows.length - limit);
    },
    queryAudit(query) {
      const found: (AuditRow & { id: number })[] = [];
      for (let i = rows.length - 1; i >= 0 && found.length < (query.limit ?? 100); i--) {
        const row = rows[i]!;
        if (query.before !== undefined && row.id >= query.before) continue;
        if (matches(row, query)) found.push({ ...row });
      }
      return found;
    },
    summarizeAudit(since, caller) {
      const groups = new Map<string, AuditSummaryRow & { totalMs: number }>();
      for (const row of rows) {
        if (row.kind !== "call" || row.at < since || (caller && row.caller !== caller)) continue;
        const key = [row.caller, row.server, row.tool].join("\u0000");
        const group = groups.get(key) ?? {
          caller: row.caller,
          server: row.server ?? "",
          tool: row.tool ?? "",
          calls: 0,
          errors: 0,
          meanMs: 0,
          maxMs: 0,
          cost: 0,
          totalMs: 0,
        };
        group.calls++;
        if (row.outcome !== "ok") group.errors++;
        group.totalMs += row.latencyMs ?? 0;
        group.maxMs = Math.max(group.maxMs, row.latencyMs ?? 0);
        group.cost += row.cost ?? 0;
        groups.set(key, group);
      }
      return [...groups.values()].map(({ totalMs, ...group }) => ({
        ...group,
        meanMs: group.calls ? totalMs / group.calls : 0,
      }));
    },
    pruneAudit({ before, limit = 5000 }) {
      const keep = rows.findIndex((row) => before === undefined || row.at >= before);
      const drop = Math.min(limit, keep < 0 ? rows.length : keep);
      rows.splice(0, drop);
      return drop;
    },
    addSpend(added) {
      for (const row of added) {
        const key = [row.day, row.caller, row.server, row.tool].join("\u0000");
        const into = spend.get(key);
        spend.set(
          key,
          into
            ? { ...into, cost: into.cost + row.cost, calls: into.calls + row.calls }
            : { ...row },
        );
      }
    },
    loadSpend: (sinceDay) => [...spend.values()].filter((row) => row.day >= sinceDay),
  };
}

/** `row` added to `into` (a copy; `into` may be absent). */
export function mergeUsage(into: UsageRow | undefined, row: UsageRow): UsageRow {
  if (!into) return { ...row };
  const later = row.lastAt >= into.lastAt;
  return {
    ...into,
    calls: into.calls + row.calls,
    errors: into.errors + row.errors,
    totalMs: into.totalMs + row.totalMs,
    lastAt: Math.max(into.lastAt, row.lastAt),
    lastError: (later ? row.lastError : undefined) ?? into.lastError,
  };
}

/**
 * Creates the state folder 0700 and `file` in it 0600: the state holds callers' names, errors
 * and tool lists, for this user only. SQLite gives its `-wal` and `-shm` files the database's
 * own mode. A database made by an older version (0644) is tightened; an existing folder keeps
 * its mode (`state_dir` may name a folder the user shares on purpose).
 */
export function makePrivate(dir: string, file?: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (file) {
    closeSync(openSync(file, "a", 0o600));
    chmodSync(file, 0o600);
  }
}

/**
 * Writes `text` to `path` through a temporary file renamed over it, so a reader (another
 * gateway, the file watcher) never sees it half written. A link is written through to its
 * target. The file gets `mode` (0600), or with `keepMode` the mode an existing file has.
 */
export function writeFileAtomic(
  path: string,
  text: string,
  { mode = 0o600, keepMode = false }: { mode?: number; keepMode?: boolean } = {},
): void {
  const target = existsSync(path) ? realpathSync(path) : path;
  const kept = keepMode && existsSync(target) ? statSync(target).mode & 0o777 : mode;
  const temp = `${target}.${process.pid}.tmp`;
  writeFileSync(temp, text, { mode: kept });
  chmodSync(temp, kept);
  renameSync(temp, target);
}

/**
 * Opens the state database in `dir`. When the folder is not writable (or SQLite is missing, as
 * in some runtimes) it warns once and keeps state in memory.
 */
export async function openStateStore(dir: string): Promise<StateStore> {
  try {
    const file = join(dir, "state.db");
    makePrivate(dir, file);
    const { openSqliteStore } = await import("./sqlite.ts");
    return await openSqliteStore(file);
  } catch (error) {
    logger.warn(
      `state directory ${dir} is not usable (${error instanceof Error ? error.message : error}); keeping state in memory`,
    );
    return createMemoryStore();
  }
}
