/** A per-key request budget: a token bucket holding a minute's worth of JSON-RPC messages. */
export interface RateLimiter {
  readonly perMinute: number;
  /**
   * Takes `count` messages at once, or none; returns 0 when allowed, else the milliseconds until
   * that many are available (Infinity when `count` is more than a minute's budget).
   */
  take(count?: number): number;
  /** Messages taken and not yet refilled, as of now. */
  spent(): number;
}

/**
 * `spent`: messages already taken from the bucket (a reloaded key's, under its old limit), so a
 * reload neither refills a key's minute nor lets a lowered limit start full.
 */
export function createRateLimiter(
  perMinute: number,
  now: () => number = Date.now,
  spent = 0,
): RateLimiter {
  const refillPerMs = perMinute / 60_000;
  let tokens = Math.max(0, perMinute - spent);
  let last = now();
  const refill = () => {
    const at = now();
    tokens = Math.min(perMinute, tokens + (at - last) * refillPerMs);
    last = at;
  };
  return {
    perMinute,
    spent() {
      refill();
      return perMinute - tokens;
    },
    take(count = 1) {
      refill();
      if (tokens >= count) {
        tokens -= count;
        return 0;
      }
      if (count > perMinute) return Number.POSITIVE_INFINITY;
      return Math.ceil((count - tokens) / refillPerMs);
    },
  };
}
