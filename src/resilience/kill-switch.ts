import type { FailsafeConfig } from "../config/schema.ts";
import { GatewayError, type GatewayErrorCode } from "../errors.ts";
import { logger } from "../logger.ts";

/** A backend (or one capability) that refuses calls until revived or its cooldown ends. */
export interface DisabledEntry {
  server: string;
  /** Set when one capability is disabled rather than its whole backend. */
  tool?: string;
  reason: "killed" | "error_budget";
  detail: string;
  since: number;
  /** When it comes back by itself (error budget cooldown); killed ones wait for a revive. */
  until?: number;
}

const keyOf = (server: string, tool?: string) => (tool ? `${server}:${tool}` : server);

/**
 * The kill switch: backends an operator killed and backends or capabilities their error budget
 * disabled. The pool asks it before every call; `gateway_revive_server` (or the cooldown) ends it.
 */
export class KillSwitch {
  private readonly entries = new Map<string, DisabledEntry>();
  private readonly revived = new Set<(server: string) => void>();

  disable(entry: DisabledEntry): void {
    this.entries.set(keyOf(entry.server, entry.tool), entry);
    logger.withTag(`backend:${entry.server}`).warn(`disabled: ${entry.detail}`);
  }

  /** Re-enables a backend and every capability of it; false when none was disabled. */
  enable(server: string): boolean {
    let found = false;
    for (const [key, entry] of this.entries) {
      if (entry.server !== server) continue;
      this.entries.delete(key);
      found = true;
    }
    for (const listener of this.revived) listener(server);
    return found;
  }

  /** Called on every revive (to reset what counted towards the budget). */
  onRevive(listener: (server: string) => void): void {
    this.revived.add(listener);
  }

  /** The entry that disables `server` (or `server:tool`) now, if any; expired ones are dropped. */
  get(server: string, tool?: string): DisabledEntry | undefined {
    const entry =
      this.entries.get(server) ?? (tool ? this.entries.get(keyOf(server, tool)) : undefined);
    if (entry?.until !== undefined && entry.until <= Date.now()) {
      this.entries.delete(keyOf(entry.server, entry.tool));
      logger
        .withTag(`backend:${server}`)
        .info(`error budget cooldown over; ${keyOf(server, entry.tool)} serves again`);
      return this.get(server, tool);
    }
    return entry;
  }

  /** Throws the refusal for a disabled backend or capability. */
  check(server: string, tool?: string): void {
    const entry = this.get(server, tool);
    if (!entry) return;
    const back = entry.until
      ? `, or it comes back by itself in ${Math.max(1, Math.ceil((entry.until - Date.now()) / 1000))}s`
      : "";
    throw new GatewayError(
      "BACKEND_DISABLED",
      `[backend:${server}] ${keyOf(entry.server, entry.tool)} is disabled (${entry.detail}); gateway_revive_server revives it${back}`,
      { data: { server, ...(entry.tool ? { tool: entry.tool } : {}), reason: entry.reason } },
    );
  }

  list(): DisabledEntry[] {
    return [...this.entries.values()].filter(
      (entry) => this.get(entry.server, entry.tool) === entry,
    );
  }
}

/** Refusals that never reached the backend: they say nothing about its health. */
const NOT_COUNTED = new Set<GatewayErrorCode>([
  "BACKEND_DISABLED",
  "CIRCUIT_OPEN",
  "RATE_LIMITED",
  "BACKEND_BUSY",
  "INVALID_ARGUMENTS",
  "POLICY_DENIED",
  "TOOL_NOT_FOUND",
  "TOOL_QUARANTINED",
]);

type BudgetConfig = FailsafeConfig["error_budget"];

/** One finished call: its backend, its tool when budgeted alone (a capability), its outcome. */
export interface BudgetCall {
  server: string;
  /** Set for a capability: it is budgeted on its own, and its `isError` counts. */
  tool?: string;
  result?: { isError?: boolean; content?: unknown[] };
  error?: unknown;
}

/**
 * A capability's `isError` that is the API failing: unreachable, timed out, a bad answer or a
 * 5xx. Refusals (a private address, a missing secret, bad arguments) and 4xx answers are not.
 */
function upstreamFailed(result: BudgetCall["result"]): boolean {
  if (result?.isError !== true) return false;
  const first = result.content?.[0] as { type?: string; text?: string } | undefined;
  const text = first?.type === "text" ? (first.text ?? "") : "";
  return (
    /^\[UPSTREAM_(UNREACHABLE|TIMEOUT|BAD_RESPONSE)\]/.test(text) ||
    /^\[UPSTREAM_HTTP_ERROR\] .* returned 5\d\d/.test(text)
  );
}

/**
 * Error budgets (the original's): a backend whose calls failed at `threshold` or more over its
 * last `window_size` calls within `window` (at least `min_calls`) is disabled for `cooldown`.
 * Only calls sent to the backend count (the pool records them): a call refused before it left
 * (parked, breaker open, scopes) says nothing new. Capabilities are budgeted one by one, and a
 * capability's `isError` counts when the API failed (see `upstreamFailed`); for MCP backends
 * only calls that failed outright count (a model's bad arguments do not).
 */
/**
 * A backend's (or capability's) recent calls, oldest first, with their failures counted as they
 * come and go: recording a call costs the same whatever the window's size.
 */
class CallWindow {
  private at: number[] = [];
  private failed: boolean[] = [];
  private head = 0;
  failures = 0;

  get size(): number {
    return this.at.length - this.head;
  }

  /** Adds a call, then drops those older than `windowMs` and the oldest past `max`. */
  push(now: number, failed: boolean, windowMs: number, max: number): void {
    this.at.push(now);
    this.failed.push(failed);
    if (failed) this.failures++;
    while (this.size > 0 && (now - this.at[this.head]! >= windowMs || this.size > max)) {
      if (this.failed[this.head]) this.failures--;
      this.head++;
    }
    if (this.head > 64 && this.head * 2 > this.at.length) {
      this.at = this.at.slice(this.head);
      this.failed = this.failed.slice(this.head);
      this.head = 0;
    }
  }
}

export class ErrorBudget {
  private readonly windows = new Map<string, CallWindow>();

  constructor(
    private readonly kill: KillSwitch,
    private readonly config: () => BudgetConfig,
  ) {
    kill.onRevive((server) => {
      for (const key of this.windows.keys()) {
        if (key === server || key.startsWith(`${server}:`)) this.windows.delete(key);
      }
    });
  }

  record(call: BudgetCall): void {
    const config = this.config();
    if (!config.enabled) return;
    const code = (call.error as { code?: GatewayErrorCode } | undefined)?.code;
    if (code && NOT_COUNTED.has(code)) return;
    const capability = call.tool !== undefined;
    const failed = call.error !== undefined || (capability && upstreamFailed(call.result));
    const key = keyOf(call.server, call.tool);
    const now = Date.now();
    const window = this.windows.get(key) ?? new CallWindow();
    this.windows.set(key, window);
    window.push(now, failed, config.window, config.window_size);
    const { failures, size } = window;
    if (size < config.min_calls || failures / size < config.threshold) return;
    this.windows.delete(key);
    this.kill.disable({
      server: call.server,
      ...(capability ? { tool: call.tool } : {}),
      reason: "error_budget",
      detail: `error budget: ${failures} of the last ${size} calls failed`,
      since: now,
      until: now + config.cooldown,
    });
  }
}
