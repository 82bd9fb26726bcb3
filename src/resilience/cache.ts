import type { CallToolResult } from "../mcp/sdk.ts";
import { canonicalJson } from "../security/pins.ts";

/**
 * Results of read-only tools, keyed by server, tool and canonical arguments. Errors are never
 * stored. Oldest entries go first when full.
 */
export class ResponseCache {
  private readonly entries = new Map<string, { result: CallToolResult; expires: number }>();

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

  clear(prefix?: string): void {
    if (!prefix) {
      this.entries.clear();
      return;
    }
    for (const key of this.entries.keys())
      if (key.startsWith(`${prefix}\u0000`)) this.entries.delete(key);
  }
}
