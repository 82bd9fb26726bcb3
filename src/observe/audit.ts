import { createHash } from "node:crypto";
import { appendFileSync } from "node:fs";
import type { ResolvedConfig } from "../config/load.ts";
import { errorMessage, GatewayError } from "../errors.ts";
import type { AdminAction, CallInfo, GatewayHookable, GatewayHooks } from "../hooks.ts";
import { logger } from "../logger.ts";
import { queryKey } from "../search/feedback.ts";
import { canonicalJson } from "../security/pins.ts";
import { redactText, redactValue } from "../security/redact.ts";
import type { AuditQuery, AuditRow, StateStore } from "../state/store.ts";

export interface AuditOptions {
  hooks: GatewayHookable;
  store: StateStore;
  /** The config in force (audit settings, and the keys whose changes are recorded). */
  config: () => ResolvedConfig;
  /** How often rows are written (default 1s); also written when 1000 are waiting. */
  flushMs?: number;
  /** How often retention runs (default 1 minute). */
  pruneMs?: number;
}

/** The audit log: every call, refusal and admin action, one row each, written in batches. */
export interface AuditLog {
  query(query: AuditQuery): ReturnType<StateStore["queryAudit"]>;
  /** Per caller and tool since `since` (calls only), what was waiting written first. */
  summarize(since: number, caller?: string): ReturnType<StateStore["summarizeAudit"]>;
  /** Writes what is waiting now (tests, shutdown). */
  flush(): void;
  /** Applies retention now; returns rows deleted. */
  prune(): number;
  close(): void;
}

type CallAfter = Parameters<GatewayHooks["tool:call:after"]>[0];

/** What a hook hands over, kept as it is until the batch is written: the call path does no work. */
type Pending =
  | { kind: "call"; at: number; call: CallAfter }
  | { kind: "refusal"; at: number; call: CallInfo & { error: unknown } }
  | { kind: "admin"; at: number; action: AdminAction }
  | { kind: "search"; at: number; search: Parameters<GatewayHooks["search:done"]>[0] }
  | { kind: "list"; at: number; list: Parameters<GatewayHooks["tools:listed"]>[0] };

const DETAIL_MAX = 2000;
/** Rows one retention step deletes at most: a few ms, then 25 ms for calls. */
const PRUNE_STEP = 250;

const logs = new WeakMap<object, AuditLog>();

/** The audit log serving `gateway` (registered by `runGateway`), for meta tools. */
export function auditOf(gateway: object): AuditLog | undefined {
  return logs.get(gateway);
}

/** Makes `log` the one `auditOf(gateway)` answers. */
export function registerAuditLog(gateway: object, log: AuditLog): void {
  logs.set(gateway, log);
}

export function createAuditLog(options: AuditOptions): AuditLog {
  const { hooks, store } = options;
  const settings = () => options.config().audit;
  const log = logger.withTag("audit");
  let pending: Pending[] = [];
  let soon: ReturnType<typeof setTimeout> | undefined;
  const push = (entry: Pending) => {
    if (!settings().enabled) return;
    pending.push(entry);
    // Written once this turn of the event loop ends (the rows of one turn together): a gateway
    // killed (-9, OOM) a moment after a call loses no row of it. Before, rows waited up to a
    // second (`flushMs`), and a crash lost them: a way to hide the calls that caused it.
    if (!soon) soon = setTimeout(flush, 0);
  };
  let keys = keyNames(options.config());

  function flush(): void {
    clearTimeout(soon);
    soon = undefined;
    if (!pending.length) return;
    const batch = pending;
    pending = [];
    const withArguments = settings().include_arguments;
    const rows = batch.map((entry) => toRow(entry, withArguments));
    try {
      store.addAudit(rows);
    } catch (error) {
      log.warn(`cannot write the audit log: ${errorMessage(error)}`);
      pending = [...batch, ...pending];
      return;
    }
    const file = settings().file;
    if (file) {
      try {
        appendFileSync(file, rows.map((row) => `${JSON.stringify(row)}\n`).join(""), {
          mode: 0o600,
        });
      } catch (error) {
        log.warn(`cannot append to audit.file ${file}: ${errorMessage(error)}`);
      }
    }
  }

  /** One retention step; `prune` runs steps back to back, `schedulePrune` between other work. */
  function pruneStep(): number {
    const { max_age, max_size } = settings().retention;
    try {
      return store.pruneAudit({
        before: Date.now() - max_age,
        maxBytes: max_size,
        limit: PRUNE_STEP,
      });
    } catch (error) {
      log.warn(`cannot apply audit.retention: ${errorMessage(error)}`);
      return 0;
    }
  }

  function prune(): number {
    let deleted = 0;
    for (let step = pruneStep(); step > 0; step = pruneStep()) deleted += step;
    return deleted;
  }

  /** A backlog is deleted a step at a time, yielding to calls in between. */
  let pruning: ReturnType<typeof setTimeout> | undefined;
  function schedulePrune(): void {
    if (pruning) return;
    const step = () => {
      pruning = pruneStep() >= PRUNE_STEP ? setTimeout(step, 25) : undefined;
    };
    pruning = setTimeout(step, 0);
  }

  const unhooks = [
    hooks.hook("tool:call:after", (call) => push({ kind: "call", at: Date.now(), call })),
    hooks.hook("tool:call:refused", (call) => push({ kind: "refusal", at: Date.now(), call })),
    hooks.hook("admin:action", (action) => push({ kind: "admin", at: Date.now(), action })),
    hooks.hook("search:done", (search) => push({ kind: "search", at: Date.now(), search })),
    hooks.hook("tools:listed", (list) => push({ kind: "list", at: Date.now(), list })),
    hooks.hook("config:reload", (by) => {
      const next = keyNames(options.config());
      const at = Date.now();
      push({ kind: "admin", at, action: { action: "reload", caller: by ?? "config" } });
      for (const name of next) {
        if (!keys.has(name))
          push({
            kind: "admin",
            at,
            action: { action: "key.create", caller: "config", target: name },
          });
      }
      for (const name of keys) {
        if (!next.has(name))
          push({
            kind: "admin",
            at,
            action: { action: "key.revoke", caller: "config", target: name },
          });
      }
      keys = next;
    }),
  ];
  const timer = setInterval(flush, options.flushMs ?? 1000);
  timer.unref?.();
  const pruner = setInterval(schedulePrune, options.pruneMs ?? 60_000);
  pruner.unref?.();
  schedulePrune();

  return {
    query(query) {
      flush();
      return store.queryAudit(query);
    },
    summarize(since, caller) {
      flush();
      return store.summarizeAudit(since, caller);
    },
    flush,
    prune,
    close() {
      for (const unhook of unhooks) unhook();
      clearInterval(timer);
      clearInterval(pruner);
      clearTimeout(pruning);
      flush();
    },
  };
}

