import type { CallerChannel, CallOptions, JsonObject } from "../backends/types.ts";
import { GatewayError } from "../errors.ts";
import { type CallToolResult, Server, type ServerContext } from "../mcp/sdk.ts";
import { VERSION } from "../version.ts";
import { type Caller, LOCAL_ADMIN } from "./caller.ts";
import { createRequestRelay, forwardRequest, sessionRelay } from "./channel.ts";
import type { Gateway } from "./gateway.ts";
import type { InputFlows } from "./input-flows.ts";
import { observedCall } from "./observed.ts";

export interface BackendServerOptions {
  caller?: Caller;
  sessionId: () => string;
  /** Long-lived session: forward the backend's unsolicited notifications to it. */
  listen?: boolean;
  /** A 2026-07-28 request: backend reverse requests become `input_required` round trips. */
  flows?: InputFlows;
}

/**
 * The MCP server behind `/mcp/{backend}`: one backend with its own tool, resource and prompt
 * names, every method passed through, so a client cannot tell it from the backend itself, except
 * that the gateway's scopes and logging apply.
 */
export async function createBackendServer(
  gateway: Gateway,
  backend: string,
  options: BackendServerOptions,
): Promise<Server> {
  const caller = options.caller ?? LOCAL_ADMIN;
  const name = gateway.pool.canonical(backend);
  const connection = await gateway.pool.open(name, options.sessionId());
  const info = connection.serverInfo;
  const server = new Server(
    { name: info?.name ?? name, version: info?.version ?? VERSION },
    { capabilities: connection.capabilities, instructions: connection.instructions },
  );
  const subscriptions = new Set<string>();

  // Runs one relayed request with progress, reverse requests and notifications on its stream.
  async function relayed<T>(
    ctx: ServerContext,
    meta: unknown,
    run: (relay: ReturnType<typeof createRequestRelay>) => Promise<T>,
  ): Promise<T> {
    const relay = createRequestRelay(server, ctx, options.sessionId(), meta as JsonObject);
    try {
      return await run(relay);
    } finally {
      await relay.flush();
    }
  }

  if (connection.capabilities.tools) {
    server.setRequestHandler("tools/list", async () => ({
      tools: gateway.router.visibleTools(name, caller),
    }));
  }

  if (connection.capabilities.resources?.subscribe) {
    server.setRequestHandler("resources/subscribe", async (request, ctx) => {
      const result = await forward(ctx, "resources/subscribe", request.params);
      subscriptions.add(request.params.uri);
      return result;
    });
    server.setRequestHandler("resources/unsubscribe", async (request, ctx) => {
      subscriptions.delete(request.params.uri);
      return forward(ctx, "resources/unsubscribe", request.params);
    });
  }

  const forward = (ctx: ServerContext, method: string, params: unknown) =>
    forwardRequest(
      gateway.pool,
      server,
      ctx,
      options.sessionId(),
      name,
      method,
      params as JsonObject,
    );

  let logLevelSet = false;
  if (connection.capabilities.logging) {
    // The SDK answers setLevel itself by default; the backend must hear it.
    server.setRequestHandler("logging/setLevel", (request, ctx) => {
      logLevelSet = true;
      return forward(ctx, "logging/setLevel", request.params);
    });
  }

  /**
   * tools/call goes through the fallback path, unvalidated, so that a task-augmented call's
   * CreateTaskResult reaches the client as the backend sent it.
   */
  async function callTool(ctx: ServerContext, params: JsonObject): Promise<JsonObject> {
    const tool = String(params.name);
    try {
      // Scopes and quarantine (poisoning, gateway.lock), as on every other path.
      gateway.router.check(name, tool, caller);
    } catch (error) {
      if (error instanceof GatewayError) return gatewayFailure(error) as JsonObject;
      throw error;
    }
    const extra = params.task ? { task: params.task } : undefined;
    const args = (params.arguments ?? {}) as JsonObject;
    const call = (
      callOptions: Omit<CallOptions, "timeout" | "maxTotalTimeout" | "extra">,
      channel: CallerChannel,
    ) =>
      observedCall(gateway, { server: name, tool, caller: caller.id }, () =>
        gateway.pool.callTool(name, tool, args, { ...callOptions, extra }, channel),
      )
        .then((result) => gateway.security.filterResult(result) as JsonObject)
        .catch((error: unknown) => {
          if (error instanceof GatewayError) return gatewayFailure(error) as JsonObject;
          throw error;
        });
    if (options.flows) {
      return (await options.flows.run(
        ctx,
        caller.id,
        (channel, signal) => call({ signal }, channel) as Promise<CallToolResult>,
      )) as JsonObject;
    }
    return relayed(ctx, params._meta, (relay) =>
      call(
        { signal: ctx.mcpReq.signal, onProgress: relay.onProgress, meta: relay.meta },
        relay.channel,
      ),
    );
  }

  // Everything else (resources, prompts, completion, logging, ping, tasks) goes through as is.
  server.fallbackRequestHandler = async (request, ctx) =>
    request.method === "tools/call"
      ? gateway.tracked(() => callTool(ctx as ServerContext, (request.params ?? {}) as JsonObject))
      : forward(ctx as ServerContext, request.method, request.params);
  server.fallbackNotificationHandler = async (notification) => {
    if (notification.method === "notifications/roots/list_changed") {
      await connection.notify(notification.method, notification.params as JsonObject);
    }
  };

  if (options.listen) {
    const relay = sessionRelay(server);
    const stop = gateway.pool.listen(name, (method, params) => {
      // What arrives with no call in flight goes only where it belongs: list changes to every
      // session, a resource update to its subscribers, log messages to sessions that set a
      // level. Anything tied to one client (elicitation/complete, a task's status) has no owner
      // here, and is never broadcast.
      if (method === "notifications/resources/updated") {
        const uri = (params as { uri?: string } | undefined)?.uri;
        if (!uri || !subscriptions.has(uri)) return;
      } else if (method === "notifications/message") {
        if (!logLevelSet) return;
      } else if (!method.endsWith("/list_changed")) {
        return;
      }
      relay.notify(method, params);
    });
    // An approved (or newly held back) tool changes what tools/list shows here too.
    const unhook = gateway.hooks.hook("tools:quarantine", (servers) => {
      if (servers.includes(name)) void server.sendToolListChanged().catch(() => {});
    });
    const previousOnClose = server.onclose;
    server.onclose = () => {
      stop();
      unhook();
      previousOnClose?.();
    };
  }
  return server;
}

/** A gateway-side failure (backend down, timeout) on a tool call, as the tool error it is. */
function gatewayFailure(error: GatewayError): CallToolResult {
  return { content: [{ type: "text", text: `[${error.code}] ${error.message}` }], isError: true };
}
