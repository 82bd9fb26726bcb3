import type { JsonObject } from "../backends/types.ts";
import { GatewayError } from "../errors.ts";
import type { CallToolResult } from "../mcp/sdk.ts";
import type { Caller } from "./caller.ts";
import type { Gateway, TaskOwner } from "./gateway.ts";

/**
 * A task's deferred result (`tasks/result`), checked as the call's own result would have been:
 * the firewall's result scan (under the tool's rule) and `redact_results`. A task-augmented
 * call answers with the task, so these checks saw nothing when it was made. A withheld result
 * is the tool error the direct call would have got.
 */
export function screenTaskResult(
  gateway: Gateway,
  owner: TaskOwner,
  result: JsonObject,
): JsonObject {
  try {
    const tool = owner.tool ?? "*";
    const scanned = gateway.security.calls.scanResult(
      owner.server,
      tool,
      result as CallToolResult,
      // A rule written for the backend's own name of a renamed tool applies here too.
      gateway.pool.ownToolName(owner.server, tool),
    );
    return gateway.security.filterResult(scanned) as JsonObject;
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    return {
      content: [{ type: "text", text: `[${error.code}] ${error.message}` }],
      isError: true,
      ...(result._meta !== undefined && { _meta: result._meta }),
    };
  }
}

/**
 * Whether `caller` may see a task: it made it, and may still call its tool (a reload that took
 * the tool out of its scopes, or a profile that hides it, leaves the task unknown to it, as a
 * call of the tool would be refused).
 */
export function ownsTask(owner: TaskOwner | undefined, caller: Caller): owner is TaskOwner {
  return !!owner && owner.caller === caller.id && caller.allows(owner.server, owner.tool ?? "*");
}
