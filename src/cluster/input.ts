import { createHash } from "node:crypto";
import type { InputFlows } from "../gateway/input-flows.ts";
import type { ClusterLink } from "./link.ts";
import { isRelayed, relayToOwner } from "./relay.ts";

/** What Redis holds for a call waiting on a 2026-07-28 client's input: where, and whose. */
interface SharedInput {
  /** The URL of the instance holding the call (`cluster.advertise_url`). */
  owner: string;
  caller: string;
}

/** Keyed by a digest of the `requestState` the client echoes: Redis never holds the state. */
export const inputKey = (state: string) =>
  `input:${createHash("sha256").update(state).digest("base64url")}`;

/**
 * Writes each `requestState` `flows` hands a client (an `input_required` answer) to Redis with
 * this instance, for `ttlMs`, so the client's retry reaches this instance wherever it lands.
 */
export function shareInputFlows(flows: InputFlows, link: ClusterLink, ttlMs: number): void {
  flows.onState = (state, caller) => {
    const record: SharedInput = { owner: link.url, caller };
    void link.set(inputKey(state), JSON.stringify(record), ttlMs);
  };
}

/**
 * A stateless retry (`params.requestState`) for a call another instance holds: relayed there,
 * when Redis names it and the same caller made the call. `undefined` to answer here (a call of
 * this instance, someone else's, unknown, or its instance unreachable).
 */
export async function relayInput(
  request: Request,
  body: unknown,
  callerId: string,
  link: ClusterLink | undefined,
): Promise<Response | undefined> {
  if (!link || isRelayed(request, link) || !body || typeof body !== "object") return undefined;
  const state = (body as { params?: { requestState?: unknown } }).params?.requestState;
  if (typeof state !== "string" || !state) return undefined;
  const text = await link.get(inputKey(state));
  if (!text) return undefined;
  const record = JSON.parse(text) as SharedInput;
  if (record.caller !== callerId || record.owner === link.url) return undefined;
  return relayToOwner(record.owner, request, body, link);
}
