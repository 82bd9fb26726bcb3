import { randomUUID } from "node:crypto";
import { GatewayError } from "../errors.ts";
import type { Gateway } from "../gateway/gateway.ts";

/** `result://` URIs: script results too large to return, kept for their caller. */
export const RESULT_SCHEME = "result://";
/** Kept results per gateway (memory: each is at most `code_mode.max_output`). */
const MAX_KEPT = 200;
/** Kept results per caller: one caller's many results never push out another's. */
const MAX_PER_CALLER = 50;
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
  /** How many each caller has kept. */
  #counts = new Map<string, number>();

  /**
   * Keeps a value's JSON text; returns its `result://` URI. Past `MAX_PER_CALLER` the caller's own
   * oldest goes; when the store is full, the oldest of the caller keeping the most.
   */
  keep(caller: string, text: string): string {
    this.#prune();
    const uri = `${RESULT_SCHEME}${randomUUID()}`;
    this.#kept.set(uri, { caller, text, at: Date.now() });
    this.#counts.set(caller, (this.#counts.get(caller) ?? 0) + 1);
    while ((this.#counts.get(caller) ?? 0) > MAX_PER_CALLER) this.#dropOldestOf(caller);
    while (this.#kept.size > MAX_KEPT) {
      let most = caller;
      for (const [who, count] of this.#counts) {
        if (count > (this.#counts.get(most) ?? 0)) most = who;
      }
      this.#dropOldestOf(most);
    }
    return uri;
  }

  #dropOldestOf(caller: string): void {
    for (const [uri, kept] of this.#kept) {
      if (kept.caller === caller) {
        this.#drop(uri, kept);
        return;
      }
    }
  }

  #drop(uri: string, kept: Kept): void {
    this.#kept.delete(uri);
    const left = (this.#counts.get(kept.caller) ?? 1) - 1;
    if (left > 0) this.#counts.set(kept.caller, left);
    else this.#counts.delete(kept.caller);
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
      this.#drop(uri, kept);
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
