import { existsSync } from "node:fs";
import { join } from "node:path";
import { defineCommand } from "citty";
import { loadConfig } from "../../config/load.ts";
import { parseSince } from "../../observe/audit.ts";
import { type AuditRow, defaultStateDir } from "../../state/store.ts";
import { runAction } from "../_args.ts";
import { auditSpec } from "../_tree.ts";

export default defineCommand({
  ...auditSpec,
  async run({ args }) {
    await runAction(async () => {
      const config = loadConfig({ path: args.config });
      const dir = config.state_dir ?? defaultStateDir();
      const file = join(dir, "state.db");
      if (!existsSync(file)) {
        throw new Error(
          `no state database at ${file}: the gateway has not run with this state_dir (set state_dir in ${config.file ?? "gateway.yaml"})`,
        );
      }
      const since = parseSince(args.since ?? "24h");
      if (since === undefined) {
        throw new Error(`--since ${args.since}: expected an age like 24h or 7d, or a date`);
      }
      const limit = args.limit === undefined ? 100 : Number(args.limit);
      if (!Number.isInteger(limit) || limit < 1) {
        throw new Error(`--limit ${args.limit}: expected a whole number above 0`);
      }
      const { openSqliteStore } = await import("../../state/sqlite.ts");
      const store = await openSqliteStore(file);
      try {
        const rows = store.queryAudit({ since, limit, caller: args.caller, tool: args.tool });
        if (args.json) {
          process.stdout.write(rows.map((row) => `${JSON.stringify(row)}\n`).join(""));
          return;
        }
        if (!rows.length) {
          console.log("no audit rows match");
          return;
        }
        for (const row of rows) console.log(formatRow(row));
      } finally {
        store.close();
      }
    }, args);
  },
});

/** One line: time, caller, what, outcome, and the numbers when there are any. */
function formatRow(row: AuditRow): string {
  const what =
    row.kind === "admin" || !row.server
      ? `${row.tool}${row.server ? ` ${row.server}` : ""}${row.detail && row.kind !== "call" ? ` ${row.detail}` : ""}`
      : `${row.server}:${row.tool}`;
  const outcome = row.code ? `${row.outcome} ${row.code}` : row.outcome;
  const numbers = [
    row.latencyMs !== undefined ? `${row.latencyMs}ms` : "",
    row.bytes !== undefined ? `${row.bytes}B` : "",
    row.cost ? `cost ${row.cost}` : "",
  ].filter(Boolean);
  return [new Date(row.at).toISOString(), row.caller, row.kind, what, outcome, ...numbers].join(
    "  ",
  );
}
