import type { JsonObject } from "../backends/types.ts";
import { logger } from "../logger.ts";
import { type CallToolResult, ProtocolError, ProtocolErrorCode, Server } from "../mcp/sdk.ts";
import { INSTRUCTIONS, META_TOOLS, META_TOOLS_BY_NAME } from "../meta/tools.ts";
import { errorResult } from "../meta/types.ts";
import { VERSION } from "../version.ts";
import { type Caller, LOCAL_ADMIN } from "./caller.ts";
import { createRequestRelay } from "./channel.ts";
import type { Gateway } from "./gateway.ts";
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
}

/** Builds the MCP server one client session talks to: the meta-tool surface over the gateway. */
export function createSessionServer(gateway: Gateway, options: SessionServerOptions): Server {
  const caller = options.caller ?? LOCAL_ADMIN;
  const server = new Server(
    { name: "mcp-gateway", version: VERSION },
    {
      capabilities: {
        tools: { listChanged: true },
        resources: { subscribe: true, listChanged: true },
        prompts: { listChanged: true },
        completions: {},
        logging: {},
      },
      instructions: INSTRUCTIONS,
    },
  );
  const detach = registerCatalogHandlers(
    server,
    gateway,
    options.sessionId,
    options.notifyListChanged ?? false,
  );

  // The meta tools stay the same, but what search finds changed: clients re-list and re-search.
  const unsubscribe = options.notifyListChanged
    ? gateway.onReachableToolsChanged(() => void server.sendToolListChanged().catch(() => {}))
    : () => {};
  const previousOnClose = server.onclose;
  server.onclose = () => {
    unsubscribe();
    detach();
    previousOnClose?.();
  };

  server.setRequestHandler("tools/list", async () => ({
    tools: META_TOOLS.map((tool) => tool.definition),
  }));

  server.setRequestHandler("tools/call", async (request, ctx): Promise<CallToolResult> => {
    const { name, arguments: args = {} } = request.params;
    const tool = META_TOOLS_BY_NAME.get(name);
    if (!tool) {
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `unknown tool ${name}`);
    }
    const relay = createRequestRelay(
      server,
      ctx,
      options.sessionId(),
      request.params._meta as JsonObject | undefined,
    );
    let result: CallToolResult;
    try {
      result = await tool.handle(args as JsonObject, {
        gateway,
        caller,
        signal: ctx.mcpReq.signal,
        onProgress: relay.onProgress,
        channel: relay.channel,
        meta: relay.meta,
      });
    } catch (error) {
      if (ctx.mcpReq.signal.aborted) throw error;
      logger.debug(`${name} failed: ${error instanceof Error ? error.message : error}`);
      result = errorResult(error);
    }
    await relay.flush();
    return result;
  });

  return server;
}
