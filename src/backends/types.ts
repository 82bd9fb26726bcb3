import type { CallToolResult, ServerCapabilities, Tool } from "../mcp/sdk.ts";

/**
 * Where a backend is in its life: not started, connecting, serving, broken, or waiting for an
 * OAuth login (`mcp-gateway auth login NAME`), which is not a failure.
 */
export type BackendState = "idle" | "starting" | "ready" | "failed" | "open" | "needs_login";

/** The transport actually in use once a backend is connected (`auto` resolves to one of the two). */
export type ActiveTransport = "stdio" | "streamable-http" | "sse" | "internal";

export type JsonObject = Record<string, unknown>;

export interface Progress {
  progress: number;
  total?: number;
  message?: string;
}

/** One call's options: cancellation, progress, and the limits that bound it. */
export interface CallOptions {
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /** Milliseconds without progress before the call times out. */
  timeout: number;
  /** Milliseconds the call may take in total, progress or not. */
  maxTotalTimeout: number;
  /** The client's `_meta`, passed on (minus the progress token, which the SDK owns). */
  meta?: JsonObject;
  /** Other request params passed through as sent (`task` on a task-augmented call). */
  extra?: JsonObject;
}

/**
 * Who a backend's server-to-client requests go to. The session that made the call in flight
 * supplies one; the pool routes a reverse request to it only when it is the only candidate.
 */
export interface CallerChannel {
  sessionId: string;
  /** Who is calling, for backends with `per_caller` credentials. */
  identity?: CallerIdentity;
  /** Sends a request to the client on the stream of the call in flight. */
  request(method: string, params: JsonObject | undefined, signal: AbortSignal): Promise<JsonObject>;
  /** Sends a notification to the client, related to the call in flight. */
  notify(method: string, params: JsonObject | undefined): Promise<void>;
  /** Whether the client declared this capability (absent: assume it did). */
  declares?(capability: "roots" | "sampling" | "elicitation"): boolean;
}

/** A caller's id and the values `per_caller` templates may use (its key's `credentials`, token claims). */
export interface CallerIdentity {
  id: string;
  credentials: Record<string, string>;
}

/** What a connection tells its owner. */
export interface ConnectionEvents {
  onToolsChanged(): void;
  onNotification(method: string, params: JsonObject | undefined): void;
  onRequest(
    method: string,
    params: JsonObject | undefined,
    signal: AbortSignal,
  ): Promise<JsonObject>;
  onClose(): void;
  onStderr(line: string): void;
  /** The backend refused the gateway's OAuth token and no refresh helped. */
  onNeedsLogin?(message: string): void;
  /**
   * What a notification (progress included) passes as it leaves the backend, before it is
   * routed: the security layer's scan of its text. Its params, changed or not.
   */
  screen?(method: string, params: JsonObject | undefined): JsonObject | undefined;
}

/** A live connection to one backend: the driver seam every transport implements. */
export interface BackendConnection {
  readonly transport: ActiveTransport;
  readonly pid?: number;
  /** What the backend declared at `initialize`, mirrored by `/mcp/{backend}`. */
  readonly capabilities: ServerCapabilities;
  readonly instructions?: string;
  readonly serverInfo?: { name: string; version: string };
  /** Sends a notification to the backend (`notifications/roots/list_changed`, say). */
  notify(method: string, params?: JsonObject): Promise<void>;
  listTools(): Promise<Tool[]>;
  callTool(name: string, args: JsonObject, options: CallOptions): Promise<CallToolResult>;
  request(
    method: string,
    params: JsonObject | undefined,
    options: CallOptions,
  ): Promise<JsonObject>;
  ping(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A backend served inside the gateway (the capabilities executor): one more driver, opened by
 * the pool like any other, with names it also answers to.
 */
export interface InternalDriver {
  name: string;
  description?: string;
  aliases?: string[];
  /** Default per-call timeout in ms. */
  timeout?: number;
  open(events: ConnectionEvents): Promise<BackendConnection>;
  /** Re-reads what it serves (SIGHUP, `POST /api/reload`). */
  reload?(): unknown;
  /** What the search should also index for one of its tools: keywords, example requests. */
  hints?(tool: string): string | undefined;
  /** What one call of this tool costs, when its definition says (cost governance). */
  costOf?(tool: string): number | undefined;
}
