import type { ClusterLink } from "./link.ts";

/** Marks a request one instance relayed to another (its value is the cluster's secret). */
export const RELAY_HEADER = "x-mcp-gateway-relay";

/** What Redis holds for each 2025-11-25 session: who owns it, and how to re-create it. */
export interface SharedSession {
  /** The owning instance's URL (`cluster.advertise_url`). */
  owner: string;
  scope: string;
  /** The caller id that opened it; only the same caller may use it anywhere. */
  caller: string;
  /** The client's `initialize` params (capabilities, clientInfo, protocolVersion). */
  init: unknown;
}

export const sessionKey = (id: string) => `session:${id}`;
export const eventsKey = (id: string) => `events:${id}`;
/** The claim an instance takes before adopting a session whose owner is gone. */
export const adoptKey = (id: string) => `adopting:${id}`;
/** How long an adoption claim holds (a claimant that died frees it after this). */
export const ADOPT_CLAIM_MS = 10_000;

/** Whether `request` was relayed by another instance of this cluster (not by a client). */
export function isRelayed(request: Request, link: ClusterLink | undefined): boolean {
  return !!link && request.headers.get(RELAY_HEADER) === link.secret;
}

// Per hop, never forwarded (RFC 9110 §7.6.1), or recomputed by fetch.
const HOP_HEADERS = ["connection", "keep-alive", "transfer-encoding", "content-length", "host"];

/**
 * Sends a session's request on to the instance that owns it and returns its answer as is (an
 * SSE stream flows through, so the owner's progress, sampling, elicitation and list_changed
 * reach the client on this connection). `undefined` when the owner cannot be reached: it died,
 * and the caller adopts the session.
 */
export async function relayToOwner(
  owner: string,
  request: Request,
  parsedBody: unknown,
  link: ClusterLink,
): Promise<Response | undefined> {
  const url = new URL(request.url);
  const headers = new Headers(request.headers);
  for (const name of HOP_HEADERS) headers.delete(name);
  headers.set(RELAY_HEADER, link.secret);
  try {
    const response = await fetch(`${owner}${url.pathname}${url.search}`, {
      method: request.method,
      headers,
      body: request.method === "POST" ? JSON.stringify(parsedBody) : undefined,
      signal: request.signal,
      redirect: "manual",
    });
    return new Response(response.body, { status: response.status, headers: response.headers });
  } catch (error) {
    if (request.signal.aborted) throw error;
    return undefined;
  }
}
