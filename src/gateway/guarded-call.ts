import type { CallerChannel, CallOptions, JsonObject } from "../backends/types.ts";
import type { CallToolResult, Tool } from "../mcp/sdk.ts";
import type { Gateway } from "./gateway.ts";
import { type ObservedCall, observedCall } from "./observed.ts";
import { recordTask } from "./task-table.ts";

export interface ToolCall {
  /** What hooks, metrics, usage and the audit log see (server, tool, caller, session, args). */
  observed: ObservedCall & { server: string; tool: string; args: JsonObject };
  /** The backend's definition, when listed: the firewall and confirmation read its schema. */
  definition: Tool | undefined;
  /** Why the caller may no longer make the call now (asked again after a confirmation). */
  recheck: () => string | undefined;
  /** A task-augmented call (2025-11-25): its answer is recorded for later `tasks/*`. */
  task?: JsonObject;
  options: Omit<CallOptions, "timeout" | "maxTotalTimeout" | "extra">;
  channel?: CallerChannel;
}

/**
 * One backend tool call as every caller-facing path makes it (`gateway_invoke`, scripts,
 * chains and playbooks through it, and `/mcp/{backend}`): inside the observed call the
 * session sandbox, argument firewall and confirmation (`security.calls`), then the backend; a
 * task's answer is bound to its caller, and the result goes through the result firewall and
 * redaction. A refusal shows in the metrics, recent calls and the audit log with its code.
 */
export async function guardedCall(gateway: Gateway, call: ToolCall): Promise<CallToolResult> {
  const { observed, task, channel } = call;
  const { server, tool, args } = observed;
  // A key revoked while the call runs (a reload took it out) ends it at once, at the backend too.
  const revoked = gateway.security.auth.revocation(observed.caller);
  const signal =
    revoked && call.options.signal
      ? AbortSignal.any([call.options.signal, revoked])
      : (revoked ?? call.options.signal);
  const result = await observedCall(gateway, observed, () =>
    gateway.security.calls.run(
      {
        server,
        tool,
        own: gateway.pool.ownToolName(server, tool),
        definition: call.definition,
        args,
        channel,
        session: observed.session || observed.caller,
        recheck: call.recheck,
      },
      () =>
        gateway.pool
          .callTool(
            server,
            tool,
            args,
            { ...call.options, signal, ...(task ? { extra: { task } } : {}) },
            channel,
          )
          .catch((error: unknown) => {
            // The SDK's cancellation wraps the reason in text: the reason is what to say.
            throw revoked?.aborted ? revoked.reason : error;
          }),
    ),
  );
  const answer = task
    ? recordTask(gateway.tasks, result, {
        server,
        tool,
        caller: observed.caller,
        session: observed.session ?? "",
        generation: gateway.pool.generation(server, observed.session),
      })
    : result;
  // The task's record reaches the cluster's other instances before its client hears of it.
  if (task) await gateway.tasks.settled((answer as { task?: { taskId?: string } }).task?.taskId);
  return gateway.security.filterResult(answer);
}
