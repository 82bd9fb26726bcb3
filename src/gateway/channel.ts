import type { BackendPool } from "../backends/pool.ts";
import type { CallerChannel, CallerIdentity, JsonObject, Progress } from "../backends/types.ts";
import { readsJsonOnly } from "../mcp/accept.ts";
import {
  ProtocolError,
  ProtocolErrorCode,
  type RequestMethod,
  type Server,
  type ServerContext,
} from "../mcp/sdk.ts";
import { type Caller, callerOf } from "./caller.ts";
import type { Gateway } from "./gateway.ts";
import { reachesLevel } from "./log-levels.ts";
import { RelayQueue } from "./relay-queue.ts";

/** Capabilities a client must have declared before the gateway relays a reverse request to it. */
const REQUIRED_CAPABILITY: Record<string, "sampling" | "elicitation" | "roots"> = {
  "sampling/createMessage": "sampling",
  "elicitation/create": "elicitation",
  "roots/list": "roots",
};

/**
 * The capability a reverse request needs that the client did not declare, if any: sampling
 * (`sampling.tools` when the request carries tools), elicitation (`elicitation.url` for URL
 * mode), roots.
 */
function missingCapability(
  server: Server,
  method: string,
  params: JsonObject | undefined,
): string | undefined {
  const needed = REQUIRED_CAPABILITY[method];
  if (!needed) return undefined;
  const declared = server.getClientCapabilities()?.[needed] as Record<string, unknown> | undefined;
  if (!declared) return needed;
  if (method === "sampling/createMessage" && params?.tools !== undefined && !declared.tools) {
    return "sampling.tools";
  }
  if (method === "elicitation/create" && params?.mode === "url" && !declared.url) {
    return "elicitation.url";
  }
  return undefined;
}

/**
 * What a notification (or a sampling request) relayed to a client passes first (redaction); its
 * params, changed or not, or null for a notification that is not for this client.
 */
export type NotificationFilter = (
  method: string,
  params: JsonObject | undefined,
) => JsonObject | undefined | null;

type Send = (method: string, params: JsonObject | undefined) => Promise<void>;

const filters = new WeakMap<Server, NotificationFilter>();

/** Makes every backend notification relayed to `server`'s client pass `filter` first. */
function filterRelayed(server: Server, filter: NotificationFilter): void {
  filters.set(server, filter);
}

/**
 * Every backend notification relayed to a session's client, during its calls or not: redacted
 * as results are, and a log message only at or above the session's own `logging/setLevel` (a
 * shared backend logs at the most verbose level any session asked for). Before, a session at
 * `error` got the `info` lines of its own calls.
 */
export function screenRelayed(gateway: Gateway, server: Server, sessionId: () => string): void {
  filterRelayed(server, (method, params) => {
    if (
      method === "notifications/message" &&
      !reachesLevel(gateway.logLevels.get(sessionId()), params)
    ) {
      return null;
    }
    return gateway.security.filterNotification(method, params) as JsonObject | undefined;
  });
}

/** `send`, with `server`'s filter applied to what it sends (and what it holds back). */
function filtered(server: Server, send: Send): Send {
  const filter = filters.get(server);
  if (!filter) return send;
  return async (method, params) => {
    const passed = filter(method, params);
    if (passed !== null) await send(method, passed);
  };
}

/**
 * What one client request gets while it is relayed to a backend: its progress token mapped back,
 * a channel for the backend's reverse requests and notifications on this request's stream, and
 * `flush()` to await every notification before the result goes out (so none arrive after it).
 */
export interface RequestRelay {
  onProgress?: (progress: Progress) => void;
  channel: CallerChannel;
  meta?: JsonObject;
  flush(): Promise<void>;
}

export function createRequestRelay(
  server: Server,
  ctx: ServerContext,
  sessionId: string,
  requestMeta: JsonObject | undefined,
): RequestRelay {
  const { progressToken, ...meta } = requestMeta ?? {};
  // Bounded: a backend that floods notifications must not swamp this client or the gateway.
  const queue = new RelayQueue(
    filtered(server, (method, params) => ctx.mcpReq.notify({ method, params })),
  );
  return {
    onProgress:
      progressToken === undefined
        ? undefined
        : (progress) => queue.sendProgress({ progressToken, ...progress }),
    meta: Object.keys(meta).length ? meta : undefined,
    channel: {
      sessionId,
      identity: identityOf(callerOf(ctx.http?.authInfo)),
      async request(method, params, signal) {
        // A sampling request is text for the client's model: redacted as a result would be.
        params = filters.get(server)?.(method, params) ?? params;
        if (REQUIRED_CAPABILITY[method] && readsJsonOnly(ctx.http?.req)) {
          throw new ProtocolError(
            ProtocolErrorCode.InvalidRequest,
            `the client's request accepts only application/json (one JSON answer), so ${method} cannot be relayed to it mid-call; a client that can answer it sends Accept: application/json, text/event-stream`,
          );
        }
        const missing = missingCapability(server, method, params);
        if (missing) {
          throw new ProtocolError(
            ProtocolErrorCode.InvalidRequest,
            `the client did not declare the ${missing} capability, so ${method} cannot be relayed to it`,
          );
        }
        const result = await ctx.mcpReq.send(
          { method: method as RequestMethod, params },
          { signal },
        );
        return result as JsonObject;
      },
      async notify(method, params) {
        queue.notify(method, params);
      },
      // A client that reads one JSON answer cannot be asked anything during the call.
      declares: (capability) =>
        !readsJsonOnly(ctx.http?.req) && server.getClientCapabilities()?.[capability] !== undefined,
    },
    flush: () => queue.flush(),
  };
}

/**
 * What a client session gets of backends' notifications that no call of its own caused (list
 * changes, resource updates, log messages at its level), through the same bounds as a call's.
 */
export function sessionRelay(server: Server): RelayQueue {
  return new RelayQueue(
    filtered(server, (method, params) =>
      server.notification({ method, params } as Parameters<Server["notification"]>[0]),
    ),
  );
}

/**
 * Sends one client request on to a backend with everything relayed back on the request's own
 * stream (progress on the client's token, the backend's reverse requests and notifications),
 * all flushed before the answer.
 */
export async function forwardRequest(
  pool: BackendPool,
  server: Server,
  ctx: ServerContext,
  sessionId: string,
  backend: string,
  method: string,
  params: JsonObject | undefined,
): Promise<JsonObject> {
  const relay = createRequestRelay(server, ctx, sessionId, params?._meta as JsonObject | undefined);
  try {
    return await pool.request(
      backend,
      method,
      params,
      { signal: ctx.mcpReq.signal, onProgress: relay.onProgress },
      relay.channel,
    );
  } finally {
    await relay.flush();
  }
}

/** The part of a caller that `per_caller` backends see. */
export function identityOf(caller: Caller): CallerIdentity {
  return { id: caller.id, credentials: caller.credentials ?? {} };
}
