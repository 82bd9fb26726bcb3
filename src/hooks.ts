import { createHooks, type Hookable } from "hookable";
import type { BackendState } from "./backends/types.ts";
import type { CallToolResult, Tool } from "./mcp/sdk.ts";

/** The gateway's observable events. Metrics, usage stats and the UI hang off these. */
export interface GatewayHooks {
  "backend:state": (server: string, state: BackendState, error?: string) => void;
  "tools:changed": (server: string, tools: Tool[]) => void;
  /** Which tools of these servers are quarantined changed (gateway.lock approved or edited). */
  "tools:quarantine": (servers: string[]) => void;
  /**
   * Runs synchronously before a call is sent; a hook may refuse it by throwing a GatewayError
   * (budgets), or set `cost` and `warning` on the call (see `observedCall`).
   */
  "tool:call:admit": (call: AdmittedCall) => void;
  "tool:call:before": (call: CallInfo) => void;
  "tool:call:after": (
    call: CallInfo & { durationMs: number; result?: CallToolResult; error?: unknown },
  ) => void;
  /** A call refused before it was sent (unknown tool, scope, arguments, budget...). */
  "tool:call:refused": (call: CallInfo & { error: unknown }) => void;
  /** A `gateway_search_tools` answered, with how many tools it found. */
  "search:done": (search: {
    caller: string;
    session?: string;
    query: string;
    matches: number;
  }) => void;
  /** A client was sent `tools/list` (`flat`: every tool, else the meta tools). */
  "tools:listed": (list: { caller: string; session?: string; flat: boolean }) => void;
  /** An operator's action: keys, lock, reload, kill/revive (see `recordAdminAction`). */
  "admin:action": (action: AdminAction) => void;
  /** Sends an MCP logging notification to one client session. */
  "session:notify": (sessionId: string, level: "info" | "warning" | "error", data: unknown) => void;
  /** The firewall, sandbox or confirmation refused a call (`blocked`) or let it pass (`warned`). */
  "firewall:event": (event: { rule: string; action: "blocked" | "warned" }) => void;
  "session:open": (sessionId: string) => void;
  "session:close": (sessionId: string) => void;
  /**
   * `by`: the caller who asked for it (an admin's key), absent for the file watcher or SIGHUP;
   * `backends`: those whose resources and prompts may differ now (added, removed, replaced, or
   * all when keys or profiles changed what a caller reaches).
   */
  "config:reload": (by?: string, backends?: string[]) => void;
}

/** Who called what; `session` and `args` when the call came through a client session. */
export interface CallInfo {
  server: string;
  tool: string;
  caller: string;
  /** The client program's `clientInfo.name`, when the call came through a session. */
  client?: string;
  session?: string;
  args?: Record<string, unknown>;
  /** What the call costs (cost governance), set when it is admitted. */
  cost?: number;
  /** The tool as the caller named it, when `tool` is the shared label of unlisted tools. */
  asked?: string;
}

export interface AdmittedCall extends CallInfo {
  /** A note for the result's `_meta` (a budget near its limit). */
  warning?: Record<string, unknown>;
  /**
   * Set by an admit hook that must also hear from a shared store before the call is sent (a
   * budget in a cluster): awaited after every admit hook ran; throwing refuses the call.
   */
  reserve?: () => Promise<void>;
}

export interface AdminAction {
  /** `key.create`, `key.revoke`, `lock.update`, `reload`, `server.kill`, `server.revive`... */
  action: string;
  caller: string;
  /** What it acted on: a key name, a server. */
  target?: string;
  outcome?: "ok" | "failed";
  detail?: string;
}

export type GatewayHookable = Hookable<GatewayHooks>;

export function createGatewayHooks(): GatewayHookable {
  return createHooks<GatewayHooks>();
}

/** Records an operator's action in the audit log (and wherever else admin actions are observed). */
export function recordAdminAction(hooks: GatewayHookable, action: AdminAction): void {
  void hooks.callHook("admin:action", action);
}
