import { logger } from "../logger.ts";
import { credentialAsked } from "../security/elicitation.ts";
import type { Handle } from "./_handle.ts";
import type { CallerChannel, JsonObject } from "./types.ts";

/** The one session with a call in flight on this backend, if there is exactly one. */
function soleCaller(handle: Handle): CallerChannel | undefined {
  const sessions = new Set([...handle.inflight.keys()].map((caller) => caller.sessionId));
  if (sessions.size !== 1) return undefined;
  return handle.inflight.keys().next().value;
}

/**
 * A backend's server-to-client request goes to the one session whose call is in flight on it;
 * `roots/list` with no such session is answered with the gateway's own roots.
 */
export async function relayRequest(
  handle: Handle,
  method: string,
  params: JsonObject | undefined,
  signal: AbortSignal,
  roots: { uri: string; name?: string }[] | undefined,
): Promise<JsonObject> {
  if (method === "elicitation/create") {
    // A form asking for a password or a key is phishing, or at best against the spec: never
    // shown to the user (docs/security.md).
    const asked = credentialAsked(params);
    if (asked) {
      const name = handle.config.name;
      logger
        .withTag(`backend:${name}`)
        .warn(`refused a form elicitation asking for a credential (${asked})`);
      throw new Error(
        `elicitation/create refused by the gateway: a form asking the user for a credential (${asked}); MCP requires URL mode for credentials, which the user enters at the service itself`,
      );
    }
  }
  if (method === "sampling/createMessage" && params?.includeContext !== undefined) {
    // The client's context of "this server" is the gateway's, every backend's calls and results:
    // one backend asking for it would read the others'. It gets none.
    if (params.includeContext !== "none") params = { ...params, includeContext: "none" };
  }
  const caller = soleCaller(handle);
  if (caller && method === "elicitation/create" && params?.mode === "url") {
    askedBy(handle, [params.elicitationId], caller.sessionId);
  }
  // A client without roots (a backend often asks right after it starts, during the call that
  // started it) is not asked: the gateway's own roots answer, as with no caller at all.
  const rootless = method === "roots/list" && caller?.declares?.("roots") === false;
  if (caller && !rootless) return caller.request(method, params, signal);
  if (method === "roots/list") return { roots: roots ?? [] };
  const sessions = new Set([...handle.inflight.keys()].map((c) => c.sessionId)).size;
  const name = handle.config.name;
  throw new Error(
    sessions === 0
      ? `${method} from backend ${name}: no client call is in flight on it, so there is no client to ask`
      : `${method} from backend ${name}: calls of ${sessions} client sessions are in flight on its one shared connection, and nothing says which one asked, so no client is asked; set backends.${name}.isolation: session (a connection per client session)`,
  );
}

/** URL elicitations a handle remembers at most; past it the oldest go first. */
const MAX_ELICITATIONS = 1000;

/** Records that session `sessionId` was asked the URL elicitations `ids` by this backend. */
export function askedBy(handle: Handle, ids: unknown[], sessionId: string | undefined): void {
  if (!sessionId) return;
  for (const id of ids) {
    if (typeof id !== "string") continue;
    handle.elicitations.delete(id);
    handle.elicitations.set(id, sessionId);
    if (handle.elicitations.size > MAX_ELICITATIONS) {
      handle.elicitations.delete(handle.elicitations.keys().next().value!);
    }
  }
}

/**
 * List changes and resource updates go to every listening session (each filters what it
 * subscribed to); anything else (logging, say) goes to the one session whose call is in
 * flight, or to the listeners when there is none. With calls of several sessions in flight it
 * cannot be told whose call it is about, so it goes to none: broadcast, one key's call's log
 * lines would reach another key that holds a call open on purpose; sent to one of them (the
 * same key's, or the local admin's when auth is off), it rode that session's call as if its
 * own call had said it.
 */
export function relayNotification(
  handle: Handle,
  method: string,
  params: JsonObject | undefined,
): void {
  if (method === "notifications/elicitation/complete") {
    // For the session that was asked (a call's -32042, or a URL elicitation/create), which may
    // have no call in flight by now: the user ends the flow in a browser, later.
    const id = String(params?.elicitationId);
    const to = handle.elicitations.get(id) ?? handle.session;
    handle.elicitations.delete(id);
    if (!to) return;
    for (const listener of handle.listeners) listener(method, params, handle.session, to);
    return;
  }
  const broadcast =
    method.endsWith("/list_changed") || method === "notifications/resources/updated";
  if (!broadcast && handle.inflight.size) {
    const caller = soleCaller(handle);
    if (caller) void caller.notify(method, params).catch(() => {});
    return;
  }
  for (const listener of handle.listeners) listener(method, params, handle.session);
}
