import { type Caller, LOCAL_ADMIN } from "../gateway/caller.ts";
import type { Gateway } from "../gateway/gateway.ts";
import type { AuditLog } from "../observe/audit.ts";
import { tokensSaved, type UsageWindow, WINDOWS } from "../observe/usage-answers.ts";
import { feedbackPool } from "../search/feedback.ts";
import { MAX_QUERY_CHARS } from "../search/index.ts";
import { usageFor } from "../search/usage.ts";
import { createScopedCaller } from "../security/scopes.ts";
import { json, round } from "./_ui-reply.ts";

/** The dashboard's answers that need more than one module: search explained, tokens saved. */

const EXPLAIN_LIMIT = 10;
const EXPLAIN_MAX = 25;

/**
 * `GET /api/explain?q=&server=&limit=&client=`: the search `gateway_search_tools` runs, with the
 * caller's scopes, usage and learned choices (those of `client`, the program's name, when given),
 * and for each match why it ranks there. Nothing is recorded: it is a look, not a search.
 */
export async function explainSearch(gateway: Gateway, url: URL, caller: Caller): Promise<Response> {
  const params = url.searchParams;
  const query = params.get("q")?.trim() ?? "";
  if (!query) return json({ error: "q= is empty: type what a model would search for" }, 400);
  if (query.length > MAX_QUERY_CHARS) {
    return json(
      { error: `q= is over ${MAX_QUERY_CHARS} characters (the search tool's limit)` },
      400,
    );
  }
  const limit = Math.min(Math.max(Number(params.get("limit")) || EXPLAIN_LIMIT, 1), EXPLAIN_MAX);
  const named = params.get("server") || undefined;
  const server = named === undefined ? undefined : gateway.pool.canonical(named);
  // One the caller cannot reach is answered as one that does not exist (no name confirmed).
  if (server && (!gateway.pool.has(server) || !caller.allows(server, "*"))) {
    return json({ error: `no backend named ${named}` }, 404);
  }
  const allow = (s: string, t: string) => gateway.router.visible(s, t, caller);
  const usage = usageFor(gateway.usage, caller.id);
  const learned = gateway.feedback?.pull(
    feedbackPool(caller.id, params.get("client") || undefined),
    query,
    allow,
  );
  const scope = caller.scope?.();
  const hits = await gateway.search(query, { limit, server, allow, scope, usage, learned });
  return json({
    query,
    matches: hits.map((hit, i) => ({
      rank: i + 1,
      server: hit.server,
      tool: hit.tool.name,
      description: hit.tool.description ?? "",
      score: round(hit.score),
      why: gateway.index.explain(query, hit.server, hit.tool.name, {
        allow,
        scope,
        usage,
        learned,
      }),
    })),
  });
}

export interface Savings {
  caller: string;
  lists: number;
  /** Null when the caller's scopes are not known here (an OAuth subject): no flat list to size. */
  saved: number | null;
  metaTokens?: number;
  flatTokens?: number;
  flatTools?: number;
}

const SAVINGS_TTL_MS = 30_000;
const MAX_CALLERS = 20;

/**
 * `GET /api/savings?window=24h|7d|30d`: per caller (a non-admin: itself), the meta `tools/list`
 * it was sent and the tokens those saved against the flat list of every tool its key may use
 * (the count `gateway_get_stats` gives, per caller).
 */
export function createSavings(gateway: Gateway, audit: AuditLog | undefined) {
  const cache = new Map<string, { at: number; rows: Savings[] }>();
  return async (url: URL, caller: Caller): Promise<Response> => {
    const window = url.searchParams.get("window") ?? "24h";
    if (!(window in WINDOWS)) return json({ error: `window=${window}: use 24h, 7d or 30d` }, 400);
    if (!audit) return json({ window, callers: [], note: "the audit log is off (audit.enabled)" });
    const key = `${window}\u0000${caller.admin ? "*" : caller.id}`;
    const cached = cache.get(key);
    if (cached && Date.now() - cached.at < SAVINGS_TTL_MS) {
      return json({ window, callers: cached.rows });
    }
    const since = Date.now() - WINDOWS[window as UsageWindow];
    const reader = { queryAudit: audit.query, summarizeAudit: audit.summarize };
    const rows = audit.query({
      since,
      kind: "list",
      caller: caller.admin ? undefined : caller.id,
      limit: 100_000,
    });
    const lists = new Map<string, number>();
    for (const row of rows) {
      if (row.detail === "meta") lists.set(row.caller, (lists.get(row.caller) ?? 0) + 1);
    }
    // Each caller's flat list is tokenized: the callers with the most lists, not every one.
    const ids = [...lists.keys()]
      .sort((a, b) => lists.get(b)! - lists.get(a)!)
      .slice(0, MAX_CALLERS);
    const out: Savings[] = [];
    for (const id of ids) {
      const who = id === caller.id ? caller : callerNamed(gateway, id);
      if (!who) {
        out.push({ caller: id, lists: lists.get(id) ?? 0, saved: null });
        continue;
      }
      const saved = await tokensSaved(gateway, reader, who, since, id);
      out.push({ caller: id, ...saved });
    }
    out.sort((a, b) => (b.saved ?? 0) - (a.saved ?? 0) || a.caller.localeCompare(b.caller));
    if (cache.size > 100) cache.clear();
    cache.set(key, { at: Date.now(), rows: out });
    return json({ window, callers: out });
  };
}

/** A caller by its audit id: a configured key's scopes, or the local admin. */
function callerNamed(gateway: Gateway, id: string): Caller | undefined {
  if (id === LOCAL_ADMIN.id) return LOCAL_ADMIN;
  const key = gateway.config.auth.api_keys.find((entry) => `key:${entry.name}` === id);
  if (!key) return undefined;
  return createScopedCaller({ id, admin: key.admin, grants: [key], label: `key "${key.name}"` });
}
