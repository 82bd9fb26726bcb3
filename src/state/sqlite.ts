import { createSqliteAudit } from "./sqlite-audit.ts";
import type { CachedTools, FeedbackRow, StateStore, UsageRow } from "./store.ts";

type SqlValue = string | number | null;

/** What the store needs from SQLite; `bun:sqlite` and `node:sqlite` (under Deno) both provide it. */
interface SqliteDatabase {
  exec(sql: string): void;
  prepare(sql: string): {
    get(...params: SqlValue[]): unknown;
    all(...params: SqlValue[]): unknown[];
    run(...params: SqlValue[]): unknown;
  };
  close(): void;
}

/** Bun's built-in SQLite, or `node:sqlite` where there is no Bun (Deno 2). */
async function openDatabase(path: string): Promise<SqliteDatabase> {
  if (typeof Bun !== "undefined") {
    const { Database } = await import("bun:sqlite");
    return new Database(path, { create: true });
  }
  const { DatabaseSync } = await import("node:sqlite");
  return new DatabaseSync(path);
}

interface UsageRecord {
  server: string;
  tool: string;
  caller: string;
  calls: number | bigint;
  errors: number | bigint;
  total_ms: number;
  last_at: number | bigint;
  last_error: string | null;
}

/** How long a statement waits for another process's lock (synchronously: kept short). */
const BUSY_TIMEOUT_MS = 2000;

/** The on-disk state store. */
/** The search_feedback table's columns: per caller and client program (src/search/feedback.ts). */
const FEEDBACK_COLUMNS = `(
  caller TEXT NOT NULL,
  client TEXT NOT NULL DEFAULT '',
  query TEXT NOT NULL,
  server TEXT NOT NULL,
  tool TEXT NOT NULL,
  count INTEGER NOT NULL,
  last_at INTEGER NOT NULL,
  PRIMARY KEY (caller, client, query, server, tool)
)`;

