import type { CallerChannel, CallOptions, JsonObject } from "../backends/types.ts";
import { GatewayError } from "../errors.ts";
import {
  type CallToolResult,
  type LoggingLevel,
  ProtocolError,
  ProtocolErrorCode,
  Server,
  type ServerContext,
  type Tool,
} from "../mcp/sdk.ts";
import { uiAllowed } from "../meta/apps.ts";
import { recheck } from "../meta/invoke.ts";
import { checkArgumentLimits } from "../meta/validate.ts";
import { VERSION } from "../version.ts";
import { type Caller, type CatalogKind, callerOf, LOCAL_ADMIN } from "./caller.ts";
import { createRequestRelay, forwardRequest, screenRelayed, sessionRelay } from "./channel.ts";
import type { Gateway } from "./gateway.ts";
import { guardedCall } from "./guarded-call.ts";
import type { InputFlows } from "./input-flows.ts";
import { LEVELS } from "./log-levels.ts";
import { forwardTask } from "./lost-tasks.ts";
import { applyLogLevel } from "./meta-catalog.ts";
import { refused } from "./observed.ts";
import { serveStatelessTasks } from "./stateless-tasks.ts";
import { subscribed, unsubscribed } from "./subscriptions.ts";
import { ownsTask, screenTaskResult } from "./task-result.ts";
import { backendTaskId, clientTask, listedTasks, taskStatusFor } from "./task-table.ts";
import {
  DISCOVERY_CAPABILITIES,
  ListToolsParams,
  queryTools,
  resolveBackendTool,
  resolveParams,
  toolQuery,
} from "./tool-discovery.ts";

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
  // Scopes are those of the credential on each request, not the session's (see server.ts).
  let latest = options.caller ?? LOCAL_ADMIN;
  const callerFor = (ctx?: ServerContext): Caller => {
    if (ctx) latest = callerOf(ctx.http?.authInfo, latest);
    return latest;
  };
  const name = gateway.pool.canonical(backend);
  const connection = await gateway.pool.open(name, options.sessionId());
  const info = connection.serverInfo;
  const own = connection.capabilities.tools as Record<string, unknown> | undefined;
  // Search and resolution work here whether or not the backend has them (SEP-1821, SEP-1862).
  const capabilities = own
    ? {
        ...connection.capabilities,
        tools: { ...own, ...DISCOVERY_CAPABILITIES.tools },
        experimental: {
          ...connection.capabilities.experimental,
          ...DISCOVERY_CAPABILITIES.experimental,
        },
      }
    : connection.capabilities;
  const server = new Server(
    { name: info?.name ?? name, version: info?.version ?? VERSION },
    {
      capabilities: capabilities as typeof connection.capabilities,
      // Scanned like a tool description: poisoned instructions are withheld (issue #16).
      instructions: gateway.security.screenInstructions(name, connection.instructions),
    },
  );
  // Backends' log messages and progress reach the client redacted, as results do.
  screenRelayed(gateway, server, options.sessionId);
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
    server.setRequestHandler("tools/list", { params: ListToolsParams }, async (params, ctx) => {
      const caller = callerFor(ctx);
      const query = toolQuery(params);
      // One page holds every tool here: no cursor was ever handed out, so none is valid.
      if (!query && params.cursor) {
        throw new ProtocolError(
          ProtocolErrorCode.InvalidParams,
          "Invalid cursor: this tools/list answers in one page (send no cursor)",
        );
      }
      // As a client is to list them (a reshaped result's schema left out).
      const visible = () =>
        gateway.router
          .visibleTools(name, caller)
          .map((tool) => gateway.pool.listedTool(name, tool));
      if (!query) return { tools: visible() };
      await gateway.pool.discovered(name, gateway.config.meta_mcp.discovery_wait);
      // A backend that implements SEP-1821 searches its own tools (the SDK's client drops the
      // capability flag, so its answer tells: fewer tools than it has, on one page). The gateway
      // still decides what this caller sees. Otherwise the gateway ranks that backend's tools.
      const answer = await forward(ctx, "tools/list", params as JsonObject).catch(() => undefined);
      const tools = answer?.tools as Tool[] | undefined;
      if (tools && !answer?.nextCursor && tools.length < gateway.index.tools(name).length) {
        // In the backend's order, but as listed and checked (scanner, lock): an answer to a query
        // was never scanned, and may differ from the list (a rug pull).
        const held = new Map(visible().map((t) => [t.name, t]));
        return { ...answer, tools: tools.flatMap((tool) => held.get(tool.name) ?? []) } as never;
      }
      const hits = await queryTools(gateway, caller, query, name);
      return { tools: hits.map((hit) => gateway.pool.listedTool(name, hit.tool)) };
    });
  }

  if (connection.capabilities.resources?.subscribe) {
    server.setRequestHandler("resources/subscribe", async (request, ctx) => {
      catalogGrant(ctx, "resources/subscribe");
      const result = await forward(ctx, "resources/subscribe", request.params);
      subscriptions.add(request.params.uri);
      subscribed(gateway, name, request.params.uri, options.sessionId());
      return result;
    });
    server.setRequestHandler("resources/unsubscribe", async (request, ctx) => {
      catalogGrant(ctx, "resources/unsubscribe");
      subscriptions.delete(request.params.uri);
      // The backend's subscription may be other sessions' too: it lets go with the last of them.
      if (!unsubscribed(gateway, name, request.params.uri, options.sessionId())) return {};
      return forward(ctx, "resources/unsubscribe", request.params);
    });
  }

  // A backend's error is redacted as its answer would be (a token in "cannot read …").
  const forward = (ctx: ServerContext, method: string, params: unknown) =>
    forwardRequest(
      gateway.pool,
      server,
      ctx,
      options.sessionId(),
      name,
      method,
      params as JsonObject,
    ).catch((error: unknown) => {
      throw gateway.security.filterError(error);
    });

  if (connection.capabilities.logging) {
    // The SDK answers setLevel itself by default; the backend must hear it. A backend shared by
    // several sessions has one level for them all: this session's level joins theirs (the most
    // verbose is applied, each session filters by its own), so one key cannot silence, or pick,
    // what another key's session gets. A session's own connection takes its level as it is.
    const ownConnection = () =>
      gateway.config.backends.some(
        (b) => b.name === name && (b.isolation === "session" || !!b.per_caller),
      );
    server.setRequestHandler("logging/setLevel", async (request, ctx) => {
      if (options.sessionId()) gateway.logLevels.set(options.sessionId(), request.params.level);
      if (ownConnection()) return forward(ctx, "logging/setLevel", request.params);
      await applyLogLevel(gateway, name);
      return {};
    });
  }

  /**
   * tools/call goes through the fallback path, unvalidated, so that a task-augmented call's
   * CreateTaskResult reaches the client as the backend sent it.
   */
  async function callTool(ctx: ServerContext, params: JsonObject): Promise<JsonObject> {
    const caller = callerFor(ctx);
    const tool = String(params.name);
    let definition: Tool | undefined;
    try {
      // A name the backend never listed is refused here: invented names must not reach the
      // backend, nor grow a metrics series or a usage row each. Then scopes and quarantine
      // (poisoning, gateway.lock), as on every other path.
      definition = (await gateway.router.resolve(name, tool, caller)).tool;
    } catch (error) {
      refused(
        gateway,
        { server: name, tool, caller: caller.id, session: options.sessionId() },
        error,
      );
      if (error instanceof GatewayError) return gatewayFailure(error) as JsonObject;
      throw error;
    }
    const args = (params.arguments ?? {}) as JsonObject;
    // Not the schema (this path behaves like the backend), but the gateway's own limits: a
    // caller's oversized or too-deep arguments are refused here, never sent, never the backend's
    // failure (docs/security.md).
    const tooBig = checkArgumentLimits(args);
    const observed = { server: name, tool, caller: caller.id, session: options.sessionId(), args };
    if (tooBig) {
      const error = new GatewayError(
        "INVALID_ARGUMENTS",
        `arguments for ${name}:${tool}: ${tooBig}`,
      );
      // Without the arguments: they are what was too big or too deep to handle.
      refused(gateway, { ...observed, args: undefined }, error);
      return gatewayFailure(error) as JsonObject;
    }
    const call = (
      callOptions: Omit<CallOptions, "timeout" | "maxTotalTimeout" | "extra">,
      channel: CallerChannel,
    ) =>
      guardedCall(gateway, {
        observed,
        definition,
        recheck: () => recheck(gateway, name, tool, callerFor(ctx)),
        ...(params.task ? { task: params.task as JsonObject } : {}),
        options: callOptions,
        channel,
      })
        .then((result) => result as JsonObject)
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

  /**
   * Resources, prompts and their completions are the server's, not a tool's: they need a grant
   * of the whole server or an explicit `resources`/`prompts` scope. Refused like a method the
   * server does not have, as the merged catalog on `/mcp` hides them.
   */
  function catalogGrant(ctx: ServerContext, method: string, params?: JsonObject): void {
    const kind = catalogKind(method, params);
    // The session sandbox's backends: this path is no way around them for resources and prompts.
    if (kind) gateway.security.calls.reach(name);
    const caller = callerFor(ctx);
    // An MCP App's UI goes with its tool: reading it needs only the tool (docs/security.md).
    const uri = method === "resources/read" ? params?.uri : undefined;
    if (typeof uri === "string" && uiAllowed(gateway, caller, name, uri)) return;
    if (kind && !caller.allowsCatalog(name, kind)) {
      throw new ProtocolError(ProtocolErrorCode.MethodNotFound, `Method not found: ${method}`);
    }
  }

  /** tasks/* on a task this caller made here or on /mcp; anyone else's is unknown. */
  async function routeTask(
    ctx: ServerContext,
    method: string,
    params: JsonObject,
  ): Promise<JsonObject> {
    const caller = callerFor(ctx);
    const ownerOf = (id: unknown) => {
      const owner = typeof id === "string" ? gateway.tasks.get(id) : undefined;
      return ownsTask(owner, caller) && owner.server === name ? owner : undefined;
    };
    if (method === "tasks/list") {
      const result = await forward(ctx, method, params);
      const tasks = (result.tasks as { taskId: string }[] | undefined) ?? [];
      const mine = [...gateway.tasks].filter(([id]) => !!ownerOf(id));
      return { ...result, tasks: listedTasks(tasks, name, mine) };
    }
    const owner = ownerOf(params.taskId);
    if (!owner) {
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        `Unknown task ${String(params.taskId)}`,
      );
    }
    const id = params.taskId as string;
    const answer = clientTask(
      await forwardTask(gateway, owner, id, method, () =>
        forward(ctx, method, { ...params, taskId: backendTaskId(id, owner) }),
      ),
      id,
      owner,
    );
    return method === "tasks/result" ? screenTaskResult(gateway, owner, answer) : answer;
  }

  // Everything else (resources, prompts, completion, logging, ping) goes through as is.
  server.fallbackRequestHandler = async (request, ctx) => {
    const context = ctx as ServerContext;
    const params = (request.params ?? {}) as JsonObject;
    if (request.method === "tools/call") {
      return gateway.tracked(() => callTool(context, params));
    }
    if (request.method.startsWith("tasks/")) return routeTask(context, request.method, params);
    // A backend that declared no tools has none the gateway listed and checked: what it would
    // answer to tools/* was never scanned (nor locked), so it is not asked.
    if (request.method.startsWith("tools/") && !own) {
      throw new ProtocolError(
        ProtocolErrorCode.MethodNotFound,
        `Method not found: ${request.method}`,
      );
    }
    if (request.method === "tools/resolve") {
      const { name: toolName, arguments: args } = resolveParams(params);
      const tool = gateway.router
        .visibleTools(name, callerFor(context))
        .find((t) => t.name === toolName);
      if (!tool) {
        throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Tool ${toolName} not found`);
      }
      return (await resolveBackendTool(gateway, name, tool, args, (t) =>
        gateway.pool.listedTool(name, t),
      )) as never;
    }
    const tooBig = checkArgumentLimits(request.params);
    if (tooBig) {
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `${request.method}: ${tooBig}`);
    }
    catalogGrant(context, request.method, params);
    // A prompt whose listed entry drifted from gateway.lock is held back from prompts/list, and
    // not served by name either (its description comes back with it).
    const held =
      request.method === "prompts/get" && typeof params.name === "string"
        ? gateway.security.heldBack(name, "prompt", params.name)
        : undefined;
    if (held) {
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        `Prompt ${String(params.name)} is held back: ${held}`,
      );
    }
    const result = await forward(context, request.method, request.params);
    // A resource's text is redacted as the same text embedded in a tool result would be.
    if (request.method === "resources/read") {
      return gateway.security.filterContents(result, name, String(params.uri ?? ""));
    }
    if (request.method === "prompts/get") return gateway.security.filterPrompt(result);
    // Prompt, resource and template lists are read by the model too: poisoned entries held back.
    return gateway.security.screenListed(name, request.method, result);
  };
  if (options.flows) {
    // 2026-07-28 moved tasks to an extension, served only when registered.
    serveStatelessTasks(server, (method, params, ctx) => routeTask(ctx, method, params));
  }
  server.fallbackNotificationHandler = async (notification) => {
    if (notification.method === "notifications/roots/list_changed") {
      await connection.notify(notification.method, notification.params as JsonObject);
    }
  };

  if (options.listen) {
    const relay = sessionRelay(server);
    const stop = gateway.pool.listen(name, (method, params, from, to) => {
      // What arrives with no call in flight goes only where it belongs: list changes to every
      // session, a resource update to its subscribers, log messages to sessions that set a
      // level, a task's status to the session that made the task (under the id it knows).
      // Anything else tied to one client (elicitation/complete) has no owner here, and is never
      // broadcast. Resource and prompt news needs their grant.
      const kind = catalogKind(method.replace("notifications/", ""), undefined);
      if (kind && !callerFor().allowsCatalog(name, kind)) return;
      if (method === "notifications/tasks/status") {
        params = taskStatusFor(gateway.tasks, name, options.sessionId(), params, from);
        if (!params) return;
      } else if (method === "notifications/elicitation/complete") {
        // Only the session that was asked (never broadcast).
        if (!to || to !== options.sessionId()) return;
      } else if (method === "notifications/resources/updated") {
        // Another session's own connection (isolation: session) speaks of its resources.
        const own = options.sessionId();
        if (from !== undefined && from !== own && from !== `caller:${callerFor().id}`) return;
        const uri = (params as { uri?: string } | undefined)?.uri;
        if (!uri || !subscriptions.has(uri)) return;
      } else if (method === "notifications/message") {
        // About no one call (none is in flight): another key's work, for all it can tell.
        if (!callerFor().allowsCatalog(name, "logs")) return;
        const wanted = gateway.logLevels.get(options.sessionId());
        const level = (params as { level?: LoggingLevel } | undefined)?.level ?? "info";
        if (!wanted || LEVELS.indexOf(level) < LEVELS.indexOf(wanted)) return;
      } else if (!method.endsWith("/list_changed")) {
        return;
      }
      relay.notify(method, params);
    });
    // An approved (or newly held back) tool changes what tools/list shows here too.
    const unhook = gateway.hooks.hook("tools:quarantine", (servers) => {
      if (servers.includes(name)) void server.sendToolListChanged().catch(() => {});
    });
    // So does a reload that changes what the caller reaches without touching the backend (its
    // key's scopes, a profile), as on /mcp.
    // Another backend's change is none of this session's concern.
    const unsubscribe = gateway.onReachableToolsChanged((servers) => {
      if (servers && !servers.has(name)) return;
      void server.sendToolListChanged().catch(() => {});
    });
    const previousOnClose = server.onclose;
    server.onclose = () => {
      stop();
      unhook();
      unsubscribe();
      previousOnClose?.();
    };
  }
  return server;
}

/** A gateway-side failure (backend down, timeout) on a tool call, as the tool error it is. */
function gatewayFailure(error: GatewayError): CallToolResult {
  return { content: [{ type: "text", text: `[${error.code}] ${error.message}` }], isError: true };
}

/** Which grant a passthrough method needs beyond reaching the server, if any. */
function catalogKind(method: string, params: JsonObject | undefined): CatalogKind | undefined {
  if (method.startsWith("resources/")) return "resources";
  if (method.startsWith("prompts/")) return "prompts";
  if (method === "completion/complete") {
    const ref = params?.ref as { type?: unknown } | undefined;
    return ref?.type === "ref/prompt" ? "prompts" : "resources";
  }
  return undefined;
}
