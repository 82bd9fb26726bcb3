import type { CallToolResult } from "../mcp/sdk.ts";
import { canonicalJson } from "../security/pins.ts";

/**
 * Results of read-only tools, keyed by server, tool and canonical arguments. Errors are never
 * stored. Bounded by count and by size (the answers' JSON): expired entries go first, then the
 * oldest; an answer larger than a quarter of the size is not stored (one huge read must not push
 * every other answer out).
 */
export class ResponseCache {
  private readonly entries = new Map<
    string,
    { result: CallToolResult; expires: number; bytes: number }
  >();
  /** Per server, how often a call with side effects began or ended (see `written`). */
  private readonly writes = new Map<string, number>();
  /** The kept answers' size in all (their JSON's length). */
  bytes = 0;

  constructor(
    private ttlMs: number,
    private maxEntries: number,
    private maxBytes: number = Number.POSITIVE_INFINITY,
    private readonly now: () => number = Date.now,
  ) {}

  static key(server: string, tool: string, args: unknown): string {
    return `${server}\u0000${tool}\u0000${canonicalJson(args)}`;
  }

  get(key: string): CallToolResult | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= this.now()) {
      this.drop(key);
      return undefined;
    }
    return structuredClone(entry.result);
  }

  set(key: string, result: CallToolResult, ttlMs = this.ttlMs): void {
    if (result.isError || ttlMs <= 0) return;
    this.drop(key);
    const bytes = JSON.stringify(result).length;
    if (bytes > this.maxBytes / 4) return;
    this.entries.set(key, { result: structuredClone(result), expires: this.now() + ttlMs, bytes });
    this.bytes += bytes;
    this.shrink();
  }

  /** A reload's TTL (for answers stored from now on) and bounds (the oldest go past them). */
  resize(ttlMs: number, maxEntries: number, maxBytes = this.maxBytes): void {
    this.ttlMs = ttlMs;
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
    this.shrink();
  }

  /**
   * Drops the expired answers at the front (stored first, they expire first), then the oldest
   * while over either bound.
   */
  private shrink(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (entry.expires > now) break;
      this.drop(key);
    }
    while (this.entries.size > this.maxEntries || this.bytes > this.maxBytes) {
      this.drop(this.entries.keys().next().value!);
    }
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.bytes;
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
      this.bytes = 0;
      return;
    }
    for (const key of this.entries.keys()) {
      if (key.startsWith(`${prefix}\u0000`)) this.drop(key);
    }
  }
}
