import type { Caller } from "../gateway/caller.ts";
import type { Gateway } from "../gateway/gateway.ts";
import { asListed, directTools } from "../meta/surface.ts";
import { ALL_META_NAMES, metaToolsFor } from "../meta/tools.ts";
import type { AuditStore, AuditSummaryRow } from "../state/store.ts";

/** What the answers read: the audit log's rows. */
export type AuditReader = Pick<AuditStore, "queryAudit" | "summarizeAudit">;

export const WINDOWS = { "24h": 86_400_000, "7d": 7 * 86_400_000, "30d": 30 * 86_400_000 } as const;
export type UsageWindow = keyof typeof WINDOWS;

/** One tool's numbers for one caller over the window. */
export type ToolStat = Omit<AuditSummaryRow, "caller">;

/** The questions operators ask of usage, answered from the audit log's real rows. */
export interface UsageAnswers {
  window: UsageWindow;
  since: number;
  /** Per caller (a non-admin: only itself): the top tools by calls, by errors, by mean latency. */
  keys: {
    caller: string;
    calls: number;
    errors: number;
    byCalls: ToolStat[];
    byErrors: ToolStat[];
    byLatency: ToolStat[];
  }[];
  /** Searches that found nothing, by their content words, most frequent first. */
  emptySearches: { query: string; count: number; lastAt: number; callers: string[] }[];
  /**
   * Tokens (o200k, over compact JSON as clients receive it) the meta-tool `tools/list` saved
   * against the flat list of every tool the asking caller may use, times the meta lists sent in
   * the window (rows of the audit log).
   */
  tokensSaved: {
    lists: number;
    metaTokens: number;
    flatTokens: number;
    flatTools: number;
    saved: number;
  };
}

export interface UsageQuestion {
  window: UsageWindow;
  caller: Caller;
  /** Top N per list (default 10). */
  limit?: number;
}

/** Read-heavy: answers are cached for 10 seconds per gateway, window and caller. */
const TTL_MS = 10_000;
const MAX_SCANNED = 100_000;
const caches = new WeakMap<Gateway, Map<string, { at: number; answers: UsageAnswers }>>();

/**
 * Answers "top tools by calls, errors, latency per key", "which searches found nothing" and
 * "how many tokens did the meta tools save" over 24h, 7d or 30d. `gateway_get_stats`, `/api/insights`
 * and `/ui` call this.
 */
export async function answerUsage(
  gateway: Gateway,
  store: AuditReader,
  question: UsageQuestion,
): Promise<UsageAnswers> {
  const { window, caller } = question;
  const key = `${window}\u0000${caller.admin ? "*" : caller.id}\u0000${question.limit ?? 10}`;
  const cache = caches.get(gateway) ?? new Map<string, { at: number; answers: UsageAnswers }>();
  caches.set(gateway, cache);
  const cached = cache.get(key);
  if (cached && Date.now() - cached.at < TTL_MS) return cached.answers;
  const since = Date.now() - WINDOWS[window];
  const own = caller.admin ? undefined : caller.id;
  const limit = question.limit ?? 10;
  const answers: UsageAnswers = {
    window,
    since,
    keys: topTools(store.summarizeAudit(since, own), limit),
    emptySearches: emptySearches(store, since, own, limit),
    tokensSaved: await tokensSaved(gateway, store, caller, since, own),
  };
  if (cache.size > 200) cache.clear();
  cache.set(key, { at: Date.now(), answers });
  return answers;
}

/** `answerUsage` for a running gateway's own audit log; undefined when the audit log is off. */
export async function answerUsageOf(
  gateway: Gateway,
  question: UsageQuestion,
): Promise<UsageAnswers | undefined> {
  const { auditOf } = await import("./audit.ts");
  const audit = auditOf(gateway);
  if (!audit) return undefined;
  return answerUsage(
    gateway,
    { queryAudit: audit.query, summarizeAudit: audit.summarize },
    question,
  );
}

function topTools(rows: AuditSummaryRow[], limit: number): UsageAnswers["keys"] {
  const byCaller = new Map<string, ToolStat[]>();
  for (const { caller, ...stat } of rows) {
    const list = byCaller.get(caller) ?? [];
    list.push({ ...stat, meanMs: Math.round(stat.meanMs * 100) / 100, cost: round(stat.cost) });
    byCaller.set(caller, list);
  }
  const top = (stats: ToolStat[], order: (a: ToolStat, b: ToolStat) => number) =>
    [...stats].sort(order).slice(0, limit);
  return [...byCaller]
    .map(([caller, stats]) => ({
      caller,
      calls: stats.reduce((sum, stat) => sum + stat.calls, 0),
      errors: stats.reduce((sum, stat) => sum + stat.errors, 0),
      byCalls: top(stats, (a, b) => b.calls - a.calls),
      byErrors: top(
        stats.filter((stat) => stat.errors > 0),
        (a, b) => b.errors - a.errors,
      ),
      byLatency: top(stats, (a, b) => b.meanMs - a.meanMs),
    }))
    .sort((a, b) => b.calls - a.calls);
}

function emptySearches(
  store: AuditReader,
  since: number,
  caller: string | undefined,
  limit: number,
): UsageAnswers["emptySearches"] {
  const rows = store.queryAudit({
    since,
    caller,
    kind: "search",
    code: "NO_MATCH",
    limit: MAX_SCANNED,
  });
  const queries = new Map<string, { count: number; lastAt: number; callers: Set<string> }>();
  for (const row of rows) {
    const query = row.detail ?? "";
    const entry = queries.get(query) ?? { count: 0, lastAt: 0, callers: new Set<string>() };
    entry.count++;
    entry.lastAt = Math.max(entry.lastAt, row.at);
    entry.callers.add(row.caller);
    queries.set(query, entry);
  }
  return [...queries]
    .map(([query, entry]) => ({
      query,
      count: entry.count,
      lastAt: entry.lastAt,
      callers: [...entry.callers],
    }))
    .sort((a, b) => b.count - a.count || b.lastAt - a.lastAt)
    .slice(0, limit);
}

export async function tokensSaved(
  gateway: Gateway,
  store: AuditReader,
  caller: Caller,
  since: number,
  own: string | undefined,
): Promise<UsageAnswers["tokensSaved"]> {
  const rows = store.queryAudit({ since, caller: own, kind: "list", limit: MAX_SCANNED });
  const lists = rows.filter((row) => row.detail === "meta").length;
  const metaNames = new Set(ALL_META_NAMES);
  const meta = [
    ...metaToolsFor(gateway.config).map((tool) => tool.definition),
    ...directTools(gateway, caller, metaNames, false).map(asListed),
  ];
  const flat = directTools(gateway, caller, metaNames, true).map(asListed);
  // Loaded on first use only: the o200k tables are large and most runs never ask.
  const { countTokens } = await import("gpt-tokenizer/encoding/o200k_base");
  const metaTokens = countTokens(JSON.stringify(meta));
  const flatTokens = countTokens(JSON.stringify(flat));
  return {
    lists,
    metaTokens,
    flatTokens,
    flatTools: flat.length,
    // Negative when the flat list is the smaller one (a few small servers): said as it is.
    saved: (flatTokens - metaTokens) * lists,
  };
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
