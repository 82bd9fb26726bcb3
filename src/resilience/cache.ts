import type { CallToolResult } from "../mcp/sdk.ts";
import { canonicalJson } from "../security/pins.ts";

/**
 * Results of read-only tools, keyed by server, tool and canonical arguments. Errors are never
 * stored. Oldest entries go first when full.
 */
export class ResponseCache {
  private readonly entries = new Map<string, { result: CallToolResult; expires: number }>();
  /** Per server, how often a call with side effects began or ended (see `written`). */
  private readonly writes = new Map<string, number>();

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
   * A call of a tool that is not read-only began or ended on `server`: its answers may be stale
   * now (a file written, a memory stored), so they are dropped, and a read that was in flight
   * meanwhile is not stored (its `mark` no longer matches).
   */
  written(server: string): void {
    this.clear(server);
    this.writes.set(server, this.mark(server) + 1);
  }

  /** Taken before a read is sent; its answer is stored only if the mark is the same after. */
  mark(server: string): number {
    return this.writes.get(server) ?? 0;
  }

  clear(prefix?: string): void {
    if (!prefix) {
      this.entries.clear();
      return;
    }
    for (const key of this.entries.keys())
      if (key.startsWith(`${prefix}\u0000`)) this.entries.delete(key);
  }
}
