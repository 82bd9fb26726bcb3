import type { CallToolResult } from "../mcp/sdk.ts";
import { canonicalJson } from "../security/pins.ts";

/**
 * Results of read-only tools, keyed by server, tool and canonical arguments. Errors are never
 * stored. Oldest entries go first when full.
 */
export class ResponseCache {
  private readonly entries = new Map<string, { result: CallToolResult; expires: number }>();
  /** How many times everything, and each server's entries, were dropped (see `era`). */
  private cleared = 0;
  private readonly serverCleared = new Map<string, number>();

  constructor(
    private ttlMs: number,
    private maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  static key(server: string, tool: string, args: unknown): string {
    return `${server}\u0000${tool}\u0000${canonicalJson(args)}`;
  }

  get(key: string): CallToolResult | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return structuredClone(entry.result);
  }

  set(key: string, result: CallToolResult, ttlMs = this.ttlMs): void {
    if (result.isError || ttlMs <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { result: structuredClone(result), expires: this.now() + ttlMs });
    while (this.entries.size > this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value!);
    }
  }

  /** A reload's TTL (for answers stored from now on) and size (the oldest go past it). */
  resize(ttlMs: number, maxEntries: number): void {
    this.ttlMs = ttlMs;
    this.maxEntries = maxEntries;
    while (this.entries.size > this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value!);
    }
  }

  /**
   * Changes whenever `server`'s entries are dropped: a call that started before (on a
   * definition a reload replaced) compares it before storing its answer.
   */
  era(server: string): string {
    return `${this.cleared}:${this.serverCleared.get(server) ?? 0}`;
  }

  clear(prefix?: string): void {
    if (!prefix) {
      this.cleared++;
      this.entries.clear();
      return;
    }
    this.serverCleared.set(prefix, (this.serverCleared.get(prefix) ?? 0) + 1);
    for (const key of this.entries.keys())
      if (key.startsWith(`${prefix}\u0000`)) this.entries.delete(key);
  }
}
