import type { CachedTools, StateStore } from "./store.ts";

type SqlValue = string | number | null;

/** What the store needs from SQLite; `bun:sqlite` and `node:sqlite` (under Deno) both provide it. */
interface SqliteDatabase {
  exec(sql: string): void;
  prepare(sql: string): {
    get(...params: SqlValue[]): unknown;
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

/** The on-disk state store. */
export async function openSqliteStore(path: string): Promise<StateStore> {
  const db = await openDatabase(path);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA busy_timeout = 2000");
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
  return {
    path,
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
    close() {
      db.close();
    },
  };
}
