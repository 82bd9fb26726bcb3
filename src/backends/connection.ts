import { statSync } from "node:fs";
import { z } from "zod";
import type { ResolvedBackend } from "../config/load.ts";
import { formatSize } from "../config/size.ts";
import { GatewayError } from "../errors.ts";
import { logger } from "../logger.ts";
import {
  type CallToolResult,
  OrderedClient,
  type RequestMethod,
  SSEClientTransport,
  StreamableHTTPClientTransport,
  type Tool,
  type Transport,
} from "../mcp/sdk.ts";
import { redactText } from "../security/redact.ts";
import { VERSION } from "../version.ts";
import { limitedFetch } from "./http-limit.ts";
import { DEFAULT_MAX_MESSAGE_SIZE } from "./line-limit.ts";
import { createTransportAuth, usesOAuth } from "./oauth/transport-auth.ts";
import { ProcessTransport } from "./stdio-transport.ts";
import type {
  ActiveTransport,
  BackendConnection,
  CallOptions,
  ConnectionEvents,
  JsonObject,
  Progress,
} from "./types.ts";

/**
 * Results relayed to clients are passed through as the backend sent them: any JSON object,
 * unknown fields kept (the SDK's method schemas would strip or refuse what the gateway relays,
 * like task results, or methods it has no schema for).
 */
const PASS_THROUGH = z.looseObject({});

/** The environment variables a stdio backend gets from the gateway unless `inherit_env` is set. */
const BASE_ENV = ["HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER", "TMPDIR"];

/** Opens a connection to a backend over its configured transport (auto-detecting HTTP vs SSE). */
export async function openConnection(
  backend: ResolvedBackend,
  events: ConnectionEvents,
  env: Record<string, string | undefined> = process.env,
  signal?: AbortSignal,
): Promise<BackendConnection> {
  if (backend.transport === "stdio") {
    // A missing working folder fails the spawn with ENOENT, which reads as a missing command.
    if (backend.cwd && !isDirectory(backend.cwd)) {
      throw new GatewayError(
        "BACKEND_UNAVAILABLE",
        `[backend:${backend.name}] backends.${backend.name}.cwd: ${backend.cwd} is not an existing folder; create it or fix the path`,
      );
    }
    const transport = new ProcessTransport({
      command: backend.command!,
      args: backend.args,
      env: backendEnv(backend, env),
      cwd: backend.cwd,
      onStderr: events.onStderr,
      maxMessageSize: backend.max_message_size ?? DEFAULT_MAX_MESSAGE_SIZE,
      onOversized: (bytes, failed) =>
        logger
          .withTag(`backend:${backend.name}`)
          .warn(
            `dropped a ${formatSize(bytes)} message, over max_message_size (${formatSize(backend.max_message_size ?? DEFAULT_MAX_MESSAGE_SIZE)}); ${failed} call(s) failed with RESULT_TOO_LARGE`,
          ),
    });
    return connectOver(backend, "stdio", transport, events, signal);
  }
  const url = new URL(backend.url!);
  const requestInit: RequestInit = { headers: backend.headers };
  // Answers are held to max_message_size, as over stdio.
  const capped = limitedFetch(backend.name, backend.max_message_size ?? DEFAULT_MAX_MESSAGE_SIZE);
  const authProvider = usesOAuth(backend)
    ? createTransportAuth(backend, env, (message) => events.onNeedsLogin?.(message))
    : undefined;
  const options = { requestInit, authProvider, fetch: capped };
  if (backend.transport === "sse") {
    return connectOver(backend, "sse", new SSEClientTransport(url, options), events, signal);
  }
  try {
    const transport = new StreamableHTTPClientTransport(url, options);
    return await connectOver(backend, "streamable-http", transport, events, signal);
  } catch (error) {
    // A legacy HTTP+SSE server answers the Streamable HTTP POST with 400, 404 or 405.
    if (backend.transport !== "auto" || !isLegacyHttpStatus(error)) throw error;
    return connectOver(backend, "sse", new SSEClientTransport(url, options), events, signal);
  }
}

function isLegacyHttpStatus(error: unknown): boolean {
  const status = (error as { status?: unknown })?.status;
  if (typeof status === "number") return status === 400 || status === 404 || status === 405;
  return /\b(400|404|405)\b/.test(String((error as Error)?.message ?? error));
}

/** The child's environment: a safe base from the gateway plus the backend's own `env`. */
export function backendEnv(
  backend: ResolvedBackend,
  env: Record<string, string | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  const keys = backend.inherit_env ? Object.keys(env) : BASE_ENV;
  for (const key of keys) {
    const value = env[key];
    if (value !== undefined) out[key] = value;
  }
  return { ...out, ...backend.env };
}

