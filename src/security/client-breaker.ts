import { GatewayError } from "../errors.ts";
import { LOCAL_ADMIN } from "../gateway/caller.ts";
import type { AdmittedCall, CallInfo, GatewayHookable } from "../hooks.ts";
import { Breaker } from "../resilience/breaker.ts";
import type { ClientBreakerConfig } from "./schema.ts";

/** Marks the admitted call that is its caller's half-open probe (copied along with the call). */
const PROBE = Symbol("client-breaker-probe");
type Marked = CallInfo & { [PROBE]?: boolean };

/**
 * `auth.client_circuit_breaker` (the original gateway's): one breaker per authenticated caller
 * (an API key or a token; not applied with auth off, where every local client is one caller). After `failure_threshold` calls in a row that failed to
 * dispatch (the backend was unreachable, timed out, refused), that caller's calls are refused
 * with `[CIRCUIT_OPEN]` for `reset_timeout`; then one probe goes through, and
 * `success_threshold` successful ones close it. A tool's own error result is a dispatched call,
 * not a failure. Other callers are not affected. Settings are read on every call (hot reload);
 * a change of them starts every breaker afresh.
 */
export function registerClientBreaker(
  hooks: GatewayHookable,
  settings: () => ClientBreakerConfig | undefined,
  now: () => number = Date.now,
): () => void {
  const breakers = new Map<string, Breaker>();
  let applied = "";

  function breakerOf(caller: string): Breaker | undefined {
    // With auth off every local client is the one caller `local`: pausing it would pause all.
    if (caller === LOCAL_ADMIN.id) return undefined;
    const config = settings();
    const key = JSON.stringify(config ?? null);
    if (key !== applied) {
      breakers.clear();
      applied = key;
    }
    if (!config?.enabled) return undefined;
    let breaker = breakers.get(caller);
    if (!breaker) {
      breaker = new Breaker({
        failureThreshold: config.failure_threshold,
        successThreshold: config.success_threshold,
        resetTimeout: config.reset_timeout,
        now,
      });
      breakers.set(caller, breaker);
    }
    return breaker;
  }

  const unhooks = [
    hooks.hook("tool:call:admit", (call: AdmittedCall) => {
      const breaker = breakerOf(call.caller);
      if (!breaker) return;
      const admission = breaker.admit();
      if (!admission.ok) {
        const seconds = Math.max(1, Math.ceil(admission.retryInMs / 1000));
        throw new GatewayError(
          "CIRCUIT_OPEN",
          `[CIRCUIT_OPEN] [client:${call.caller}] this caller's last calls failed to dispatch; its calls are paused for ${seconds}s (auth.client_circuit_breaker)`,
          { data: { retryInMs: admission.retryInMs } },
        );
      }
      if (admission.probe) (call as Marked)[PROBE] = true;
    }),
    hooks.hook("tool:call:refused", (call) => {
      breakerOf(call.caller)?.abandon((call as Marked)[PROBE] === true);
    }),
    hooks.hook("tool:call:after", (call) => {
      const breaker = breakerOf(call.caller);
      if (!breaker) return;
      const probe = (call as Marked)[PROBE] === true;
      if (call.error === undefined) breaker.success(probe);
      else breaker.failure(probe);
    }),
  ];
  return () => {
    for (const unhook of unhooks) unhook();
  };
}
