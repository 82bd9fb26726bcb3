/** A per-key request budget: a token bucket holding a minute's worth of JSON-RPC messages. */
export interface RateLimiter {
  readonly perMinute: number;
  /**
   * Takes `count` messages at once, or none; returns 0 when allowed, else the milliseconds until
   * that many are available (Infinity when `count` is more than a minute's budget).
   */
  take(count?: number): number;
}

export function createRateLimiter(perMinute: number, now: () => number = Date.now): RateLimiter {
  const refillPerMs = perMinute / 60_000;
  let tokens = perMinute;
  let last = now();
  return {
    perMinute,
    take(count = 1) {
      const at = now();
      tokens = Math.min(perMinute, tokens + (at - last) * refillPerMs);
      last = at;
      if (tokens >= count) {
        tokens -= count;
        return 0;
      }
      if (count > perMinute) return Number.POSITIVE_INFINITY;
      return Math.ceil((count - tokens) / refillPerMs);
    },
  };
}
