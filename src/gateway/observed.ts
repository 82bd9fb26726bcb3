import type { AdmittedCall, CallInfo } from "../hooks.ts";
import type { CallToolResult } from "../mcp/sdk.ts";
import type { Gateway } from "./gateway.ts";

export type ObservedCall = CallInfo;

/** Errors `observedCall` recorded (a refusal at admission, or a call that failed). */
const recorded = new WeakSet<object>();

/** Whether `observedCall` recorded this error: the call was refused there, or sent and failed. */
export function wasRecorded(error: unknown): boolean {
  return typeof error === "object" && error !== null && recorded.has(error);
}

function record(error: unknown): void {
  if (typeof error === "object" && error !== null) recorded.add(error);
}

/** The label of calls to tools the backend never listed. */
export const UNKNOWN_TOOL = "(unknown)";

/** Runs every `tool:call:admit` hook now, in order: one that throws refuses the call. */
const runNow = (hooks: ((call: AdmittedCall) => unknown)[], args: [AdmittedCall]) => {
  for (const hook of hooks) hook(...args);
};

/**
 * Runs one backend tool call between the `tool:call:before` and `tool:call:after` hooks, which
 * metrics, usage stats, the dashboard and audit hang off. Every path that calls a tool uses it.
 * First the call is admitted (`tool:call:admit`, synchronous: budgets refuse here, before
 * anything is sent); a refusal goes to `tool:call:refused` and is thrown.
 */
export async function observedCall(
  gateway: Gateway,
  call: ObservedCall,
  run: () => Promise<CallToolResult>,
): Promise<CallToolResult> {
  // Metrics and usage label by tool: a name the index does not hold shares one label, so
  // invented names cannot grow a series each.
  // The audit log keeps the name asked for (`asked`): what was tried while a backend was down.
  if (!gateway.index.get(call.server, call.tool)) {
    call = { ...call, tool: UNKNOWN_TOOL, asked: call.tool };
  }
  const admitted: AdmittedCall = { ...call };
  try {
    gateway.hooks.callHookWith(runNow, "tool:call:admit", [admitted]);
  } catch (error) {
    refused(gateway, admitted, error);
    record(error);
    throw error;
  }
  const { warning, reserve, ...observed } = admitted;
  if (reserve) {
    try {
      await reserve();
    } catch (error) {
      refused(gateway, admitted, error);
      record(error);
      throw error;
    }
  }
  const started = performance.now();
  void gateway.hooks.callHook("tool:call:before", observed);
  try {
    let result = await run();
    void gateway.hooks.callHook("tool:call:after", {
      ...observed,
      durationMs: performance.now() - started,
      result,
    });
    // A budget near its limit: the caller reads it with the result.
    if (warning) result = { ...result, _meta: { ...result._meta, "mcp-gateway/budget": warning } };
    return result;
  } catch (error) {
    void gateway.hooks.callHook("tool:call:after", {
      ...observed,
      durationMs: performance.now() - started,
      error,
    });
    record(error);
    throw error;
  }
}

/** Records a call refused before it was sent (audit keeps every refusal). */
export function refused(gateway: Gateway, call: CallInfo, error: unknown): void {
  void gateway.hooks.callHook("tool:call:refused", { ...call, error });
}
