import { ExponentialBackoff, type IBackoff } from "cockatiel";
import { formatDuration } from "../config/duration.ts";
import type { FailsafeConfig } from "../config/schema.ts";
import { GatewayError } from "../errors.ts";
import { Breaker, type BreakerState } from "./breaker.ts";
import { RateLimitError, RateLimiter } from "./limits.ts";
import { Slots, SlotsFullError, SlotWaitAbortedError } from "./slots.ts";

/** Thrown by an attempt that failed before its request left: always safe to try again. */
export class NotSentError extends Error {
  constructor(readonly original: unknown) {
    super(original instanceof Error ? original.message : String(original));
    this.name = "NotSentError";
  }
}

export interface ExecuteOptions {
  /** The tool is annotated read-only or idempotent: a retry cannot do harm. */
  idempotent: boolean;
  signal?: AbortSignal;
  /** Is this error the backend failing (transport, timeout), not the backend answering? */
  isFailure(error: unknown): boolean;
  /**
   * An error that says nothing of the backend's health (it waits for an operator's login):
   * counted neither way by the breaker.
   */
  isNeutral?(error: unknown): boolean;
  /**
   * The authenticated caller whose call this is (absent for the gateway's own requests, and with
   * auth off, where every local client is one caller): its timeouts are its own (see `guarded`).
   */
  caller?: string;
  /** Is this failure one the caller may have caused (a timeout: arguments that make it slow)? */
  isTimeout?(error: unknown): boolean;
  /**
   * Its success says nothing of the backend's health (a start: the process ran, no call was
   * answered), so it does not close the breaker's count of failures in a row; its failure does
   * count. Without it, a backend that starts and then crashes on every call never opened it.
   */
  failuresOnly?: boolean;
}

/** Callers whose own breakers a backend keeps at most (the least recent go first). */
const MAX_CALLER_BREAKERS = 10_000;

/** A breaker's settings from `failsafe.circuit_breaker`. */
function breakerOptions(cb: FailsafeConfig["circuit_breaker"]) {
  return {
    failureThreshold: cb.failure_threshold,
    successThreshold: cb.success_threshold,
    resetTimeout: cb.reset_timeout,
    failureRate: cb.failure_rate,
    minCalls: cb.min_calls,
    windowSize: cb.window_size,
  };
}

/**
 * Everything around one backend's calls, outermost first: rate limit (queue, then refuse),
 * concurrency limit with a bounded queue (`Slots`), circuit breaker, retries with exponential
 * backoff and jitter (cockatiel) only where safe. A reload's settings apply through
 * `reconfigure`: calls already admitted finish under what they started with.
 */
export class BackendPolicy {
  breaker?: Breaker;
  /** Each caller's own breaker, for the timeouts of its calls. */
  private readonly callerBreakers = new Map<string, Breaker>();
  /** The callers whose calls timed out since the backend last answered one. */
  private readonly timedOut = new Set<string>();
  /** Calls in flight at once (`max_concurrency`, else `failsafe.concurrency.limit`) and waiting. */
  private readonly bulkhead: Slots;
  /** Each caller's calls in flight or waiting for a slot here. */
  private readonly held = new Map<string, number>();
  private limiter?: RateLimiter;
  /** The number of instances the rate limit was last divided among. */
  private sharedBy = 1;

  constructor(
    private readonly name: string,
    private config: FailsafeConfig,
    maxConcurrency?: number,
    private readonly onOpen?: (retryInMs: number) => void,
    /**
     * A backend every instance of a cluster calls (an HTTP one): how many instances there are
     * now. Its rate limit is the cluster's, each instance keeping its share of it.
     */
    private readonly instances?: () => number,
  ) {
    const { circuit_breaker: cb, rate_limit: rl, concurrency } = config;
    if (cb.enabled) this.breaker = new Breaker({ ...breakerOptions(cb), onOpen });
    this.limiter = this.newLimiter(rl);
    this.bulkhead = new Slots(maxConcurrency ?? concurrency.limit, concurrency.queue);
  }

  /**
   * A bucket for `rl`: in a cluster, for a backend every instance calls, its rate and burst
   * divided among the instances (at least 1 call of burst; N buckets of the whole rate sent the
   * backend N times it).
   */
  private newLimiter(rl: FailsafeConfig["rate_limit"]): RateLimiter | undefined {
    if (!rl.enabled) return undefined;
    const by = Math.max(1, this.instances?.() ?? 1);
    this.sharedBy = by;
    return new RateLimiter(
      rl.requests_per_second / by,
      Math.max(1, Math.floor(rl.burst / by)),
      rl.max_wait,
    );
  }

