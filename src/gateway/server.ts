import type { JsonObject } from "../backends/types.ts";
import { logger } from "../logger.ts";
import { readsJsonOnly } from "../mcp/accept.ts";
import {
  type CallToolResult,
  ProtocolError,
  ProtocolErrorCode,
  Server,
  type ServerContext,
  type Tool,
} from "../mcp/sdk.ts";
import { declaresApps, listedWithUi, uiResourceOf } from "../meta/apps.ts";
import { chooseSurface, estimateTokens, ruleFor, type Surface } from "../meta/client-surface.ts";
import { invoke } from "../meta/invoke.ts";
import { missingMetaToolHint } from "../meta/operator-names.ts";
import { directTools, flatName, page, surfacedEntries } from "../meta/surface.ts";
import {
  ALL_META_NAMES,
  CODE_MODE_INSTRUCTIONS,
  INSTRUCTIONS,
  metaToolsFor,
  UNLISTED_META_TOOLS,
} from "../meta/tools.ts";
import { errorResult } from "../meta/types.ts";
import { checkStructured } from "../meta/validate.ts";
import { VERSION } from "../version.ts";
import { type Caller, callerOf, LOCAL_ADMIN } from "./caller.ts";
import { createRequestRelay, forwardRequest, screenRelayed } from "./channel.ts";
import type { Gateway } from "./gateway.ts";
import type { InputFlows } from "./input-flows.ts";
import { forwardTask } from "./lost-tasks.ts";
import { registerCatalogHandlers } from "./meta-catalog.ts";
import { serveStatelessTasks } from "./stateless-tasks.ts";
import { ownsTask, screenTaskResult } from "./task-result.ts";
import { backendTaskId, clientTask, listedTasks } from "./task-table.ts";
import {
  DISCOVERY_CAPABILITIES,
  ListToolsParams,
  queryTools,
  resolveBackendTool,
  resolveParams,
  toolQuery,
} from "./tool-discovery.ts";

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
  /** Code mode for this client (`/mcp?codemode=search_and_execute`): search and execute only. */
  codeMode?: boolean;
  /**
   * A task-augmented 2026-07-28 `tools/call`: served by the fallback path, as on the 2025 one.
   * The SDK's own `tools/call` handling for that era drops `params.task` and refuses the
   * CreateTaskResult that answers it (its result schema has no tasks).
   */
  taskCall?: boolean;
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
  const codeMode = options.codeMode ?? false;
  // Read per request: a reload may switch code_mode on or off.
  const served = () => (flat ? [] : metaToolsFor(gateway.config, codeMode));
  const server = new Server(
    { name: "mcp-gateway", version: VERSION },
    {
      capabilities: {
        tools: { listChanged: true, ...DISCOVERY_CAPABILITIES.tools },
        experimental: DISCOVERY_CAPABILITIES.experimental,
        resources: { subscribe: true, listChanged: true },
        prompts: { listChanged: true },
        completions: {},
        logging: {},
        // Tasks (2025-11-25): gateway_invoke can be task-augmented; tasks/* route by task id.
        tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } },
      },
      // Flat mode has no meta tools to explain.
      instructions: flat ? undefined : codeMode ? CODE_MODE_INSTRUCTIONS : INSTRUCTIONS,
    },
  );
  // Backends' log messages and progress reach the client redacted, as results do.
  screenRelayed(gateway, server, options.sessionId);
  const detach = registerCatalogHandlers(
    server,
    gateway,
    options.sessionId,
    options.notifyListChanged ?? false,
    callerFor,
  );

  // The meta tools stay the same, but what search finds changed: clients re-list and re-search.
  // Only of servers this session's caller may reach: another's changes are none of its concern.
  const unsubscribe = options.notifyListChanged
    ? gateway.onReachableToolsChanged((servers) => {
        const caller = callerFor();
        if (servers && ![...servers].some((name) => caller.allows(name, "*"))) return;
        void server.sendToolListChanged().catch(() => {});
      })
    : () => {};
  // Alerts for this session's caller (a budget's `notify`) arrive as MCP logging messages.
  const unnotify = gateway.hooks.hook("session:notify", (sessionId, level, data) => {
    if (sessionId !== options.sessionId()) return;
    void server.sendLoggingMessage({ level, logger: "mcp-gateway", data }).catch(() => {});
  });
  const previousOnClose = server.onclose;
  server.onclose = () => {
    gateway.surfaces.delete(options.sessionId());
    unnotify();
    unsubscribe();
    detach();
    previousOnClose?.();
  };

  const metaNames = new Set(ALL_META_NAMES);
  const discoveryWait = gateway.config.meta_mcp.discovery_wait;
  /** This session's surface as its last tools/list chose it (docs/protocol.md). */
  let surface: Surface = flat ? "flat" : "meta";
  server.setRequestHandler("tools/list", { params: ListToolsParams }, async (params, ctx) => {
    const caller = callerFor(ctx);
    const query = toolQuery(params);
    // `?surface=flat` decides alone; otherwise a `meta_mcp.clients` rule for this client's name.
    const rule =
      options.flat || query ? undefined : ruleFor(clientName(), gateway.config.meta_mcp.clients);
    // Flat, auto and queried lists hold backend tools: wait (bounded) for those still starting;
    // the meta surface holds the surfaced tools: wait for their backends.
    await gateway.pool.settle(
      flat || rule || query ? gateway.router.servers(caller) : surfacedServers(caller),
      discoveryWait,
    );
    if (query) {
      // SEP-1821: the matching backend tools themselves, directly callable, whatever the surface.
      const hits = await queryTools(gateway, caller, query);
      const entries = hits.map(({ server, tool }) => ({
        name: flatName(server, tool.name),
        server,
        tool,
      }));
      return { tools: await listedWithUi(gateway, caller, entries) };
    }
    const everything =
      flat || rule
        ? await listedWithUi(gateway, caller, directTools(gateway, caller, metaNames, true))
        : [];
    surface = rule ? chooseSurface(rule, everything) : flat ? "flat" : "meta";
    const listed = surface === "flat" ? everything : await metaSurface(caller);
    recordSurface(listed);
    const seen = { caller: caller.id, session: options.sessionId(), flat: surface === "flat" };
    void gateway.hooks.callHook("tools:listed", seen);
    // Paginated on either surface (the meta one grows with surfaced tools and apps' tools); a
    // cursor the gateway did not issue is refused, as the spec asks.
    try {
      const { items, nextCursor } = page(listed, params.cursor);
      return { tools: items, ...(nextCursor ? { nextCursor } : {}) };
    } catch {
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, "Invalid cursor");
    }
  });

  /**
   * The meta tools, the surfaced tools, and for a client that renders MCP Apps every tool with a
   * UI: a host renders a UI from the tool definition it listed, which a meta tool cannot give.
   */
  async function metaSurface(caller: Caller): Promise<Tool[]> {
    const meta = served().map((tool) => tool.definition);
    // Code mode serves its two tools only (surfaced tools are reached through scripts).
    if (codeMode) return meta;
    const direct = directTools(gateway, caller, metaNames, false);
    if (declaresApps(server.getClientCapabilities())) {
      const have = new Set(direct.map((entry) => entry.name));
      for (const entry of directTools(gateway, caller, metaNames, true)) {
        if (!have.has(entry.name) && uiResourceOf(entry.tool)) direct.push(entry);
      }
    }
    const listed = await listedWithUi(gateway, caller, direct);
    return [...meta, ...listed];
  }

  /** The backends of the surfaced tools this caller may reach (none in code mode). */
  function surfacedServers(caller: Caller): string[] {
    if (codeMode) return [];
    const reach = new Set(gateway.router.servers(caller));
    const named = surfacedEntries(gateway).map((entry) => gateway.pool.canonical(entry.server));
    return [...new Set(named)].filter((name) => reach.has(name));
  }

  // The name the client gave in `initialize` (2026-07-28: in each request's envelope, which the
  // SDK backfills here).
  const clientName = () => server.getClientVersion()?.name;
  /** A long-lived session's surface, for /health and the dashboard. */
  function recordSurface(listed: Tool[]): void {
    if (!options.notifyListChanged) return;
    gateway.surfaces.set(options.sessionId(), {
      client: clientName() ?? "unknown",
      surface,
      tools: listed.length,
      tokens: estimateTokens(listed),
    });
  }

  /** SEP-1862: a tool's full, current definition by the name this session knows it by. */
  async function resolveTool(params: JsonObject, ctx: ServerContext): Promise<JsonObject> {
    const caller = callerFor(ctx);
    const { name, arguments: args } = resolveParams(params);
    const meta = surface === "flat" ? undefined : served().find((t) => t.definition.name === name);
    if (meta) return { tool: meta.definition };
    await gateway.pool.settle(gateway.router.servers(caller), discoveryWait);
    const entry = directTools(gateway, caller, metaNames, true).find((e) => e.name === name);
    if (!entry) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Tool ${name} not found`);
    const { tool } = await resolveBackendTool(gateway, entry.server, entry.tool, args, (t) =>
      gateway.pool.listedTool(entry.server, t),
    );
    const [listed] = await listedWithUi(gateway, caller, [{ ...entry, tool }]);
    return { tool: listed } as JsonObject;
  }

  // tools/call and tasks/* go through the fallback path, unvalidated, so that a task-augmented
  // call's CreateTaskResult reaches the client as the backend sent it.
  if (options.flows && !options.taskCall) {
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
    if (request.method === "tools/resolve") return resolveTool(params, context);
    throw new ProtocolError(
      ProtocolErrorCode.MethodNotFound,
      `Method not found: ${request.method}`,
    );
  };
  // 2026-07-28 moved tasks to an extension, served only when registered.
  if (options.flows) serveStatelessTasks(server, routeTask);

  /** tasks/get|result|cancel go to the backend that owns the task; tasks/list merges them. */
  async function routeTask(
    method: string,
    params: JsonObject,
    ctx: ServerContext,
  ): Promise<JsonObject> {
    const caller = callerFor(ctx);
    const mine = [...gateway.tasks].filter(([, owner]) => ownsTask(owner, caller));
    if (method === "tasks/list") {
      const servers = new Set(mine.map(([, owner]) => owner.server));
      const lists = await Promise.all(
        // Through this session's channel, as tasks/get: with `isolation: session` (or
        // `per_caller`) the tasks live on the session's (caller's) own connection.
        [...servers].map((name) =>
          forwardRequest(gateway.pool, server, ctx, options.sessionId(), name, "tasks/list", {})
            .then((result) => (result.tasks as { taskId: string }[] | undefined) ?? [])
            .then((tasks) => listedTasks(tasks, name, mine))
            .catch(() => []),
        ),
      );
      return { tasks: lists.flat() };
    }
    const owner = typeof params.taskId === "string" ? gateway.tasks.get(params.taskId) : undefined;
    if (!ownsTask(owner, caller)) {
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        `Unknown task ${String(params.taskId)}`,
      );
    }
    const id = params.taskId as string;
    const answer = clientTask(
      await forwardTask(gateway, owner, id, method, () =>
        forwardRequest(gateway.pool, server, ctx, options.sessionId(), owner.server, method, {
          ...params,
          taskId: backendTaskId(id, owner),
        }),
      ),
      id,
      owner,
    );
    return method === "tasks/result" ? screenTaskResult(gateway, owner, answer) : answer;
  }

  /** The one surfaced tool this caller sees whose own name is `name`; none when two share it. */
  function surfacedByOwnName(name: string, caller: Caller) {
    if (surface === "flat") return undefined;
    const named = directTools(gateway, caller, metaNames, false).filter(
      (entry) => entry.tool.name === name,
    );
    return named.length === 1 ? named[0] : undefined;
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
    /** The backend tool called by the name this session listed it under (flat, surfaced). */
    let listedAs: { server: string; tool: Tool } | undefined;
    let tool =
      surface === "flat"
        ? undefined
        : [...served(), ...UNLISTED_META_TOOLS].find((meta) => meta.definition.name === name);
    if (!tool && codeMode) {
      const hint = missingMetaToolHint(name, caller.admin ? gateway.config.file : undefined);
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        `Tool ${name} not found${hint ? `: ${hint}` : ""}`,
      );
    }
    if (!tool) {
      // A backend tool by its `server__tool` name (surfaced, flat, found by a tools/list query or
      // an app's): the same path as gateway_invoke, scopes and checks included.
      const find = (all: boolean) =>
        directTools(gateway, caller, metaNames, all).find((entry) => entry.name === name);
      // The short list of surfaced tools first; every tool's name only when it is not there;
      // last, a surfaced tool by its own name alone, as the original gateway lists it.
      const lookup = () =>
        (surface === "flat" ? undefined : find(false)) ??
        find(true) ??
        surfacedByOwnName(name, caller);
      // Not known yet: it may be a tool of a backend still starting (bounded wait, as a list's).
      let direct = lookup();
      if (!direct) {
        await gateway.pool.settle(gateway.router.servers(caller), discoveryWait);
        direct = lookup();
      }
      if (!direct) {
        // The config file's path is an admin's to read, not every key's.
        const hint = missingMetaToolHint(name, caller.admin ? gateway.config.file : undefined);
        throw new ProtocolError(
          ProtocolErrorCode.InvalidParams,
          `Tool ${name} not found${hint ? `: ${hint}` : ""}`,
        );
      }
      tool = invoke;
      args = { server: direct.server, tool: direct.tool.name, arguments: args };
      listedAs = direct;
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
          .handle(args, {
            gateway,
            caller,
            client: clientName(),
            signal,
            channel,
            meta: relay.meta,
            // The tasks extension: a task-augmented gateway_invoke answers with the backend's task.
            task: request.params.task as JsonObject | undefined,
            sessionId: options.sessionId(),
          })
          .catch((error: unknown) => errorResult(error)),
      );
      const answer = outcome as CallToolResult;
      return listedAs ? conforming(listedAs.server, listedAs.tool, answer) : answer;
    }
    let result: CallToolResult;
    try {
      result = await tool.handle(args, {
        gateway,
        caller,
        client: clientName(),
        signal: ctx.mcpReq.signal,
        onProgress: relay.onProgress,
        channel: relay.channel,
        meta: relay.meta,
        task: request.params.task as JsonObject | undefined,
        sessionId: options.sessionId(),
        elicit:
          server.getClientCapabilities()?.elicitation && !readsJsonOnly(ctx.http?.req)
            ? confirm
            : undefined,
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
    return listedAs ? conforming(listedAs.server, listedAs.tool, result) : result;
  }

  /**
   * A listed tool's result as the spec has a server give it: its `structuredContent` fits the
   * `outputSchema` this session was given (the backend's). One that does not is a tool error
   * saying so, with the backend's content: relayed, it made the client's own check throw a
   * protocol error that named neither backend nor tool, and the model saw nothing.
   */
  function conforming(backend: string, tool: Tool, result: CallToolResult): CallToolResult {
    // A task's CreateTaskResult or an input_required round is not the result yet.
    if (result.isError || !Array.isArray(result.content)) return result;
    const problem = checkStructured(tool, result.structuredContent);
    if (!problem) return result;
    logger.warn(
      `${backend}:${tool.name} answered structured content its outputSchema refuses: ${problem}`,
    );
    const own = gateway.pool.ownToolName(backend, tool.name);
    const note = `[BACKEND_ERROR] ${backend}'s tool ${own} answered a result its own outputSchema refuses (${problem}); what it answered follows`;
    return {
      content: [{ type: "text", text: note }, ...(result.content ?? [])],
      isError: true,
    };
  }

  /** Asks the client (elicitation, form mode) to confirm an operator action. */
  async function confirm(message: string): Promise<"accept" | "decline" | "cancel"> {
    const answer = await server.elicitInput({
      mode: "form",
      message,
      requestedSchema: { type: "object", properties: {} },
    });
    return answer.action;
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