async function connectOver(
  backend: ResolvedBackend,
  kind: ActiveTransport,
  transport: Transport,
  events: ConnectionEvents,
  signal?: AbortSignal,
): Promise<BackendConnection> {
  const client = new OrderedClient(
    { name: "mcp-gateway", version: VERSION },
    {
      // Declared so that backends offer the tools that need them; the gateway relays each
      // request to the client session whose call caused it.
      capabilities: {
        sampling: {},
        elicitation: { form: {}, url: {} },
        roots: { listChanged: true },
      },
      listMaxPages: 1000,
    },
  );
  for (const method of ["sampling/createMessage", "elicitation/create", "roots/list"] as const) {
    client.setRequestHandler(method, async (request, ctx) => {
      const params = (request as { params?: JsonObject }).params;
      // biome-ignore lint/suspicious/noExplicitAny: the relayed result is the client's, passed as is
      return (await events.onRequest(method, params, ctx.mcpReq.signal)) as any;
    });
  }
  client.setNotificationHandler("notifications/tools/list_changed", async () => {
    events.onToolsChanged();
  });
  client.fallbackNotificationHandler = async (notification) => {
    events.onNotification(notification.method, notification.params as JsonObject | undefined);
  };
  let closed = false;
  client.onclose = () => {
    if (closed) return;
    closed = true;
    events.onClose();
  };
  client.onerror = () => {};
  // Stopped while starting: closing the transport ends the process and fails the connect.
  const abandon = () => void transport.close().catch(() => {});
  signal?.addEventListener("abort", abandon, { once: true });
  try {
    await client.connect(transport, { timeout: startupTimeout(backend) });
    if (signal?.aborted) throw new Error("stopped while starting");
  } catch (error) {
    closed = true;
    await transport.close().catch(() => {});
    throw error;
  } finally {
    signal?.removeEventListener("abort", abandon);
  }

  const requestOptions = (options: CallOptions) => ({
    signal: options.signal,
    timeout: options.timeout,
    maxTotalTimeout: options.maxTotalTimeout,
    resetTimeoutOnProgress: true,
    // Always ask for progress: it is what keeps a long call alive past its timeout, even when
    // the client itself did not ask to see it.
    onprogress: options.onProgress
      ? (progress: Progress) =>
          options.onProgress?.(
            (events.screen?.("notifications/progress", { ...progress }) ?? progress) as Progress,
          )
      : () => {},
  });

  const info = client.getServerVersion();
  return {
    transport: kind,
    pid: transport instanceof ProcessTransport ? transport.pid : undefined,
    capabilities: client.getServerCapabilities() ?? {},
    instructions: client.getInstructions(),
    serverInfo: info ? { name: info.name, version: info.version } : undefined,
    async notify(method, params): Promise<void> {
      await client.notification({ method, params } as Parameters<typeof client.notification>[0]);
    },
    async listTools(): Promise<Tool[]> {
      // Asked anyway, the SDK says so with console.debug, on stdout: the stdio MCP channel.
      if (!client.getServerCapabilities()?.tools) return [];
      const { tools } = await client.listTools(undefined, { timeout: startupTimeout(backend) });
      return tools;
    },
    async callTool(name, args, options): Promise<CallToolResult> {
      const params: JsonObject = { name, arguments: args, ...options.extra };
      if (options.meta && Object.keys(options.meta).length) params._meta = options.meta;
      // Passed through untouched (a task-augmented call answers with a CreateTaskResult).
      return (await client
        .request({ method: "tools/call", params }, PASS_THROUGH, requestOptions(options))
        .catch((error) => Promise.reject(tooLarge(backend, error)))) as CallToolResult;
    },
    async request(method, params, options): Promise<JsonObject> {
      const result = await client
        .request({ method: method as RequestMethod, params }, PASS_THROUGH, requestOptions(options))
        .catch((error) => Promise.reject(tooLarge(backend, error)));
      return result as JsonObject;
    },
    async ping(timeoutMs): Promise<void> {
      await client.ping({ timeout: timeoutMs });
    },
    async close(): Promise<void> {
      closed = true;
      await client.close().catch(() => {});
      await transport.close().catch(() => {});
    },
  };
}

/**
 * The transport's stand-in for an answer that passed `max_message_size`, as the gateway's own
 * error (a failed call, not the backend's JSON-RPC error, and no strike against its breaker).
 */
function tooLarge(backend: ResolvedBackend, error: unknown): unknown {
  const data = (error as { data?: { reason?: unknown; bytes?: number; limit?: number } })?.data;
  if (data?.reason !== "RESULT_TOO_LARGE") return error;
  return new GatewayError(
    "RESULT_TOO_LARGE",
    `[backend:${backend.name}] the answer was ${formatSize(data.bytes ?? 0)}, over the limit of ${formatSize(data.limit ?? 0)}; ask the tool for less, or raise backends.${backend.name}.max_message_size`,
    { data },
  );
}

/**
 * Starting a server (npx downloads, interpreters warming up) takes longer than a call: connect
 * and listing wait at least 30s, whatever the per-call `timeout`.
 */
function startupTimeout(backend: ResolvedBackend): number {
  return Math.max(backend.timeout, 30_000);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Turns an SDK or transport failure into a message that says what happened and to whom. */
export function describeBackendError(backend: string, error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  // It is shown to callers and in /health: a credential in the backend's error page is not.
  const message = redactText(error instanceof Error ? error.message : String(error));
  const code = (error as { code?: unknown })?.code;
  if (code === "ENOENT") {
    return new GatewayError(
      "BACKEND_UNAVAILABLE",
      `[backend:${backend}] command not found: ${message}`,
      {
        cause: error,
      },
    );
  }
  if (/timed? ?out/i.test(message)) {
    return new GatewayError("BACKEND_TIMEOUT", `[backend:${backend}] ${message}`, { cause: error });
  }
  return new GatewayError("BACKEND_UNAVAILABLE", `[backend:${backend}] ${message}`, {
    cause: error,
  });
}
