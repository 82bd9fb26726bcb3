import { Database } from "bun:sqlite";
import type { CachedTools, StateStore } from "./store.ts";

/** The on-disk state store (Bun's built-in SQLite). */
export function openSqliteStore(path: string): StateStore {
  const db = new Database(path, { create: true });
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA busy_timeout = 2000");
  db.exec(`CREATE TABLE IF NOT EXISTS tool_cache (
    server TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    tools TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  )`);
  const select = db.query<{ fingerprint: string; tools: string; updated_at: number }, [string]>(
    "SELECT fingerprint, tools, updated_at FROM tool_cache WHERE server = ?",
  );
  const upsert = db.query(
    `INSERT INTO tool_cache (server, fingerprint, tools, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT(server) DO UPDATE SET fingerprint = excluded.fingerprint,
       tools = excluded.tools, updated_at = excluded.updated_at`,
  );
  return {
    path,
    getTools(server): CachedTools | undefined {
      const row = select.get(server);
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
