import { chmodSync, closeSync, mkdirSync, openSync } from "node:fs";
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

/** What the gateway keeps across restarts. One seam: SQLite on disk (bun:sqlite, node:sqlite under Deno), or memory. */
export interface StateStore {
  readonly path?: string;
  getTools(server: string): CachedTools | undefined;
  setTools(server: string, entry: CachedTools): void;
  /** Every usage row persisted so far. */
  loadUsage(): UsageRow[];
  /** Adds these counts to the persisted ones (one transaction); later `lastAt`/`lastError` win. */
  addUsage(rows: UsageRow[]): void;
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
  return {
    getTools: (server) => tools.get(server),
    setTools: (server, entry) => void tools.set(server, entry),
    loadUsage: () => [...usage.values()].map((row) => ({ ...row })),
    addUsage(rows) {
      for (const row of rows) {
        const key = `${row.server}\u0000${row.tool}\u0000${row.caller}`;
        usage.set(key, mergeUsage(usage.get(key), row));
      }
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
    close() {},
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
