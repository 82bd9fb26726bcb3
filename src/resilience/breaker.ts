/**
 * A circuit breaker per backend: opens after `failureThreshold` consecutive failures, lets one
 * probe through at a time after `resetTimeout` (half-open), and closes after `successThreshold`
 * successful probes. cockatiel's breaker closes on the first success and has no success
 * threshold, which the original gateway's `success_threshold` needs, hence this small one.
 */
export type BreakerState = "closed" | "open" | "half-open";

export interface BreakerOptions {
  failureThreshold: number;
  successThreshold: number;
  /** Milliseconds open before a probe is allowed. */
  resetTimeout: number;
  now?: () => number;
}

export type Admission = { ok: true; probe: boolean } | { ok: false; retryInMs: number };

export class Breaker {
  private current: BreakerState = "closed";
  private failures = 0;
  private successes = 0;
  private openedAt = 0;
  private probing = false;
  private readonly now: () => number;

  constructor(private readonly options: BreakerOptions) {
    this.now = options.now ?? Date.now;
  }

  get state(): BreakerState {
    if (this.current === "open" && this.now() - this.openedAt >= this.options.resetTimeout) {
      return "half-open";
    }
    return this.current;
  }

  /** Whether a call may go ahead now; when not, how long until a probe is allowed. */
  admit(): Admission {
    const state = this.state;
    if (state === "closed") return { ok: true, probe: false };
    if (state === "open") {
      return { ok: false, retryInMs: this.options.resetTimeout - (this.now() - this.openedAt) };
    }
    if (this.probing) return { ok: false, retryInMs: 1000 };
    this.current = "half-open";
    this.probing = true;
    return { ok: true, probe: true };
  }

  success(probe: boolean): void {
    if (probe) this.probing = false;
    if (this.current === "half-open") {
      if (++this.successes >= this.options.successThreshold) this.reset();
      return;
    }
    this.failures = 0;
  }

  failure(probe: boolean): void {
    if (probe) this.probing = false;
    if (this.current === "half-open") {
      this.open();
      return;
    }
    if (++this.failures >= this.options.failureThreshold) this.open();
  }

  reset(): void {
    this.current = "closed";
    this.failures = 0;
    this.successes = 0;
    this.probing = false;
  }

  private open(): void {
    this.current = "open";
    this.openedAt = this.now();
    this.successes = 0;
    this.failures = 0;
  }
}
