import type { CallerChannel, JsonObject, Progress } from "../backends/types.ts";
import { GatewayError } from "../errors.ts";
import type { Caller } from "../gateway/caller.ts";
import type { Gateway } from "../gateway/gateway.ts";
import type { CallToolResult, Tool } from "../mcp/sdk.ts";

/** What a meta tool gets besides its arguments. */
export interface MetaContext {
  gateway: Gateway;
  caller: Caller;
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
}

export interface MetaTool {
  definition: Tool;
  /** Whether `tools/list` shows it (default: always). */
  listed?(gateway: Gateway): boolean;
  handle(args: JsonObject, context: MetaContext): Promise<CallToolResult>;
}

/** A JSON result, as `structuredContent` and as text for clients that ignore structured content. */
export function jsonResult(value: JsonObject): CallToolResult {
  return { content: [{ type: "text", text: JSON.stringify(value) }], structuredContent: value };
}

/**
 * Waits (at most `meta_mcp.discovery_wait`) for backends still starting, and returns what a
 * list or search result then says about those that are not done: their names and a note, so
 * that their tools are never missing (or stale) without a word.
 */
export async function awaitStarting(gateway: Gateway, servers: string[]): Promise<JsonObject> {
  const starting = await gateway.pool.settle(servers, gateway.config.meta_mcp.discovery_wait);
  if (!starting.length) return {};
  return {
    starting,
    note: `still starting: ${starting.join(", ")}; their tools may be missing or out of date here, ask again in a moment`,
  };
}

/** The `starting` and `note` fields of list and search results (see `awaitStarting`). */
export const STARTING_SCHEMA = {
  starting: { type: "array", items: { type: "string" } },
  note: { type: "string" },
} as const;

/** A tool error whose text starts with the error code: `[TOOL_NOT_FOUND] ...`. */
export function errorResult(error: unknown): CallToolResult {
  const code = error instanceof GatewayError ? error.code : "INTERNAL";
  const message = error instanceof Error ? error.message : String(error);
  return { content: [{ type: "text", text: `[${code}] ${message}` }], isError: true };
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
