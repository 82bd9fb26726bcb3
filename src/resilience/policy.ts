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
}

/**
 * Everything around one backend's calls, outermost first: rate limit (queue, then refuse),
 * concurrency limit with a bounded queue (cockatiel's bulkhead), circuit breaker, retries with
 * exponential backoff and jitter (cockatiel) only where safe.
 */
export class BackendPolicy {
  readonly breaker?: Breaker;
  private readonly bulkhead: BulkheadPolicy;
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
    this.bulkhead = new BulkheadPolicy(maxConcurrency ?? concurrency.limit, concurrency.queue);
  }

  get breakerState(): BreakerState {
    return this.breaker?.state ?? "closed";
  }

  async execute<T>(attempt: () => Promise<T>, options: ExecuteOptions): Promise<T> {
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
    const { queue_timeout: wait, limit, queue } = this.config.concurrency;
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

  private async guarded<T>(attempt: () => Promise<T>, options: ExecuteOptions): Promise<T> {
    const admission = this.breaker?.admit() ?? { ok: true as const, probe: false };
    if (!admission.ok) {
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
      this.breaker?.success(admission.probe);
      return result;
    } catch (error) {
      const original = error instanceof NotSentError ? error.original : error;
      // A call its caller cancelled says nothing of the backend: counted, it let one key open
      // the breaker for every other by cancelling its own calls.
      if (options.signal?.aborted || options.isNeutral?.(original)) {
        this.breaker?.abandon(admission.probe);
      } else if (error instanceof NotSentError || options.isFailure(original)) {
        this.breaker?.failure(admission.probe);
      } else {
        this.breaker?.success(admission.probe);
      }
      throw original;
    }
  }
}
