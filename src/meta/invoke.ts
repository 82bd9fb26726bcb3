import type { JsonObject } from "../backends/types.ts";
import { errorMessage, GatewayError, type GatewayErrorCode } from "../errors.ts";
import type { Caller } from "../gateway/caller.ts";
import type { Gateway } from "../gateway/gateway.ts";
import { guardedCall } from "../gateway/guarded-call.ts";
import { observedCall, refused, wasRecorded } from "../gateway/observed.ts";
import type { Resolved } from "../gateway/router.ts";
import type { CallToolResult } from "../mcp/sdk.ts";
import { splitWarnings } from "../security/call-notes.ts";
import type { MetaContext, MetaTool } from "./types.ts";
import { stringArg } from "./types.ts";
import { checkArgumentLimits, checkArguments } from "./validate.ts";

export const invoke: MetaTool = {
  definition: {
    name: "gateway_invoke",
    description:
      "Call a backend tool. Returns the tool's own result. Find server, tool and arguments with gateway_search_tools first.",
    inputSchema: {
      type: "object",
      properties: {
        server: { type: "string", description: "Server name" },
        tool: { type: "string", description: "Tool name on that server" },
        arguments: { type: "object", description: "The tool's arguments, per its inputSchema" },
      },
      required: ["server", "tool"],
      additionalProperties: false,
    },
    // Task-augmented calls (2025-11-25) go through to backends whose tool supports them.
    execution: { taskSupport: "optional" },
    annotations: {
      title: "Invoke tool",
      readOnlyHint: false,
      destructiveHint: true,
      openWorldHint: true,
    },
  },
  async handle(args, context) {
    const { gateway, caller, sessionId } = context;
    const toolName = stringArg(args, "tool", true);
    try {
      return await invokeTool(args, toolName, context);
    } catch (error) {
      const named = typeof args.server === "string" ? args.server : "";
      const server = gateway.pool.canonical(named) ?? named;
      // Sent and failed, or refused in `observedCall`: recorded there, once. A JSON-RPC error
      // the backend answered (or the SDK's, on an answer that breaks the spec) is the backend's.
      if (wasRecorded(error)) throw backendsOwn(error, server);
      // Refused before it was sent (name, scope, arguments): recorded for the audit log.
      // Backend refusals and budget refusals were recorded where they happened.
      if (!(error instanceof GatewayError && RECORDED.has(error.code))) {
        refused(gateway, { server, tool: toolName, caller: caller.id, session: sessionId }, error);
      }
      throw error;
    }
  },
};

/**
 * A backend's JSON-RPC error as `[BACKEND_ERROR] [backend:NAME] message` (read as `[INTERNAL]`,
 * the gateway's own bug, before). URL elicitation (-32042) goes on as it is: the client acts on
 * its code and data.
 */
function backendsOwn(error: unknown, server: string): unknown {
  const code = (error as { code?: unknown })?.code;
  if (error instanceof GatewayError || typeof code !== "number" || code === -32042) return error;
  return new GatewayError("BACKEND_ERROR", `[backend:${server}] ${errorMessage(error)}`, {
    cause: error,
  });
}

async function invokeTool(
  args: JsonObject,
  toolName: string,
  { gateway, caller, client, signal, onProgress, channel, meta, task, sessionId }: MetaContext,
) {
  const toolArgs = parseArguments(args.arguments);
  const { server, tool } = await resolveCounted(gateway, args, toolName, caller, sessionId);
  // Limits first: the schema check below recurses, and so does sending.
  const problem = checkArgumentLimits(toolArgs) ?? checkArguments(tool, toolArgs);
  if (problem) {
    throw new GatewayError(
      "INVALID_ARGUMENTS",
      `arguments for ${server}:${toolName} do not match its inputSchema: ${problem}`,
    );
  }
  return guardedCall(gateway, {
    observed: {
      server,
      tool: toolName,
      caller: caller.id,
      client,
      session: sessionId,
      args: toolArgs,
    },
    definition: tool,
    recheck: () => recheck(gateway, server, toolName, caller),
    ...(task ? { task } : {}),
    options: { signal, onProgress, meta },
    channel,
  });
}

