import { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import { join } from "node:path";
import { openSqliteStore } from "../../src/state/sqlite.ts";
import { createSqliteAudit, usedBytes } from "../../src/state/sqlite-audit.ts";
import type { AuditRow } from "../../src/state/store.ts";
import { tempDir } from "../helpers.ts";

const DAY = 86_400_000;

function rows(count: number, from: number, step: number): AuditRow[] {
  return Array.from({ length: count }, (_, i) => ({
    at: from + i * step,
    kind: "call" as const,
    caller: `key:k${i % 7}`,
    session: "7f9c2ba4-e88f-11ee-a8f3-0242ac120002",
    server: "fixture",
    tool: `tool_${i % 40}`,
    argsHash: "6c861aa605166224",
    outcome: i % 10 ? ("ok" as const) : ("error" as const),
    latencyMs: 3.2,
    bytes: 812,
  }));
}

test("retention deletes rows past max_age, then the oldest until the rows fit max_size", async () => {
  const file = join(tempDir(), "state.db");
  const store = await openSqliteStore(file);
  const now = Date.now();
  store.addAudit(rows(20_000, now - 40 * DAY, 60_000)); // 40 days back, a row a minute
  store.addAudit(rows(40_000, now - DAY, 500));
  store.close();
  const db = new Database(file);
  const audit = createSqliteAudit(db);
  const before = usedBytes(db);
  // Age first: everything older than 30 days goes.
  // A step deletes at most `limit` rows; steps repeat until there is nothing to delete.
  const prune = (policy: { before?: number; maxBytes?: number }) => {
    let deleted = 0;
    for (let step = audit.pruneAudit({ ...policy, limit: 3000 }); step; ) {
      expect(step).toBeLessThanOrEqual(3000);
      deleted += step;
      step = audit.pruneAudit({ ...policy, limit: 3000 });
    }
    return deleted;
  };
  const aged = prune({ before: now - 30 * DAY });
  expect(aged).toBe(10 * 24 * 60); // a row a minute for the 10 days past 30
  expect(audit.queryAudit({ limit: 1_000_000 }).every((row) => row.at >= now - 30 * DAY)).toBe(
    true,
  );
  // Then size: the rows' share of the database comes under the limit, newest rows kept.
  const limit = Math.floor(before / 4);
  prune({ maxBytes: limit });
  expect(usedBytes(db)).toBeLessThanOrEqual(limit);
  const [newest] = audit.queryAudit({ limit: 1 });
  expect(newest!.at).toBe(now - DAY + 39_999 * 500);
  db.close();
}, 30_000);

test("the newest page and filtered pages come back newest first, and page back by id", async () => {
  const store = await openSqliteStore(join(tempDir(), "state.db"));
  store.addAudit(rows(1000, 1_000_000, 1000));
  const page = store.queryAudit({ limit: 10 });
  expect(page.map((row) => row.id)).toEqual([1000, 999, 998, 997, 996, 995, 994, 993, 992, 991]);
  const next = store.queryAudit({ limit: 10, before: page.at(-1)!.id });
  expect(next[0]!.id).toBe(990);
  const mine = store.queryAudit({ caller: "k3", tool: "fixture:tool_3", limit: 5 });
  expect(mine.length).toBeGreaterThan(0);
  expect(mine.every((row) => row.caller === "key:k3" && row.tool === "tool_3")).toBe(true);
  store.close();
});