  /**
   * A reload's settings (`maxConcurrency`, the backend's own, still wins over the limit): a
   * breaker keeps its state and counts and judges by the new thresholds from its next outcome
   * (a breaker turned off is dropped, one turned on starts closed); calls holding slots keep
   * them while the new limit governs the next admissions; a changed rate limit starts a new,
   * full bucket (calls waiting on the old one keep their turn there); retries and the queue's
   * wait apply to calls that start after.
   */
  reconfigure(config: FailsafeConfig, maxConcurrency?: number): void {
    const before = this.config;
    this.config = config;
    const { circuit_breaker: cb, rate_limit: rl, concurrency } = config;
    if (!cb.enabled) {
      this.breaker = undefined;
      this.callerBreakers.clear();
    } else if (this.breaker) {
      this.breaker.reconfigure(breakerOptions(cb));
      for (const own of this.callerBreakers.values()) own.reconfigure(callerBreakerOptions(cb));
    } else {
      this.breaker = new Breaker({ ...breakerOptions(cb), onOpen: this.onOpen });
    }
    if (JSON.stringify(rl) !== JSON.stringify(before.rate_limit)) {
      this.limiter = this.newLimiter(rl);
    }
    this.bulkhead.resize(maxConcurrency ?? concurrency.limit, concurrency.queue);
  }

  get breakerState(): BreakerState {
    return this.breaker?.state ?? "closed";
  }

  /**
   * One call through the policy. A caller (with auth on) may hold at most half of the backend's
   * call slots, running and waiting together, while another caller has calls here: one key
   * filling them all with calls that wait would refuse every other key (`BACKEND_BUSY`), as its
   * calls past that share are now, at once. A caller alone may hold all but one: the one left is
   * the next key's at once, and from then on each is held to half.
   */
  async execute<T>(attempt: () => Promise<T>, options: ExecuteOptions): Promise<T> {
    const { caller } = options;
    if (caller === undefined) return this.admitted(attempt, options);
    const holding = this.held.get(caller) ?? 0;
    const slots = this.bulkhead.size;
    const alone = this.held.size === (holding > 0 ? 1 : 0);
    const share = alone ? slots - 1 : Math.ceil(slots / 2);
    if (slots > 1 && holding >= share) {
      const what = alone
        ? `all but one of the ${slots} call slots (one stays free for another key)`
        : `half of the ${slots} call slots while another key has calls here`;
      throw new GatewayError(
        "BACKEND_BUSY",
        `[backend:${this.name}] this caller already has ${holding} calls running or waiting here, ${what} (backends.${this.name}.max_concurrency, else failsafe.concurrency.limit), the most one key may hold; try again when one ends`,
      );
    }
    this.held.set(caller, holding + 1);
    try {
      return await this.admitted(attempt, options);
    } finally {
      const left = (this.held.get(caller) ?? 1) - 1;
      if (left > 0) this.held.set(caller, left);
      else this.held.delete(caller);
    }
  }

  private async admitted<T>(attempt: () => Promise<T>, options: ExecuteOptions): Promise<T> {
    // The cluster grew or shrank: a new bucket for the new share (waiting calls keep their turn).
    if (this.limiter && this.instances && this.instances() !== this.sharedBy) {
      this.limiter = this.newLimiter(this.config.rate_limit);
    }
    const limiter = this.limiter;
    if (limiter) {
      await limiter.acquire().catch((error: unknown) => {
        if (error instanceof RateLimitError) {
          throw new GatewayError("RATE_LIMITED", `[backend:${this.name}] ${error.message}`);
        }
        throw error;
      });
    }
    return this.queued(() => this.guarded(attempt, options), options.signal);
  }

