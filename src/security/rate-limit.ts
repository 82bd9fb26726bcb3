/** A per-key request budget: a token bucket holding a minute's worth of requests. */
export interface RateLimiter {
  /** Takes one request; returns 0 when allowed, else the milliseconds until one is available. */
  take(): number;
}

export function createRateLimiter(perMinute: number, now: () => number = Date.now): RateLimiter {
  const refillPerMs = perMinute / 60_000;
  let tokens = perMinute;
  let last = now();
  return {
    take() {
      const at = now();
      tokens = Math.min(perMinute, tokens + (at - last) * refillPerMs);
      last = at;
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return Math.ceil((1 - tokens) / refillPerMs);
    },
  };
}
