import type { JsonObject } from "../backends/types.ts";
import { logger } from "../logger.ts";
import {
  type CallToolResult,
  ProtocolError,
  ProtocolErrorCode,
  Server,
  type ServerContext,
} from "../mcp/sdk.ts";
import { invoke } from "../meta/invoke.ts";
import { asListed, directTools, page } from "../meta/surface.ts";
import { INSTRUCTIONS, META_TOOLS, META_TOOLS_BY_NAME } from "../meta/tools.ts";
import { errorResult } from "../meta/types.ts";
import { VERSION } from "../version.ts";
import { type Caller, callerOf, LOCAL_ADMIN } from "./caller.ts";
import { createRequestRelay, forwardRequest } from "./channel.ts";
import type { Gateway } from "./gateway.ts";
import type { InputFlows } from "./input-flows.ts";
import { registerCatalogHandlers } from "./meta-catalog.ts";

export interface SessionServerOptions {
  caller?: Caller;
  /** Stable per client session; a fresh id per stateless request. */
  sessionId: () => string;
  /**
   * Send `notifications/tools/list_changed` on this server when reachable tools change. Only for
   * long-lived sessions; the stateless era gets it through `subscriptions/listen` instead.
   */
  notifyListChanged?: boolean;
  /** A 2026-07-28 request: backend reverse requests become `input_required` round trips. */
  flows?: InputFlows;
  /** Flat mode for this client (`/mcp?surface=flat`), whatever `meta_mcp.enabled` says. */
  flat?: boolean;
}

