import { createHooks, type Hookable } from "hookable";
import type { BackendState } from "./backends/types.ts";
import type { CallToolResult, Tool } from "./mcp/sdk.ts";

/** The gateway's observable events. Metrics, usage stats and the UI hang off these. */
export interface GatewayHooks {
  "backend:state": (server: string, state: BackendState, error?: string) => void;
  "tools:changed": (server: string, tools: Tool[]) => void;
  /** Which tools of these servers are quarantined changed (gateway.lock approved or edited). */
  "tools:quarantine": (servers: string[]) => void;
  "tool:call:before": (call: { server: string; tool: string; caller: string }) => void;
  "tool:call:after": (call: {
    server: string;
    tool: string;
    caller: string;
    /** The client program's `clientInfo.name`, when the call came through a session. */
    client?: string;
    durationMs: number;
    result?: CallToolResult;
    error?: unknown;
  }) => void;
  /** The firewall, sandbox or confirmation refused a call (`blocked`) or let it pass (`warned`). */
  "firewall:event": (event: { rule: string; action: "blocked" | "warned" }) => void;
  "session:open": (sessionId: string) => void;
  "session:close": (sessionId: string) => void;
  "config:reload": () => void;
}

export type GatewayHookable = Hookable<GatewayHooks>;

export function createGatewayHooks(): GatewayHookable {
  return createHooks<GatewayHooks>();
}
