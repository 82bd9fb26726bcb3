import type { AuditQuery, AuditRow, AuditStore, AuditSummaryRow, SpendRow } from "./store.ts";

type SqlValue = string | number | null;

/** What the audit tables need from SQLite (bun:sqlite and node:sqlite both provide it). */
export interface AuditDatabase {
  exec(sql: string): void;
  prepare(sql: string): {
    get(...params: SqlValue[]): unknown;
    all(...params: SqlValue[]): unknown[];
    run(...params: SqlValue[]): unknown;
  };
}

const HOUR = 3_600_000;
const DAY = 86_400_000;

const COLUMNS =
  "at, kind, caller, session, server, tool, args_hash, outcome, code, latency_ms, bytes, cost, detail";

interface AuditRecord {
  id: number | bigint;
  at: number | bigint;
  kind: AuditRow["kind"];
  caller: string;
  session: string | null;
  server: string | null;
  tool: string | null;
  args_hash: string | null;
  outcome: AuditRow["outcome"];
  code: string | null;
  latency_ms: number | null;
  bytes: number | bigint | null;
  cost: number | null;
  detail: string | null;
}

/**
 * The audit log and daily spend in SQLite. Rows are appended in id order (time order), so the
 * newest page is a walk back from the end of the table, and a filter by caller or tool walks its
 * own index: both stay fast at millions of rows.
 */
/** The columns of the hourly and daily sums of calls (`bucket`: hours or days since the epoch). */
const SUMS_COLUMNS = `(
  bucket INTEGER NOT NULL,
  caller TEXT NOT NULL,
  server TEXT NOT NULL,
  tool TEXT NOT NULL,
  calls INTEGER NOT NULL,
  errors INTEGER NOT NULL,
  total_ms REAL NOT NULL,
  max_ms REAL NOT NULL,
  cost REAL NOT NULL,
  PRIMARY KEY (bucket, caller, server, tool)
)`;