export async function openSqliteStore(path: string): Promise<StateStore> {
  const db = await openDatabase(path);
  // The busy handler first: gateways sharing the folder (one `serve --stdio` per client, all
  // started at once) meet each other's first write, or the recovery of a killed one's WAL, and
  // without it the switch to WAL failed "database is locked" and the state went to memory.
  db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.exec("PRAGMA journal_mode = WAL");
  // A commit is durable when the process dies (kill -9, OOM) without an fsync each: 70 us a
  // commit here, against 5.5 ms under FULL, so the audit log can commit each turn's rows.
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec(`CREATE TABLE IF NOT EXISTS tool_cache (
    server TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    tools TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  )`);
  const select = db.prepare(
    "SELECT fingerprint, tools, updated_at FROM tool_cache WHERE server = ?",
  );
  const upsert = db.prepare(
    `INSERT INTO tool_cache (server, fingerprint, tools, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT(server) DO UPDATE SET fingerprint = excluded.fingerprint,
       tools = excluded.tools, updated_at = excluded.updated_at`,
  );
  // Usage stats: calls per tool and caller, summed (the dashboard and `/api/usage` read them).
  db.exec(`CREATE TABLE IF NOT EXISTS call_stats (
    server TEXT NOT NULL,
    tool TEXT NOT NULL,
    caller TEXT NOT NULL,
    calls INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    total_ms REAL NOT NULL,
    last_at INTEGER NOT NULL,
    last_error TEXT,
    PRIMARY KEY (server, tool, caller)
  )`);
  const selectUsage = db.prepare(
    "SELECT server, tool, caller, calls, errors, total_ms, last_at, last_error FROM call_stats",
  );
  const addUsage = db.prepare(
    `INSERT INTO call_stats (server, tool, caller, calls, errors, total_ms, last_at, last_error)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(server, tool, caller) DO UPDATE SET calls = calls + excluded.calls,
       errors = errors + excluded.errors, total_ms = total_ms + excluded.total_ms,
       last_error = CASE WHEN excluded.last_at >= last_at AND excluded.last_error IS NOT NULL
         THEN excluded.last_error ELSE last_error END,
       last_at = max(last_at, excluded.last_at)`,
  );
  // Files imported into the usage stats (the original gateway's usage.json), each once.
  db.exec(`CREATE TABLE IF NOT EXISTS imports (
    source TEXT PRIMARY KEY,
    at INTEGER NOT NULL
  )`);
  const markImport = db.prepare("INSERT OR IGNORE INTO imports (source, at) VALUES (?, ?)");
  const importedBefore = db.prepare("SELECT 1 AS found FROM imports WHERE source = ?");
  // Search feedback: which tool a caller called after searching for what (src/search/feedback.ts),
  // per caller and client program.
  migrateFeedback(db);
  db.exec(`CREATE TABLE IF NOT EXISTS search_feedback ${FEEDBACK_COLUMNS}`);
  const selectFeedback = db.prepare(
    "SELECT caller, client, query, server, tool, count, last_at FROM search_feedback",
  );
  const addFeedback = db.prepare(
    `INSERT INTO search_feedback (caller, client, query, server, tool, count, last_at) VALUES (?, ?, ?, ?, ?, 1, ?)
     ON CONFLICT(caller, client, query, server, tool) DO UPDATE SET count = count + 1,
       last_at = max(last_at, excluded.last_at)`,
  );
  const forgetFeedback = db.prepare(
    "DELETE FROM search_feedback WHERE caller = ? AND client = ? AND query = ?",
  );
  const addUsageRows = (rows: UsageRow[]) => {
    for (const row of rows) {
      addUsage.run(
        row.server,
        row.tool,
        row.caller,
        row.calls,
        row.errors,
        row.totalMs,
        row.lastAt,
        row.lastError ?? null,
      );
    }
  };
  const audit = createSqliteAudit(db);
  return {
    path,
    ...audit,
    getTools(server): CachedTools | undefined {
      const row = select.get(server) as
        | { fingerprint: string; tools: string; updated_at: number }
        | undefined
        | null;
      if (!row) return undefined;
      return {
        fingerprint: row.fingerprint,
        tools: JSON.parse(row.tools),
        updatedAt: row.updated_at,
      };
    },
    setTools(server, entry) {
      upsert.run(server, entry.fingerprint, JSON.stringify(entry.tools), entry.updatedAt);
    },
    loadUsage(): UsageRow[] {
      return (selectUsage.all() as UsageRecord[]).map((row) => ({
        server: row.server,
        tool: row.tool,
        caller: row.caller,
        calls: Number(row.calls),
        errors: Number(row.errors),
        totalMs: Number(row.total_ms),
        lastAt: Number(row.last_at),
        ...(row.last_error ? { lastError: row.last_error } : {}),
      }));
    },
    addUsage(rows) {
      if (!rows.length) return;
      db.exec("BEGIN");
      try {
        addUsageRows(rows);
        db.exec("COMMIT");
      } catch (error) {
        db.exec("ROLLBACK");
        throw error;
      }
    },
    importUsage(source, rows) {
      // IMMEDIATE: two gateways starting at once (one `serve --stdio` per client) import it once.
      db.exec("BEGIN IMMEDIATE");
      try {
        if (importedBefore.get(source)) {
          db.exec("ROLLBACK");
          return false;
        }
        markImport.run(source, Date.now());
        addUsageRows(rows);
        db.exec("COMMIT");
        return true;
      } catch (error) {
        db.exec("ROLLBACK");
        throw error;
      }
    },
    loadFeedback(): FeedbackRow[] {
      return (
        selectFeedback.all() as (Omit<FeedbackRow, "count" | "lastAt"> & {
          count: number | bigint;
          last_at: number | bigint;
        })[]
      ).map(({ last_at, count, ...row }) => ({
        ...row,
        count: Number(count),
        lastAt: Number(last_at),
      }));
    },
    addFeedback(row) {
      addFeedback.run(row.caller, row.client, row.query, row.server, row.tool, row.lastAt);
    },
    forgetFeedback(pool, query) {
      forgetFeedback.run(pool.caller, pool.client, query);
    },
    close() {
      db.close();
    },
  };
}

/**
 * Feedback recorded before it was kept per client program (no `client` column): its rows move to
 * client "", which no connected client is, so they still replay in `tools eval` but lift nothing
 * (they were learned under the old rules: one call, one pool for every local client).
 */
function migrateFeedback(db: SqliteDatabase): void {
  const columns = db.prepare("PRAGMA table_info(search_feedback)").all() as { name: string }[];
  if (columns.length === 0 || columns.some((column) => column.name === "client")) return;
  db.exec("BEGIN");
  try {
    db.exec("ALTER TABLE search_feedback RENAME TO search_feedback_old");
    db.exec(`CREATE TABLE search_feedback ${FEEDBACK_COLUMNS}`);
    db.exec(
      `INSERT INTO search_feedback (caller, client, query, server, tool, count, last_at)
       SELECT caller, '', query, server, tool, count, last_at FROM search_feedback_old`,
    );
    db.exec("DROP TABLE search_feedback_old");
    db.exec("COMMIT");
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}
