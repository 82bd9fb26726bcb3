import {
  BulkheadPolicy,
  BulkheadRejectedError,
  ExponentialBackoff,
  handleWhen,
  retry,
  TaskCancelledError,
} from "cockatiel";
import { formatDuration } from "../config/duration.ts";
import type { FailsafeConfig } from "../config/schema.ts";
import { GatewayError } from "../errors.ts";
import { Breaker, type BreakerState } from "./breaker.ts";
import { RateLimitError, RateLimiter } from "./limits.ts";

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
}

/** Callers whose own breakers a backend keeps at most (the least recent go first). */
const MAX_CALLER_BREAKERS = 10_000;

/**
 * Everything around one backend's calls, outermost first: rate limit (queue, then refuse),
 * concurrency limit with a bounded queue (cockatiel's bulkhead), circuit breaker, retries with
 * exponential backoff and jitter (cockatiel) only where safe.
 */
export class BackendPolicy {
  readonly breaker?: Breaker;
  /** Each caller's own breaker, for the timeouts of its calls. */
  private readonly callerBreakers = new Map<string, Breaker>();
  /** The callers whose calls timed out since the backend last answered one. */
  private readonly timedOut = new Set<string>();
  private readonly bulkhead: BulkheadPolicy;
  /** Calls in flight or waiting at once (`max_concurrency`, else `failsafe.concurrency.limit`). */
  private readonly slots: number;
  /** Each caller's calls in flight or waiting for a slot here. */
  private readonly held = new Map<string, number>();
  private readonly limiter?: RateLimiter;

  constructor(
    private readonly name: string,
    private readonly config: FailsafeConfig,
    maxConcurrency?: number,
    onOpen?: (retryInMs: number) => void,
  ) {
    const { circuit_breaker: cb, rate_limit: rl, concurrency } = config;
    if (cb.enabled) {
      this.breaker = new Breaker({
        failureThreshold: cb.failure_threshold,
        successThreshold: cb.success_threshold,
        resetTimeout: cb.reset_timeout,
        failureRate: cb.failure_rate,
        minCalls: cb.min_calls,
        windowSize: cb.window_size,
        onOpen,
      });
    }
    if (rl.enabled) this.limiter = new RateLimiter(rl.requests_per_second, rl.burst, rl.max_wait);
    this.slots = maxConcurrency ?? concurrency.limit;
    this.bulkhead = new BulkheadPolicy(this.slots, concurrency.queue);
  }

  get breakerState(): BreakerState {
    return this.breaker?.state ?? "closed";
  }

  /**
   * One call through the policy. A caller (with auth on) may hold at most half of the backend's
   * call slots, running and waiting together: one key filling them all with calls that wait would
   * refuse every other key (`BACKEND_BUSY`), as its calls past that share are now, at once.
   */
  async execute<T>(attempt: () => Promise<T>, options: ExecuteOptions): Promise<T> {
    const { caller } = options;
    if (caller === undefined) return this.admitted(attempt, options);
    const holding = this.held.get(caller) ?? 0;
    if (this.slots > 1 && holding >= Math.ceil(this.slots / 2)) {
      throw new GatewayError(
        "BACKEND_BUSY",
        `[backend:${this.name}] this caller already has ${holding} calls running or waiting here, half of the ${this.slots} call slots (backends.${this.name}.max_concurrency, else failsafe.concurrency.limit), the most one key may hold; try again when one ends`,
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
    if (this.limiter) {
      await this.limiter.acquire().catch((error: unknown) => {
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
    const limit = this.slots;
    // A free slot: the call starts now, with nothing to wait for (no timer, no abort listener).
    if (this.bulkhead.executionSlots > 0 && !signal?.aborted) return this.bulkhead.execute(run);
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
      if (!started && error instanceof TaskCancelledError && !signal?.aborted) {
        throw new GatewayError(
          "BACKEND_BUSY",
          `[backend:${this.name}] all ${limit} call slots stayed busy for ${formatDuration(wait)}; try again later`,
        );
      }
      if (error instanceof BulkheadRejectedError) {
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
      const cb = this.config.circuit_breaker;
      breaker = new Breaker({
        failureThreshold: cb.failure_threshold,
        successThreshold: cb.success_threshold,
        resetTimeout: cb.reset_timeout,
      });
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
    const own = this.callerBreaker(options.caller);
    const mine = own?.admit() ?? { ok: true as const, probe: false };
    if (!mine.ok) {
      throw new GatewayError(
        "CIRCUIT_OPEN",
        `[backend:${this.name}] circuit open for this caller after its calls timed out repeatedly; retry in ${Math.max(1, Math.ceil(mine.retryInMs / 1000))}s`,
      );
    }
    const admission = this.breaker?.admit() ?? { ok: true as const, probe: false };
    if (!admission.ok) {
      own?.abandon(mine.probe);
      throw new GatewayError(
        "CIRCUIT_OPEN",
        `[backend:${this.name}] circuit open after repeated failures; retry in ${Math.max(1, Math.ceil(admission.retryInMs / 1000))}s`,
      );
    }
    const { retry: settings } = this.config;
    const safe = (error: unknown) =>
      !options.signal?.aborted &&
      (error instanceof NotSentError || (options.idempotent && options.isFailure(error)));
    const run =
      settings.enabled && settings.max_attempts > 1
        ? () =>
            retry(handleWhen(safe), {
              maxAttempts: settings.max_attempts - 1,
              backoff: new ExponentialBackoff({
                initialDelay: settings.initial_backoff,
                maxDelay: settings.max_backoff,
                exponent: settings.multiplier,
              }),
            }).execute(attempt, options.signal)
        : attempt;
    try {
      const result = await run();
      this.answered(admission.probe, own, mine.probe);
      return result;
    } catch (error) {
      const original = error instanceof NotSentError ? error.original : error;
      // A call its caller cancelled says nothing of the backend: counted, it let one key open
      // the breaker for every other by cancelling its own calls.
      if (options.signal?.aborted || options.isNeutral?.(original)) {
        this.breaker?.abandon(admission.probe);
        own?.abandon(mine.probe);
      } else if (own && !(error instanceof NotSentError) && options.isTimeout?.(original)) {
        own.failure(mine.probe);
        this.timedOut.add(options.caller!);
        if (this.timedOut.size > 1) this.breaker?.failure(admission.probe);
        else this.breaker?.abandon(admission.probe);
      } else if (error instanceof NotSentError || options.isFailure(original)) {
        this.breaker?.failure(admission.probe);
        own?.abandon(mine.probe);
      } else {
        this.answered(admission.probe, own, mine.probe);
      }
      throw original;
    }
  }

  /** The backend answered (a result, or an error of its own): it is alive for everyone. */
  private answered(probe: boolean, own: Breaker | undefined, ownProbe: boolean): void {
    this.breaker?.success(probe);
    own?.success(ownProbe);
    this.timedOut.clear();
  }
}
