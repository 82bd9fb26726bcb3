import { Database } from "bun:sqlite";
import type { UsageStore } from "./usage.ts";

/**
 * Usage persisted in SQLite (the gateway's state database may be shared: WAL mode). Counts are
 * read once per caller and then kept in memory, so ranking never waits on the disk.
 */
export function openSqliteUsage(path: string): UsageStore {
  const db = new Database(path, { create: true });
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA busy_timeout = 2000");
  db.exec(`CREATE TABLE IF NOT EXISTS tool_usage (
    caller TEXT NOT NULL,
    server TEXT NOT NULL,
    tool TEXT NOT NULL,
    calls INTEGER NOT NULL,
    last_used INTEGER NOT NULL,
    PRIMARY KEY (caller, server, tool)
  )`);
  const select = db.query<{ server: string; tool: string; calls: number }, [string]>(
    "SELECT server, tool, calls FROM tool_usage WHERE caller = ?",
  );
  const bump = db.query(
    `INSERT INTO tool_usage (caller, server, tool, calls, last_used) VALUES (?, ?, ?, 1, ?)
     ON CONFLICT(caller, server, tool) DO UPDATE SET calls = calls + 1, last_used = excluded.last_used`,
  );
  const cache = new Map<string, Map<string, number>>();
  const countsOf = (caller: string) => {
    let counts = cache.get(caller);
    if (!counts) {
      counts = new Map(
        select.all(caller).map((row) => [`${row.server}\u0000${row.tool}`, row.calls]),
      );
      cache.set(caller, counts);
    }
    return counts;
  };
  return {
    record(caller, server, tool) {
      const counts = countsOf(caller); // loaded before the write, so it is counted once
      bump.run(caller, server, tool, Date.now());
      const key = `${server}\u0000${tool}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    },
    count: (caller, server, tool) => countsOf(caller).get(`${server}\u0000${tool}`) ?? 0,
    close() {
      db.close();
    },
  };
}
