/**
 * What a server offers besides tools: each needs its own grant (`logs`: the log messages it
 * sends with no call in flight, about no one call; only a grant of the whole server has them).
 */
export type CatalogKind = "resources" | "prompts" | "logs";

/** Who is calling: scopes, limits and usage key on this. With auth off on loopback, a local admin. */
export interface Caller {
  id: string;
  admin: boolean;
  /** Returns true when this caller may see and call `server:tool` (`tool` "*": reach the server). */
  allows(server: string, tool: string): boolean;
  /**
   * Whether this caller may list, read, subscribe to and complete the server's resources or
   * prompts: a grant of the whole server, or of its resources or prompts, not of one tool.
   */
  allowsCatalog(server: string, kind: CatalogKind): boolean;
  /**
   * Names what `allows` answers: two callers with the same scope allow the same tools. Search
   * keeps the index of what a scope sees under it; absent, each search asks about every tool.
   */
  scope?(): string;
  /** Why `allows` says no: the rule that denies `server:tool`, for the error and the log. */
  denial?(server: string, tool: string): string | undefined;
  /** The `denied_tools` rule that covers `server:tool`, if any (an allow list aside). */
  denies?(server: string, tool: string): string | undefined;
  /** The session's routing profile binding (see src/gateway/profiles.ts), when it has one. */
  profile?: ProfileBinding;
  /** Values for backends' `per_caller` templates: a key's `credentials`, a token's claims. */
  credentials?: Record<string, string>;
}

/** Which routing profile a session uses; `gateway_set_profile` changes it for later requests. */
export interface ProfileBinding {
  name: string | undefined;
  /** False for a stateless request: nothing outlives it, so there is nothing to switch. */
  switchable: boolean;
}

/**
 * The session id of a stateless (2026-07-28) request, which has no MCP session: one per caller,
 * so that `isolation: session` and the session sandbox never mix two keys' requests, and each
 * caller's stateless calls reuse one per-session connection instead of one each.
 */
export function statelessSession(callerId: string): string {
  return `${STATELESS}${callerId}`;
}

const STATELESS = "stateless:";

/** Whether `sessionId` is one `statelessSession` made (a client with no MCP session). */
export function isStatelessSession(sessionId: string): boolean {
  return sessionId.startsWith(STATELESS);
}

export const LOCAL_ADMIN: Caller = {
  id: "local",
  admin: true,
  allows: () => true,
  allowsCatalog: () => true,
  scope: () => "*",
};

/**
 * The caller as the SDK's `authInfo`, so that each request's handlers see the credential that
 * request carried (scopes are evaluated per request, not per session).
 */
export function toAuthInfo(caller: Caller) {
  return { token: "", clientId: caller.id, scopes: [] as string[], extra: { caller } };
}

/** The caller a request carried (see `toAuthInfo`), else `fallback`. */
export function callerOf(
  authInfo: { extra?: Record<string, unknown> } | undefined,
  fallback: Caller = LOCAL_ADMIN,
): Caller {
  return (authInfo?.extra?.caller as Caller | undefined) ?? fallback;
}