/**
 * Charges one call that a script, a chain or a playbook makes to the caller's `rate_limit`, as a
 * JSON-RPC message of its own: one `gateway_execute` of 50 calls went past a limit of 10 a minute
 * (a batch costs its messages; a script is the same packing). Throws `RATE_LIMITED` when spent.
 */
export async function chargeNested(gateway: Gateway, caller: Caller): Promise<void> {
  const over = await gateway.security.auth.charge(caller, 1);
  if (!over) return;
  const seconds = over.headers.get("retry-after") ?? "60";
  throw new GatewayError(
    "RATE_LIMITED",
    `${caller.id} is over its rate limit (each call a script, a chain or a playbook makes counts, as a message would); retry in ${seconds}s`,
  );
}

/**
 * A call a script, a chain or a playbook makes: charged to the caller's rate limit
 * (`chargeNested`), then the same path as `gateway_invoke` (router, scopes, quarantine, lock,
 * checks, firewall, budgets, hooks), outside any task; the firewall's notes on its result go
 * into `warnings` for the whole answer (src/security/call-notes.ts). `charged: false` for a call
 * that is the request's own message (the original's one-call `gateway_execute`).
 */
export function nestedCaller(
  context: MetaContext,
  warnings: string[],
  charged = true,
): (server: string, tool: string, args: unknown, signal?: AbortSignal) => Promise<CallToolResult> {
  return async (server, tool, args, signal) => {
    if (charged) await chargeNested(context.gateway, context.caller);
    const { warnings: notes, result } = splitWarnings(
      await invoke.handle(
        { server, tool, ...(args !== undefined ? { arguments: args as JsonObject } : {}) },
        { ...context, ...(signal ? { signal } : {}), task: undefined },
      ),
    );
    warnings.push(...notes);
    return result;
  };
}

/** Why `caller` may no longer call `server:tool` (scopes, policy, quarantine), else undefined. */
export function recheck(
  gateway: Gateway,
  server: string,
  tool: string,
  caller: Caller,
): string | undefined {
  try {
    gateway.router.check(server, tool, caller);
    return undefined;
  } catch (error) {
    return errorMessage(error);
  }
}

/** `arguments` may be an object, a JSON string of one (some clients send that), or absent. */
function parseArguments(value: unknown): JsonObject {
  if (value === undefined || value === null) return {};
  if (typeof value === "string") {
    if (!value.trim()) return {};
    try {
      value = JSON.parse(value);
    } catch {
      throw new GatewayError("INVALID_ARGUMENTS", `"arguments" is a string that is not valid JSON`);
    }
  }
  if (typeof value !== "object" || Array.isArray(value) || value === null) {
    throw new GatewayError("INVALID_ARGUMENTS", `"arguments" must be an object`);
  }
  return value as JsonObject;
}

/** Errors of a backend that could not take the call (as opposed to a wrong name or scope). */
const BACKEND_REFUSALS = new Set<GatewayErrorCode>([
  "BACKEND_UNAVAILABLE",
  "BACKEND_TIMEOUT",
  "BACKEND_BUSY",
  "CIRCUIT_OPEN",
  "RATE_LIMITED",
]);

/** Errors already recorded by `observedCall` (as a failed call or a refusal). */
const RECORDED = new Set<GatewayErrorCode>([
  ...BACKEND_REFUSALS,
  "BUDGET_EXCEEDED",
  "FIREWALL_BLOCKED",
  "SANDBOX_LIMIT",
  "CONFIRMATION_REQUIRED",
]);

/**
 * Resolves the tool to call. A backend that cannot start (parked, breaker open, too slow) fails
 * the call there, before it is sent: it is recorded as a failed call all the same, so usage
 * stats show it.
 */
async function resolveCounted(
  gateway: Gateway,
  args: JsonObject,
  toolName: string,
  caller: Caller,
  session: string | undefined,
): Promise<Resolved> {
  const named = stringArg(args, "server", true);
  try {
    return await gateway.router.resolve(named, toolName, caller);
  } catch (error) {
    if (!(error instanceof GatewayError) || !BACKEND_REFUSALS.has(error.code)) throw error;
    const server = gateway.pool.canonical(named);
    const call = { server, tool: toolName, caller: caller.id, session };
    await observedCall(gateway, call, () => Promise.reject(error));
    throw error;
  }
}
