import type { CallToolResult } from "../mcp/sdk.ts";

/**
 * Results of read-only tools, keyed by server, tool and canonical arguments. Errors are never
 * stored. Oldest entries go first when full.
 */
export class ResponseCache {
  private readonly entries = new Map<string, { result: CallToolResult; expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
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

  clear(prefix?: string): void {
    if (!prefix) {
      this.entries.clear();
      return;
    }
    for (const key of this.entries.keys())
      if (key.startsWith(`${prefix}\u0000`)) this.entries.delete(key);
  }
}

/** JSON with object keys sorted at every level (RFC 8785 ordering for our purposes). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const keys = Object.keys(value as object).sort();
  return `{${keys
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .map(
      (key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`,
    )
    .join(",")}}`;
}
