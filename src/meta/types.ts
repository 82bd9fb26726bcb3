import type { CallerChannel, JsonObject, Progress } from "../backends/types.ts";
import type { ResolvedConfig } from "../config/load.ts";
import { GatewayError } from "../errors.ts";
import type { Caller } from "../gateway/caller.ts";
import type { Gateway } from "../gateway/gateway.ts";
import type { CallToolResult, Tool } from "../mcp/sdk.ts";

/** What a meta tool gets besides its arguments. */
export interface MetaContext {
  gateway: Gateway;
  caller: Caller;
  /** The client program's `clientInfo.name`: search feedback learns per caller and client. */
  client?: string;
  signal: AbortSignal;
  /** Relays a backend's progress to the client, on the client's own token. */
  onProgress?: (progress: Progress) => void;
  /** The session's channel for the backend's reverse requests during this call. */
  channel?: CallerChannel;
  /** The client's `_meta` on this call, without the progress token. */
  meta?: JsonObject;
  /** A task-augmented call's `task` param, passed on to the backend. */
  task?: JsonObject;
  /** The client session, so a task the backend creates is owned by it. */
  sessionId?: string;
  /** Asks the client to confirm through elicitation; absent when the client cannot elicit. */
  elicit?: (message: string) => Promise<"accept" | "decline" | "cancel">;
}

export interface MetaTool {
  definition: Tool;
  /** An operator tool its own setting lists even when `meta_mcp.operator_tools` does not name it. */
  listed?(config: Pick<ResolvedConfig, "cost_governance">): boolean;
  handle(args: JsonObject, context: MetaContext): Promise<CallToolResult>;
}

/** A JSON result, as `structuredContent` and as text for clients that ignore structured content. */
export function jsonResult(value: JsonObject): CallToolResult {
  return { content: [{ type: "text", text: JSON.stringify(value) }], structuredContent: value };
}

/**
 * Waits (at most `meta_mcp.discovery_wait`) for backends still starting, and returns what a
 * list or search result then says about those that are not done: their names and a note, so
 * that their tools are never missing (or stale) without a word. The two fields are left out of
 * the meta tools' outputSchemas (which allow more properties): they appear rarely, and declaring
 * them would cost every client about 40 tokens of `tools/list`.
 */
export async function awaitStarting(gateway: Gateway, servers: string[]): Promise<JsonObject> {
  const starting = await gateway.pool.settle(servers, gateway.config.meta_mcp.discovery_wait);
  if (!starting.length) return {};
  return {
    starting,
    note: `still starting: ${starting.join(", ")}; their tools may be missing or out of date here, ask again in a moment`,
  };
}

/**
 * A tool error whose text starts with the error code: `[TOOL_NOT_FOUND] ...`. A JSON-RPC error
 * (a numeric code: the backend's answer, passed through) is `[BACKEND_ERROR]`: as `[INTERNAL]`
 * it read as the gateway's own failure.
 */
export function errorResult(error: unknown): CallToolResult {
  const rpc = (error as { code?: unknown } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof GatewayError) && typeof rpc === "number") {
    const text = `[BACKEND_ERROR] ${message} (JSON-RPC error ${rpc})`;
    return { content: [{ type: "text", text }], isError: true };
  }
  const code = error instanceof GatewayError ? error.code : "INTERNAL";
  return { content: [{ type: "text", text: `[${code}] ${message}` }], isError: true };
}

/** Refuses a caller without an admin key: the tools that change the gateway's state. */
export function requireAdmin(caller: Caller, tool: string): void {
  if (caller.admin) return;
  throw new GatewayError("POLICY_DENIED", `${tool} needs an admin key`);
}

/** An object schema with these properties, none extra (an operator tool's result or input). */
export function objectSchema(
  properties: Record<string, unknown>,
  required: string[] = [],
): Tool["inputSchema"] {
  return {
    type: "object",
    properties,
    required,
    additionalProperties: false,
  } as Tool["inputSchema"];
}

/** Reads an optional string argument, rejecting other types with a message naming the field. */
export function stringArg(args: JsonObject, name: string, required: true): string;
export function stringArg(args: JsonObject, name: string, required?: false): string | undefined;
export function stringArg(args: JsonObject, name: string, required = false): string | undefined {
  const value = args[name];
  if (value === undefined || value === null || value === "") {
    if (required) throw new GatewayError("INVALID_ARGUMENTS", `"${name}" is required`);
    return undefined;
  }
  if (typeof value !== "string") {
    throw new GatewayError("INVALID_ARGUMENTS", `"${name}" must be a string, got ${typeof value}`);
  }
  return value;
}