function keyNames(config: ResolvedConfig): Set<string> {
  return new Set(config.auth.api_keys.map((key) => key.name).filter(Boolean));
}

/** Hash, sizes and codes are worked out here, in the batch, never on the call path. */
function toRow(entry: Pending, withArguments: boolean): AuditRow {
  if (entry.kind === "search") {
    const { search } = entry;
    // A search that found nothing keeps its content words (as search.feedback stores them):
    // "which searches found nothing" is asked of these rows.
    const empty = search.matches === 0;
    return {
      at: entry.at,
      kind: "search",
      caller: search.caller,
      ...(search.session ? { session: search.session } : {}),
      tool: "gateway_search_tools",
      outcome: "ok",
      ...(empty ? { code: "NO_MATCH", detail: clip(queryKey(search.query)) } : {}),
    };
  }
  if (entry.kind === "list") {
    const { list } = entry;
    return {
      at: entry.at,
      kind: "list",
      caller: list.caller,
      ...(list.session ? { session: list.session } : {}),
      tool: "tools/list",
      outcome: "ok",
      detail: list.flat ? "flat" : "meta",
    };
  }
  if (entry.kind === "admin") {
    const { action } = entry;
    const detail = [action.target, action.detail].filter(Boolean).join(": ");
    return {
      at: entry.at,
      kind: "admin",
      caller: action.caller,
      tool: action.action,
      outcome: action.outcome ?? "ok",
      ...(action.target ? { server: action.target } : {}),
      ...(detail ? { detail: clip(redactText(detail)) } : {}),
    };
  }
  const { call } = entry;
  const row: AuditRow = {
    at: entry.at,
    kind: entry.kind,
    caller: call.caller,
    server: call.server,
    tool: call.asked ?? call.tool,
    outcome: "ok",
  };
  if (call.session) row.session = call.session;
  if (call.args) {
    try {
      const json = canonicalJson(redactValue(call.args));
      row.argsHash = createHash("sha256").update(json).digest("hex").slice(0, 16);
      if (withArguments) row.detail = clip(json);
    } catch {
      // Arguments past what the gateway handles (too deep to walk): the row, without a hash.
    }
  }
  if (entry.kind === "refusal") {
    row.outcome = "refused";
    row.code = codeOf(entry.call.error);
    return row;
  }
  const after = entry.call;
  row.latencyMs = Math.round(after.durationMs * 100) / 100;
  if (after.cost) row.cost = after.cost;
  if (after.error !== undefined) {
    row.outcome = "failed";
    row.code = codeOf(after.error);
  } else if (after.result) {
    if (after.result.isError) {
      row.outcome = "error";
      row.code = "TOOL_ERROR";
    }
    row.bytes = JSON.stringify(after.result).length;
  }
  return row;
}

function codeOf(error: unknown): string {
  return error instanceof GatewayError ? error.code : "BACKEND_ERROR";
}

function clip(text: string): string {
  return text.length > DETAIL_MAX ? `${text.slice(0, DETAIL_MAX - 1)}…` : text;
}

/**
 * `--since` and `?since=`: an age (`24h`, `7d`, `90m`), an ISO date or time, or epoch ms.
 * Returns epoch ms, or undefined when the text is none of these.
 */
export function parseSince(text: string, now = Date.now()): number | undefined {
  const age = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(text);
  if (age) {
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[age[2] as "d"];
    return now - Number(age[1]) * unit;
  }
  if (/^\d{10,}$/.test(text.trim())) return Number(text);
  const parsed = Date.parse(text);
  return Number.isNaN(parsed) ? undefined : parsed;
}
