/**
 * A token bucket that queues: a call waits for a token up to `maxWaitMs`, and only then is
 * refused with how long until the next token. `rate` tokens per second, `burst` at most.
 */
export class RateLimiter {
  private tokens: number;
  private last: number;
  private readonly waiting: { resolve: () => void; timer: ReturnType<typeof setTimeout> }[] = [];
  private drainTimer?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly maxWaitMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Resolves when the call may go; rejects with a retry hint when it waited too long. */
  acquire(): Promise<void> {
    this.refill();
    if (this.waiting.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const entry = {
        resolve,
        timer: setTimeout(() => {
          const index = this.waiting.indexOf(entry);
          if (index >= 0) this.waiting.splice(index, 1);
          reject(new RateLimitError(Math.ceil(1000 / this.rate)));
        }, this.maxWaitMs),
      };
      this.waiting.push(entry);
      this.schedule();
    });
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
  }

  private schedule(): void {
    if (this.drainTimer) return;
    const wait = Math.max(1, Math.ceil(((1 - this.tokens) / this.rate) * 1000));
    this.drainTimer = setTimeout(() => {
      this.drainTimer = undefined;
      this.refill();
      while (this.waiting.length && this.tokens >= 1) {
        this.tokens -= 1;
        const next = this.waiting.shift()!;
        clearTimeout(next.timer);
        next.resolve();
      }
      if (this.waiting.length) this.schedule();
    }, wait);
  }
}

export class RateLimitError extends Error {
  constructor(readonly retryAfterMs: number) {
    super(`rate limit reached; retry in ${Math.max(1, Math.ceil(retryAfterMs / 1000))}s`);
    this.name = "RateLimitError";
  }
}
