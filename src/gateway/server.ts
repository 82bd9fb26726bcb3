import type { CallerChannel, JsonObject, Progress } from "../backends/types.ts";
import { logger } from "../logger.ts";
import {
  type CallToolResult,
  ProtocolError,
  ProtocolErrorCode,
  type RequestMethod,
  Server,
} from "../mcp/sdk.ts";
import { INSTRUCTIONS, META_TOOLS, META_TOOLS_BY_NAME } from "../meta/tools.ts";
import { errorResult } from "../meta/types.ts";
import { VERSION } from "../version.ts";
import { type Caller, LOCAL_ADMIN } from "./caller.ts";
import type { Gateway } from "./gateway.ts";

/** Capabilities a client must have declared before the gateway relays a reverse request to it. */
const REQUIRED_CAPABILITY: Record<string, "sampling" | "elicitation" | "roots"> = {
  "sampling/createMessage": "sampling",
  "elicitation/create": "elicitation",
  "roots/list": "roots",
};

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
    { capabilities: { tools: { listChanged: true } }, instructions: INSTRUCTIONS },
  );

  // The meta tools stay the same, but what search finds changed: clients re-list and re-search.
  if (options.notifyListChanged) {
    const unsubscribe = gateway.onReachableToolsChanged(() => {
      void server.sendToolListChanged().catch(() => {});
    });
    const previousOnClose = server.onclose;
    server.onclose = () => {
      unsubscribe();
      previousOnClose?.();
    };
  }

  server.setRequestHandler("tools/list", async () => ({
    tools: META_TOOLS.map((tool) => tool.definition),
  }));

  server.setRequestHandler("tools/call", async (request, ctx): Promise<CallToolResult> => {
    const { name, arguments: args = {} } = request.params;
    const tool = META_TOOLS_BY_NAME.get(name);
    if (!tool) {
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `unknown tool ${name}`);
    }
    const { progressToken, ...meta } = (request.params._meta ?? {}) as JsonObject;
    // Progress notifications are sent in order and all of them before the result.
    const pending: Promise<void>[] = [];
    const onProgress =
      progressToken === undefined
        ? undefined
        : (progress: Progress) => {
            pending.push(
              ctx.mcpReq
                .notify({
                  method: "notifications/progress",
                  params: { progressToken, ...progress },
                })
                .catch(() => {}),
            );
          };
    const channel: CallerChannel = {
      sessionId: options.sessionId(),
      async request(method, params, signal) {
        const needed = REQUIRED_CAPABILITY[method];
        if (needed && !server.getClientCapabilities()?.[needed]) {
          throw new ProtocolError(
            ProtocolErrorCode.InvalidRequest,
            `the client did not declare the ${needed} capability, so ${method} cannot be relayed to it`,
          );
        }
        const result = await ctx.mcpReq.send(
          { method: method as RequestMethod, params },
          { signal },
        );
        return result as JsonObject;
      },
      async notify(method, params) {
        pending.push(ctx.mcpReq.notify({ method, params }).catch(() => {}));
      },
    };
    let result: CallToolResult;
    try {
      result = await tool.handle(args as JsonObject, {
        gateway,
        caller,
        signal: ctx.mcpReq.signal,
        onProgress,
        channel,
        meta: Object.keys(meta).length ? meta : undefined,
      });
    } catch (error) {
      if (ctx.mcpReq.signal.aborted) throw error;
      logger.debug(`${name} failed: ${error instanceof Error ? error.message : error}`);
      result = errorResult(error);
    }
    await Promise.all(pending);
    return result;
  });

  return server;
}