  /** The concurrency limit: wait for a slot up to `queue_timeout`, refuse when the queue is full. */
  private async queued<T>(run: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const { queue_timeout: wait, queue } = this.config.concurrency;
    const limit = this.bulkhead.size;
    // A free slot: the call starts now, with nothing to wait for (no timer, no abort listener).
    if (this.bulkhead.free && !signal?.aborted) return this.bulkhead.execute(run);
    const gave = new AbortController();
    const onAbort = () => gave.abort();
    signal?.addEventListener("abort", onAbort, { once: true });
    const timer = setTimeout(() => gave.abort("queue timeout"), wait);
    let started = false;
    try {
      return await this.bulkhead.execute(() => {
        started = true;
        clearTimeout(timer);
        return run();
      }, gave.signal);
    } catch (error) {
      if (!started && error instanceof SlotWaitAbortedError && !signal?.aborted) {
        throw new GatewayError(
          "BACKEND_BUSY",
          `[backend:${this.name}] all ${limit} call slots stayed busy for ${formatDuration(wait)}; try again later`,
        );
      }
      if (error instanceof SlotsFullError) {
        throw new GatewayError(
          "BACKEND_BUSY",
          `[backend:${this.name}] too many calls waiting (${limit} running, ${queue} queued); try again later`,
        );
      }
      throw error;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /** `caller`'s own breaker on this backend (made on first use; none without a breaker). */
  private callerBreaker(caller: string | undefined): Breaker | undefined {
    if (caller === undefined || !this.breaker) return undefined;
    let breaker = this.callerBreakers.get(caller);
    if (breaker) {
      this.callerBreakers.delete(caller);
    } else {
      breaker = new Breaker(callerBreakerOptions(this.config.circuit_breaker));
      if (this.callerBreakers.size >= MAX_CALLER_BREAKERS) {
        this.callerBreakers.delete(this.callerBreakers.keys().next().value!);
      }
    }
    this.callerBreakers.set(caller, breaker);
    return breaker;
  }

  /**
   * The breaker around one call. A timeout may be the caller's doing (arguments that make the
   * backend work long) as much as the backend's: one caller's timeouts open that caller's own
   * breaker, and count against the backend's only once another caller's calls have timed out
   * too since the backend last answered, so one key cannot open a shared backend's breaker for
   * every other key. A backend that cannot be reached is everyone's failure at once.
   */
  private async guarded<T>(attempt: () => Promise<T>, options: ExecuteOptions): Promise<T> {
    // The breaker and retries this call started under, whatever a reload sets meanwhile.
    const { breaker, config } = this;
    const own = this.callerBreaker(options.caller);
    const mine = own?.admit() ?? { ok: true as const, probe: false };
    if (!mine.ok) {
      throw new GatewayError(
        "CIRCUIT_OPEN",
        `[backend:${this.name}] circuit open for this caller after its calls timed out repeatedly; retry in ${Math.max(1, Math.ceil(mine.retryInMs / 1000))}s`,
      );
    }
    const admission = breaker?.admit() ?? { ok: true as const, probe: false };
    if (!admission.ok) {
      own?.abandon(mine.probe);
      throw new GatewayError(
        "CIRCUIT_OPEN",
        `[backend:${this.name}] circuit open after repeated failures; retry in ${Math.max(1, Math.ceil(admission.retryInMs / 1000))}s`,
      );
    }
    const { retry: settings } = config;
    const safe = (error: unknown) =>
      !options.signal?.aborted &&
      (error instanceof NotSentError || (options.idempotent && options.isFailure(error)));
    const run =
      settings.enabled && settings.max_attempts > 1
        ? () => retrying(attempt, settings, safe, options.signal)
        : attempt;
    try {
      const result = await run();
      if (options.failuresOnly) {
        breaker?.abandon(admission.probe);
        own?.abandon(mine.probe);
      } else this.answered(breaker, admission.probe, own, mine.probe);
      return result;
    } catch (error) {
      const original = error instanceof NotSentError ? error.original : error;
      // A call its caller cancelled says nothing of the backend: counted, it let one key open
      // the breaker for every other by cancelling its own calls.
      if (options.signal?.aborted || options.isNeutral?.(original)) {
        breaker?.abandon(admission.probe);
        own?.abandon(mine.probe);
      } else if (own && !(error instanceof NotSentError) && options.isTimeout?.(original)) {
        own.failure(mine.probe);
        this.timedOut.add(options.caller!);
        if (this.timedOut.size > 1) breaker?.failure(admission.probe);
        else breaker?.abandon(admission.probe);
      } else if (error instanceof NotSentError || options.isFailure(original)) {
        breaker?.failure(admission.probe);
        own?.abandon(mine.probe);
      } else {
        this.answered(breaker, admission.probe, own, mine.probe);
      }
      throw original;
    }
  }

  /** The backend answered (a result, or an error of its own): it is alive for everyone. */
  private answered(
    breaker: Breaker | undefined,
    probe: boolean,
    own: Breaker | undefined,
    ownProbe: boolean,
  ): void {
    breaker?.success(probe);
    own?.success(ownProbe);
    this.timedOut.clear();
  }
}

/** A caller's own breaker (its timeouts alone): the thresholds, without a failure rate. */
function callerBreakerOptions(cb: FailsafeConfig["circuit_breaker"]) {
  const { failureThreshold, successThreshold, resetTimeout } = breakerOptions(cb);
  return { failureThreshold, successThreshold, resetTimeout };
}

/**
 * Runs `attempt` up to `settings.max_attempts` times while its failure is `safe` to retry,
 * with cockatiel's exponential backoff and jitter between attempts. cockatiel's own retry waits
 * out its delay whatever the signal says, then attempts once more: a call its client cancelled
 * held its call slot for the rest of the backoff (up to `max_backoff`) and could start the
 * backend again for nobody. Here a cancel ends the wait at once, with the last failure.
 */
async function retrying<T>(
  attempt: () => Promise<T>,
  settings: FailsafeConfig["retry"],
  safe: (error: unknown) => boolean,
  signal: AbortSignal | undefined,
): Promise<T> {
  const factory = new ExponentialBackoff({
    initialDelay: settings.initial_backoff,
    maxDelay: settings.max_backoff,
    exponent: settings.multiplier,
  });
  let backoff: IBackoff<unknown> | undefined;
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (tries >= settings.max_attempts || !safe(error)) throw error;
      backoff = backoff ? backoff.next(undefined) : factory.next();
      if (!(await pause(backoff.duration, signal))) throw error;
    }
  }
}

/** Waits `ms`; false as soon as `signal` aborts (or if it already has). */
function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((done) => {
    const stop = () => {
      clearTimeout(timer);
      done(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", stop);
      done(true);
    }, ms);
    signal?.addEventListener("abort", stop, { once: true });
  });
}
