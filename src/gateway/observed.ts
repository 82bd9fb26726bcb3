import type { CallToolResult } from "../mcp/sdk.ts";
import type { Gateway } from "./gateway.ts";

export interface ObservedCall {
  server: string;
  tool: string;
  caller: string;
  /** The client program's `clientInfo.name`, passed to `tool:call:after`. */
  client?: string;
}

/** The label of calls to tools the backend never listed. */
export const UNKNOWN_TOOL = "(unknown)";

/**
 * Runs one backend tool call between the `tool:call:before` and `tool:call:after` hooks, which
 * metrics, usage stats, the dashboard and audit hang off. Every path that calls a tool uses it.
 */
export async function observedCall(
  gateway: Gateway,
  call: ObservedCall,
  run: () => Promise<CallToolResult>,
): Promise<CallToolResult> {
  // Metrics and usage label by tool: a name the index does not hold shares one label, so
  // invented names cannot grow a series each.
  if (!gateway.index.get(call.server, call.tool)) call = { ...call, tool: UNKNOWN_TOOL };
  const started = performance.now();
  void gateway.hooks.callHook("tool:call:before", call);
  try {
    const result = await run();
    void gateway.hooks.callHook("tool:call:after", {
      ...call,
      durationMs: performance.now() - started,
      result,
    });
    return result;
  } catch (error) {
    void gateway.hooks.callHook("tool:call:after", {
      ...call,
      durationMs: performance.now() - started,
      error,
    });
    throw error;
  }
}
