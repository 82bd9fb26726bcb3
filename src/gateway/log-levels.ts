import type { LoggingLevel } from "../mcp/sdk.ts";
import { isStatelessSession } from "./caller.ts";

/** Syslog severities, most verbose first (RFC 5424 order as MCP uses it). */
export const LEVELS: LoggingLevel[] = [
  "debug",
  "info",
  "notice",
  "warning",
  "error",
  "critical",
  "alert",
  "emergency",
];

/**
 * Whether a log message (`notifications/message` params) reaches a session at level `wanted`:
 * at or above it, or any when the session set none (the spec leaves that to the server).
 */
export function reachesLevel(wanted: LoggingLevel | undefined, params: unknown): boolean {
  if (!wanted) return true;
  const level = (params as { level?: LoggingLevel } | undefined)?.level ?? "info";
  return LEVELS.indexOf(level) >= LEVELS.indexOf(wanted);
}

/** Stateless clients' levels kept at most; past it the least recently set go first. */
const MAX_STATELESS = 1000;

/**
 * The `logging/setLevel` of each client session, by session id. A session's level goes when the
 * session closes; a stateless client (2026-07-28, no session: one id per caller) never closes,
 * so its level is kept `ttl()` (the session TTL: as long as an idle session lives) after it was
 * last set, and at most `MAX_STATELESS` of them: one key per caller must not grow forever, nor a
 * client that asked for `debug` once keep every backend at `debug` for good.
 */
export class LogLevels extends Map<string, LoggingLevel> {
  /** When each stateless client's level expires, oldest set first. */
  readonly #expires = new Map<string, number>();

  constructor(
    private readonly ttl: () => number,
    private readonly now: () => number = Date.now,
    private readonly maxStateless = MAX_STATELESS,
  ) {
    super();
  }

  override set(id: string, level: LoggingLevel): this {
    super.set(id, level);
    if (!isStatelessSession(id)) return this;
    this.#expires.delete(id);
    this.#expires.set(id, this.now() + this.ttl());
    this.prune();
    return this;
  }

  override get(id: string): LoggingLevel | undefined {
    const expires = this.#expires.get(id);
    if (expires !== undefined && expires <= this.now()) this.delete(id);
    return super.get(id);
  }

  override delete(id: string): boolean {
    this.#expires.delete(id);
    return super.delete(id);
  }

  override clear(): void {
    this.#expires.clear();
    super.clear();
  }

  /** The levels in force (expired stateless ones dropped first). */
  override values(): MapIterator<LoggingLevel> {
    this.prune();
    return super.values();
  }

  /** Drops expired stateless levels, then the least recently set past the cap. */
  prune(): void {
    const now = this.now();
    for (const [id, expires] of this.#expires) {
      if (expires <= now || this.#expires.size > this.maxStateless) this.delete(id);
    }
  }
}
