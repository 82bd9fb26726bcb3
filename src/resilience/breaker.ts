/**
 * A circuit breaker per backend: opens after `failureThreshold` consecutive failures (or, when
 * set, a failure rate over the last calls), lets one
 * probe through at a time after `resetTimeout` (half-open), and closes after `successThreshold`
 * successful probes. cockatiel's breaker closes on the first success and has no success
 * threshold, which the original gateway's `success_threshold` needs, hence this small one.
 */
export type BreakerState = "closed" | "open" | "half-open";

/** The original gateway's spelling of each state (`half_open`), which its users' checks read. */
export const ORIGINAL_BREAKER = {
  closed: "closed",
  open: "open",
  "half-open": "half_open",
} as const satisfies Record<BreakerState, string>;

export interface BreakerOptions {
  failureThreshold: number;
  successThreshold: number;
  /** Also open when this share (0..1) of the last `windowSize` calls failed; off when absent. */
  failureRate?: number;
  /** Calls the window must hold before `failureRate` applies. */
  minCalls?: number;
  windowSize?: number;
  /** Milliseconds open before a probe is allowed. */
  resetTimeout: number;
  now?: () => number;
  /** Called when it opens on its own failures (a cluster tells the other instances). */
  onOpen?: (retryInMs: number) => void;
}

export type Admission = { ok: true; probe: boolean } | { ok: false; retryInMs: number };

export class Breaker {
  private current: BreakerState = "closed";
  private failures = 0;
  private successes = 0;
  private openedAt = 0;
  private probing = false;
  /** Recent outcomes (true = failure), newest last, for the failure rate. */
  private readonly recent: boolean[] = [];
  private readonly now: () => number;

  constructor(private options: BreakerOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * New thresholds from a reload (its clock and `onOpen` stay): the state and counts are kept and
   * judged by the new numbers from the next outcome on (an open breaker's `resetTimeout` counts
   * from when it opened); the failure-rate window keeps its newest calls.
   */
  reconfigure(options: Omit<BreakerOptions, "now" | "onOpen">): void {
    this.options = { ...options, now: this.options.now, onOpen: this.options.onOpen };
    if (this.options.failureRate === undefined) this.recent.length = 0;
    const size = this.options.windowSize ?? 50;
    if (this.recent.length > size) this.recent.splice(0, this.recent.length - size);
  }

  get state(): BreakerState {
    if (this.current === "open" && this.now() - this.openedAt >= this.options.resetTimeout) {
      return "half-open";
    }
    return this.current;
  }

  /** While open, how long until a probe is allowed (ms); 0 otherwise. */
  get retryInMs(): number {
    if (this.state !== "open") return 0;
    return this.options.resetTimeout - (this.now() - this.openedAt);
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
    this.remember(false);
  }

  failure(probe: boolean): void {
    if (probe) this.probing = false;
    if (this.current === "half-open") {
      this.open();
      return;
    }
    this.remember(true);
    if (++this.failures >= this.options.failureThreshold || this.rateExceeded()) this.open();
  }

  private remember(failed: boolean): void {
    if (this.options.failureRate === undefined) return;
    this.recent.push(failed);
    if (this.recent.length > (this.options.windowSize ?? 50)) this.recent.shift();
  }

  private rateExceeded(): boolean {
    const { failureRate, minCalls = 20 } = this.options;
    if (failureRate === undefined || this.recent.length < minCalls) return false;
    const failed = this.recent.filter(Boolean).length;
    return failed / this.recent.length >= failureRate;
  }

  /** A probe that was admitted but never sent (another check refused the call). */
  abandon(probe: boolean): void {
    if (probe) this.probing = false;
  }

  reset(): void {
    this.current = "closed";
    this.failures = 0;
    this.recent.length = 0;
    this.successes = 0;
    this.probing = false;
  }

  private open(): void {
    this.current = "open";
    this.openedAt = this.now();
    this.successes = 0;
    this.failures = 0;
    this.options.onOpen?.(this.options.resetTimeout);
  }

  /** Opens for `ms` because another instance's breaker for the same backend opened. */
  openFor(ms: number): void {
    if (this.state === "open" && this.retryInMs >= ms) return;
    this.current = "open";
    this.openedAt = this.now() - Math.max(0, this.options.resetTimeout - ms);
    this.successes = 0;
    this.failures = 0;
    this.probing = false;
  }
}