/** Builds the MCP server one client session talks to: the meta-tool surface over the gateway. */
export function createSessionServer(gateway: Gateway, options: SessionServerOptions): Server {
  // Scopes are those of the credential on each request (a key whose scopes shrank on reload, a
  // narrower token of the same subject), never the ones the session was opened with.
  let latest = options.caller ?? LOCAL_ADMIN;
  const callerFor = (ctx?: ServerContext): Caller => {
    if (ctx) latest = callerOf(ctx.http?.authInfo, latest);
    return latest;
  };
  // Flat mode: every reachable tool directly, for clients that defer tools themselves.
  const flat = options.flat ?? !gateway.config.meta_mcp.enabled;
  const server = new Server(
    { name: "mcp-gateway", version: VERSION },
    {
      capabilities: {
        tools: { listChanged: true },
        resources: { subscribe: true, listChanged: true },
        prompts: { listChanged: true },
        completions: {},
        logging: {},
        // Tasks (2025-11-25): gateway_invoke can be task-augmented; tasks/* route by task id.
        tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } },
      },
      // Flat mode has no meta tools to explain.
      instructions: flat ? undefined : INSTRUCTIONS,
    },
  );
  const detach = registerCatalogHandlers(
    server,
    gateway,
    options.sessionId,
    options.notifyListChanged ?? false,
    callerFor,
  );

  // The meta tools stay the same, but what search finds changed: clients re-list and re-search.
  const unsubscribe = options.notifyListChanged
    ? gateway.onReachableToolsChanged(() => void server.sendToolListChanged().catch(() => {}))
    : () => {};
  // Alerts for this session's caller (a budget's `notify`) arrive as MCP logging messages.
  const unnotify = gateway.hooks.hook("session:notify", (sessionId, level, data) => {
    if (sessionId !== options.sessionId()) return;
    void server.sendLoggingMessage({ level, logger: "mcp-gateway", data }).catch(() => {});
  });
  const previousOnClose = server.onclose;
  server.onclose = () => {
    unnotify();
    unsubscribe();
    detach();
    previousOnClose?.();
  };

  const metaNames = new Set(META_TOOLS.map((tool) => tool.definition.name));
  const discoveryWait = gateway.config.meta_mcp.discovery_wait;
  server.setRequestHandler("tools/list", async (request, ctx) => {
    const caller = callerFor(ctx);
    // Flat mode lists backend tools: wait (bounded) for those still starting, as search does.
    if (flat) await gateway.pool.settle(gateway.router.servers(caller), discoveryWait);
    const listed = { caller: caller.id, session: options.sessionId(), flat };
    void gateway.hooks.callHook("tools:listed", listed);
    const direct = directTools(gateway, caller, metaNames, flat).map(asListed);
    if (flat) {
      // Flat mode: every reachable tool directly, paginated, for clients that defer tools themselves.
      try {
        const { items, nextCursor } = page(direct, request.params?.cursor);
        return { tools: items, ...(nextCursor ? { nextCursor } : {}) };
      } catch {
        throw new ProtocolError(ProtocolErrorCode.InvalidParams, "Invalid cursor");
      }
    }
    const meta = META_TOOLS.filter((tool) => tool.listed?.(gateway) ?? true);
    return { tools: [...meta.map((tool) => tool.definition), ...direct] };
  });

  // tools/call and tasks/* go through the fallback path, unvalidated, so that a task-augmented
  // call's CreateTaskResult reaches the client as the backend sent it.
  if (options.flows) {
    // The 2026-07-28 era: input_required rounds need the SDK's tools/call handling.
    server.setRequestHandler("tools/call", (request, ctx) =>
      gateway.tracked(() => callTool(request, ctx)),
    );
  }
  server.fallbackRequestHandler = async (request, ctx) => {
    const params = (request.params ?? {}) as JsonObject;
    const context = ctx as ServerContext;
    if (request.method === "tools/call") {
      if (typeof params.name !== "string") {
        throw new ProtocolError(ProtocolErrorCode.InvalidParams, "tools/call needs a tool name");
      }
      const call = params as { name: string; arguments?: Record<string, unknown>; _meta?: unknown };
      return (await gateway.tracked(() => callTool({ params: call }, context))) as JsonObject;
    }
    if (request.method.startsWith("tasks/")) return routeTask(request.method, params, context);
    throw new ProtocolError(
      ProtocolErrorCode.MethodNotFound,
      `Method not found: ${request.method}`,
    );
  };

  /** tasks/get|result|cancel go to the backend that owns the task; tasks/list merges them. */
  async function routeTask(
    method: string,
    params: JsonObject,
    ctx: ServerContext,
  ): Promise<JsonObject> {
    const caller = callerFor(ctx);
    const mine = [...gateway.tasks].filter(([, owner]) => owner.caller === caller.id);
    if (method === "tasks/list") {
      const servers = new Set(mine.map(([, owner]) => owner.server));
      const ids = new Set(mine.map(([id]) => id));
      const lists = await Promise.all(
        [...servers].map((name) =>
          gateway.pool
            .request(name, "tasks/list", {}, { signal: ctx.mcpReq.signal })
            .then((result) => (result.tasks as { taskId: string }[] | undefined) ?? [])
            .catch(() => []),
        ),
      );
      return { tasks: lists.flat().filter((task) => ids.has(task.taskId)) };
    }
    const owner = typeof params.taskId === "string" ? gateway.tasks.get(params.taskId) : undefined;
    if (!owner || owner.caller !== caller.id) {
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        `Unknown task ${String(params.taskId)}`,
      );
    }
    return forwardRequest(
      gateway.pool,
      server,
      ctx,
      options.sessionId(),
      owner.server,
      method,
      params,
    );
  }

  async function callTool(
    request: {
      params: {
        name: string;
        arguments?: Record<string, unknown>;
        _meta?: unknown;
        task?: unknown;
      };
    },
    ctx: ServerContext,
  ): Promise<CallToolResult> {
    const caller = callerFor(ctx);
    const { name } = request.params;
    let args = (request.params.arguments ?? {}) as JsonObject;
    let tool = flat ? undefined : META_TOOLS_BY_NAME.get(name);
    if (!tool) {
      // A surfaced (or flat-mode) tool: the same path as gateway_invoke, scopes and checks included.
      const direct = directTools(gateway, caller, metaNames, flat).find(
        (entry) => entry.name === name,
      );
      if (!direct)
        throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Tool ${name} not found`);
      tool = invoke;
      args = { server: direct.server, tool: direct.tool.name, arguments: args };
    }
    const relay = createRequestRelay(
      server,
      ctx,
      options.sessionId(),
      request.params._meta as JsonObject | undefined,
    );
    if (options.flows) {
      const handler = tool;
      const outcome = await options.flows.run(ctx, caller.id, (channel, signal) =>
        handler
          .handle(args, { gateway, caller, signal, channel, meta: relay.meta })
          .catch((error: unknown) => errorResult(error)),
      );
      return outcome as CallToolResult;
    }
    let result: CallToolResult;
    try {
      result = await tool.handle(args, {
        gateway,
        caller,
        signal: ctx.mcpReq.signal,
        onProgress: relay.onProgress,
        channel: relay.channel,
        meta: relay.meta,
        task: request.params.task as JsonObject | undefined,
        sessionId: options.sessionId(),
      });
    } catch (error) {
      if (ctx.mcpReq.signal.aborted) throw error;
      // URL elicitation required (-32042): the client must act on it, so it goes through as the
      // JSON-RPC error it is, with its data.
      if ((error as { code?: unknown })?.code === -32042) throw error;
      logger.debug(`${name} failed: ${error instanceof Error ? error.message : error}`);
      result = errorResult(error);
    }
    await relay.flush();
    return result;
  }

  // A client's roots changed: every connected backend may have asked for them.
  server.fallbackNotificationHandler = async (notification) => {
    if (notification.method !== "notifications/roots/list_changed") return;
    await Promise.all(
      gateway.pool
        .statuses()
        .filter((status) => status.state === "ready")
        .map(async ({ name }) => {
          const connection = await gateway.pool.open(name);
          await connection.notify(notification.method).catch(() => {});
        }),
    );
  };

  return server;
}