export function createSqliteAudit(db: AuditDatabase): AuditStore {
  db.exec(`CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    caller TEXT NOT NULL,
    session TEXT,
    server TEXT,
    tool TEXT,
    args_hash TEXT,
    outcome TEXT NOT NULL,
    code TEXT,
    latency_ms REAL,
    bytes INTEGER,
    cost REAL,
    detail TEXT
  )`);
  db.exec("CREATE INDEX IF NOT EXISTS audit_at ON audit (at)");
  db.exec("CREATE INDEX IF NOT EXISTS audit_caller ON audit (caller)");
  db.exec("CREATE INDEX IF NOT EXISTS audit_tool ON audit (tool)");
  // Searches, lists, refusals and admin rows by time, without walking the calls among them.
  db.exec("CREATE INDEX IF NOT EXISTS audit_kind ON audit (kind, at)");
  // Calls per hour (`bucket`: hours since the epoch), caller and tool, kept with the rows:
  // usage questions read these sums instead of the rows.
  db.exec(`CREATE TABLE IF NOT EXISTS audit_hourly ${SUMS_COLUMNS}`);
  // The same per UTC day (`bucket`: days since the epoch), for 7 and 30 days.
  db.exec(`CREATE TABLE IF NOT EXISTS audit_daily ${SUMS_COLUMNS}`);
  const upsertSums = (table: string) =>
    db.prepare(
      `INSERT INTO ${table} (bucket, caller, server, tool, calls, errors, total_ms, max_ms, cost)
     VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?)
     ON CONFLICT(bucket, caller, server, tool) DO UPDATE SET calls = calls + 1,
       errors = errors + excluded.errors, total_ms = total_ms + excluded.total_ms,
       max_ms = max(max_ms, excluded.max_ms), cost = cost + excluded.cost`,
    );
  const addDaily = upsertSums("audit_daily");
  const addHourly = upsertSums("audit_hourly");
  db.exec(`CREATE TABLE IF NOT EXISTS spend (
    day TEXT NOT NULL,
    caller TEXT NOT NULL,
    server TEXT NOT NULL,
    tool TEXT NOT NULL,
    cost REAL NOT NULL,
    calls INTEGER NOT NULL,
    PRIMARY KEY (day, caller, server, tool)
  )`);
  const insert = db.prepare(
    `INSERT INTO audit (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const addSpend = db.prepare(
    `INSERT INTO spend (day, caller, server, tool, cost, calls) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT(day, caller, server, tool) DO UPDATE SET cost = cost + excluded.cost,
       calls = calls + excluded.calls`,
  );
  const loadSpend = db.prepare(
    "SELECT day, caller, server, tool, cost, calls FROM spend WHERE day >= ?",
  );
  const deleteAged = db.prepare(
    "DELETE FROM audit WHERE id IN (SELECT id FROM audit WHERE at < ? ORDER BY id LIMIT ?)",
  );
  const deleteHourly = db.prepare("DELETE FROM audit_hourly WHERE bucket < ?");
  const deleteDaily = db.prepare("DELETE FROM audit_daily WHERE bucket < ?");
  const deleteOldest = db.prepare(
    "DELETE FROM audit WHERE id IN (SELECT id FROM audit ORDER BY id LIMIT ?)",
  );
  const transaction = (run: () => void) => {
    db.exec("BEGIN");
    try {
      run();
      db.exec("COMMIT");
    } catch (error) {
      db.exec("ROLLBACK");
      throw error;
    }
  };
  return {
    addAudit(rows) {
      if (!rows.length) return;
      transaction(() => {
        for (const row of rows) {
          insert.run(
            row.at,
            row.kind,
            row.caller,
            row.session ?? null,
            row.server ?? null,
            row.tool ?? null,
            row.argsHash ?? null,
            row.outcome,
            row.code ?? null,
            row.latencyMs ?? null,
            row.bytes ?? null,
            row.cost ?? null,
            row.detail ?? null,
          );
          if (row.kind !== "call") continue;
          const sums = [
            row.caller,
            row.server ?? "",
            row.tool ?? "",
            row.outcome === "ok" ? 0 : 1,
            row.latencyMs ?? 0,
            row.latencyMs ?? 0,
            row.cost ?? 0,
          ] as const;
          addHourly.run(Math.floor(row.at / HOUR), ...sums);
          addDaily.run(Math.floor(row.at / DAY), ...sums);
        }
      });
    },
    queryAudit(query: AuditQuery) {
      const where: string[] = [];
      const params: SqlValue[] = [];
      if (query.since !== undefined) {
        where.push("at >= ?");
        params.push(query.since);
      }
      if (query.until !== undefined) {
        where.push("at < ?");
        params.push(query.until);
      }
      if (query.before !== undefined) {
        where.push("id < ?");
        params.push(query.before);
      }
      // A key's bare name finds its rows too (`ci` for `key:ci`).
      if (query.caller) {
        where.push("caller IN (?, ?)");
        params.push(query.caller, `key:${query.caller}`);
      }
      if (query.tool) {
        const colon = query.tool.indexOf(":");
        if (colon > 0) {
          where.push("tool = ? AND server = ?");
          params.push(query.tool.slice(colon + 1), query.tool.slice(0, colon));
        } else {
          where.push("tool = ?");
          params.push(query.tool);
        }
      }
      for (const column of ["kind", "code", "server", "outcome"] as const) {
        const value = query[column];
        if (value === undefined) continue;
        where.push(`${column} = ?`);
        params.push(value);
      }
      // Caller and tool together: walk the tool's index (a tool is rarer than a caller).
      const hint = query.tool && query.caller ? "INDEXED BY audit_tool" : "";
      const sql = `SELECT id, ${COLUMNS} FROM audit ${hint} ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
        ORDER BY id DESC LIMIT ?`;
      params.push(query.limit ?? 100);
      return (db.prepare(sql).all(...params) as AuditRecord[]).map(fromRecord);
    },
    summarizeAudit(since, caller) {
      // Past two days, whole UTC days are close enough and far fewer rows.
      const daily = Date.now() - since > 2 * DAY;
      const unit = daily ? DAY : HOUR;
      const rows = db
        .prepare(
          `SELECT caller, server, tool, sum(calls) AS calls, sum(errors) AS errors,
             sum(total_ms) / sum(calls) AS mean_ms, max(max_ms) AS max_ms, sum(cost) AS cost
           FROM ${daily ? "audit_daily" : "audit_hourly"} WHERE bucket >= ? ${caller ? "AND caller IN (?, ?)" : ""}
           GROUP BY caller, server, tool`,
        )
        .all(
          ...(caller
            ? [Math.floor(since / unit), caller, `key:${caller}`]
            : [Math.floor(since / unit)]),
        ) as Record<string, number | string | null>[];
      return rows.map(
        (row): AuditSummaryRow => ({
          caller: String(row.caller),
          server: String(row.server ?? ""),
          tool: String(row.tool ?? ""),
          calls: Number(row.calls),
          errors: Number(row.errors),
          meanMs: Number(row.mean_ms ?? 0),
          maxMs: Number(row.max_ms ?? 0),
          cost: Number(row.cost ?? 0),
        }),
      );
    },
    pruneAudit({ before, maxBytes, limit = 5000 }) {
      // At most `limit` rows a step: a step holds the event loop, so a big backlog goes in many.
      const oldest = (count: number) => deleteOldest.run(Math.max(0, Math.min(count, limit)));
      // Hourly sums answer only the 24h window: two days of them are kept, whatever the age.
      deleteHourly.run(Math.floor((Date.now() - 2 * DAY) / HOUR));
      if (before !== undefined) {
        deleteDaily.run(Math.floor(before / DAY));
        const aged = Number((deleteAged.run(before, limit) as { changes: number }).changes);
        if (aged) return aged;
      }
      if (maxBytes === undefined) return 0;
      const used = usedBytes(db);
      if (used <= maxBytes) return 0;
      const span = db.prepare("SELECT min(id) AS low, max(id) AS high FROM audit").get() as {
        low: number | null;
        high: number | null;
      };
      if (span.low === null || span.high === null) return 0;
      // Down to 90% of the limit, so that pruning runs now and then, not after every batch.
      const share = (used - maxBytes * 0.9) / used;
      const over = Math.ceil((Number(span.high) - Number(span.low) + 1) * share);
      return Number((oldest(over) as { changes: number }).changes);
    },
    addSpend(rows: SpendRow[]) {
      if (!rows.length) return;
      transaction(() => {
        for (const row of rows) {
          addSpend.run(row.day, row.caller, row.server, row.tool, row.cost, row.calls);
        }
      });
    },
    loadSpend(sinceDay) {
      return (loadSpend.all(sinceDay) as SpendRow[]).map((row) => ({
        ...row,
        cost: Number(row.cost),
        calls: Number(row.calls),
      }));
    },
  };
}

/** Bytes the database's pages in use take (the file may be larger: free pages are reused). */
export function usedBytes(db: AuditDatabase): number {
  const pragma = (name: string) =>
    Number(Object.values(db.prepare(`PRAGMA ${name}`).get() as Record<string, number>)[0]);
  return (pragma("page_count") - pragma("freelist_count")) * pragma("page_size");
}

function fromRecord(row: AuditRecord): AuditRow & { id: number } {
  const out: AuditRow & { id: number } = {
    id: Number(row.id),
    at: Number(row.at),
    kind: row.kind,
    caller: row.caller,
    outcome: row.outcome,
  };
  if (row.session !== null) out.session = row.session;
  if (row.server !== null) out.server = row.server;
  if (row.tool !== null) out.tool = row.tool;
  if (row.args_hash !== null) out.argsHash = row.args_hash;
  if (row.code !== null) out.code = row.code;
  if (row.latency_ms !== null) out.latencyMs = row.latency_ms;
  if (row.bytes !== null) out.bytes = Number(row.bytes);
  if (row.cost !== null) out.cost = row.cost;
  if (row.detail !== null) out.detail = row.detail;
  return out;
}
