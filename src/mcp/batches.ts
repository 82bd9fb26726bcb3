/**
 * JSON-RPC batches by protocol revision: 2025-03-26 made servers accept them, 2025-06-18 removed
 * them. The SDK's transports serve a batch whatever the session negotiated, so the fronts ask
 * here first.
 */

const REMOVED_IN = "2025-06-18";
/** The supported revisions that have batches. */
const WITH_BATCHES = new Set(["2025-03-26", "2024-11-05", "2024-10-07"]);
const INVALID_REQUEST = -32600;

/** Whether a client at `version` may send a batch (unknown: yes, as the SDK would). */
export function batchesAllowed(version: string | undefined): boolean {
  return version === undefined || WITH_BATCHES.has(version);
}

/**
 * Whether an `initialize` asking for `requested` settles on a revision without batches: any
 * revision but the ones that have them (an unknown one is answered with the latest).
 */
export function initializeWithoutBatches(requested: unknown): boolean {
  return typeof requested !== "string" || !WITH_BATCHES.has(requested);
}

/** The JSON-RPC error (id null: it answers a batch) refusing a batch at `version`. */
export function batchRefusal(version: string): {
  jsonrpc: "2.0";
  id: null;
  error: { code: number; message: string };
} {
  const message =
    `Invalid Request: JSON-RPC batches are not supported in protocol revision ${version} ` +
    `(removed in ${REMOVED_IN}); send each message on its own`;
  return { jsonrpc: "2.0", id: null, error: { code: INVALID_REQUEST, message } };
}
