import { randomUUID } from "node:crypto";
import { GatewayError } from "../errors.ts";
import type { Gateway } from "../gateway/gateway.ts";

/** `result://` URIs: script results too large to return, kept for their caller. */
export const RESULT_SCHEME = "result://";
/** Kept results per gateway; the oldest goes first. */
const MAX_KEPT = 200;
/** How long a kept result stays readable. */
const KEEP_MS = 30 * 60_000;

interface Kept {
  caller: string;
  text: string;
  at: number;
}

/** Results kept by handle, in memory, readable only by the caller that produced them. */
export class ResultStore {
  #kept = new Map<string, Kept>();

  /** Keeps a value's JSON text; returns its `result://` URI. */
  keep(caller: string, text: string): string {
    this.#prune();
    const uri = `${RESULT_SCHEME}${randomUUID()}`;
    this.#kept.set(uri, { caller, text, at: Date.now() });
    while (this.#kept.size > MAX_KEPT) this.#kept.delete(this.#kept.keys().next().value!);
    return uri;
  }

  /** The JSON text behind a URI; another caller's result is answered like a missing one. */
  read(uri: string, caller: string): string {
    this.#prune();
    const kept = this.#kept.get(uri);
    if (!kept || kept.caller !== caller) {
      throw new GatewayError(
        "INVALID_ARGUMENTS",
        `no stored result ${uri} (results are kept ${KEEP_MS / 60_000} min, for the caller that made them)`,
      );
    }
    return kept.text;
  }

  #prune(): void {
    const oldest = Date.now() - KEEP_MS;
    for (const [uri, kept] of this.#kept) {
      if (kept.at >= oldest) break;
      this.#kept.delete(uri);
    }
  }
}

const stores = new WeakMap<Gateway, ResultStore>();

/** The gateway's result store, made on first use. */
export function resultsFor(gateway: Gateway): ResultStore {
  let store = stores.get(gateway);
  if (!store) {
    store = new ResultStore();
    stores.set(gateway, store);
  }
  return store;
}
