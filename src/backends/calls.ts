import { formatDuration } from "../config/duration.ts";
import type { FailsafeConfig } from "../config/schema.ts";
import { GatewayError } from "../errors.ts";
import { LOCAL_ADMIN } from "../gateway/caller.ts";
import { logger } from "../logger.ts";
import { BackendPolicy, NotSentError } from "../resilience/policy.ts";
import { createHandle, type Handle } from "./_handle.ts";
import { describeBackendError } from "./connection.ts";
import { isNeedsLogin } from "./oauth/provider.ts";
import { forCaller } from "./per-caller.ts";
import { askedBy } from "./relay.ts";
import type { Supervisor } from "./supervisor.ts";
import type { BackendConnection, CallerChannel, CallerIdentity, CallOptions } from "./types.ts";

/** SEP-1036's error: the request needs the URL elicitations its `data` names first. */
const URL_ELICITATION_REQUIRED = -32042;

/** The hard ceiling on one call, whatever progress it reports. */
export const MAX_CALL_MS = 10 * 60 * 1000;

/** Requests with no side effects, safe to retry. */
export const IDEMPOTENT_METHODS = new Set([
  "resources/list",
  "resources/templates/list",
  "resources/read",
  "prompts/list",
  "prompts/get",
  "tools/list",
  "completion/complete",
  "ping",
]);

export type RunOptions = Omit<CallOptions, "timeout" | "maxTotalTimeout"> & {
  idempotent: boolean;
  tool?: string;
};

/**
 * Runs requests on backends: picks the connection (the session's own with `isolation:
 * session`), tracks who is calling (for reverse requests and idle stop), and wraps each
 * request in the backend's policy (breaker, limits, retry) and timeouts.
 */
export class Calls {
  /** Requests in flight on every backend, for a graceful shutdown's drain. */
  running = 0;
  /** Told when a backend's breaker opens on its own failures (cluster: shared breakers). */
  onBreakerOpen?: (server: string, retryInMs: number) => void;
  /** Cluster: how many instances share an HTTP backend's `failsafe.rate_limit` now. */
  instances?: () => number;

  constructor(
    private readonly supervisor: Supervisor,
    private failsafe: FailsafeConfig,
    /** Why a tool may not be called (quarantined by the security layer), else undefined. */
    private readonly quarantined: (server: string, tool: string) => string | undefined = () =>
      undefined,
  ) {}

  /**
   * With `isolation: session`, each client session gets its own connection (and process), opened
   * on first use, so every reverse request has exactly one owner.
   */
  forSession(handle: Handle, sessionId: string | undefined, identity?: CallerIdentity): Handle {
    if (handle.config.per_caller && identity && !handle.parent) return forCaller(handle, identity);
    if (handle.config.isolation !== "session" || !sessionId) return handle;
    let own = handle.isolated.get(sessionId);
    if (!own) {
      own = createHandle(handle.config, handle.driver);
      own.session = sessionId;
      own.parent = handle;
      own.listeners = handle.listeners;
      handle.isolated.set(sessionId, own);
    }
    return own;
  }

  async run<T>(
    main: Handle,
    options: RunOptions,
    caller: CallerChannel | undefined,
    run: (connection: BackendConnection, options: CallOptions) => Promise<T>,
  ): Promise<T> {
    const { supervisor } = this;
    const name = main.config.name;
    const handle = this.forSession(main, caller?.sessionId, caller?.identity);
    this.running++;
    handle.running++;
    if (caller) handle.inflight.set(caller, (handle.inflight.get(caller) ?? 0) + 1);
    clearTimeout(handle.idleTimer);
    const timeout =
      (options.tool && main.config.tool_timeouts[options.tool]) || main.config.timeout;
    const callOptions = { ...options, timeout, maxTotalTimeout: MAX_CALL_MS };
    const attempt = async (): Promise<T> => {
      let connection: BackendConnection;
      try {
        connection = await supervisor.connect(handle);
      } catch (error) {
        throw new NotSentError(error);
      }
      if (options.tool !== undefined) {
        await main.relisting;
        this.admit(main, options.tool);
      }
      try {
        return await run(connection, callOptions);
      } catch (error) {
        // An HTTP backend that forgot our session (it restarted, or expired it) answers 404; the
        // request never ran, so re-initialize and send it once more (spec: Session Management).
        if (!isExpiredSession(error) || options.signal?.aborted) throw error;
        logger.withTag(`backend:${name}`).info("session expired at the backend; re-initializing");
        if (handle.connection === connection) handle.connection = undefined;
        void connection.close();
        const fresh = await supervisor.connect(handle);
        // A new connection may be a new server (it restarted): its live list, just checked,
        // decides again whether this tool may be called (a rug pull must not ride the retry).
        if (options.tool !== undefined) {
          await main.relisting;
          this.admit(main, options.tool);
        }
        return await run(fresh, callOptions);
      }
    };
    try {
      // A per-caller connection has a policy of its own: one caller's credentials failing
      // (its own process or headers) must not open the breaker for every other caller.
      const shared = handle.callerValues === undefined;
      const policy = shared ? this.policyFor(main) : this.callerPolicy(handle);
      // On a policy several callers share, each key's timeouts and slots are counted as its own;
      // with auth off every local client is the one caller `local`, whose are everyone's.
      const who = shared ? caller?.identity?.id : undefined;
      return await policy.execute(attempt, {
        idempotent: options.idempotent,
        signal: options.signal,
        isFailure: isBackendFailure,
        isNeutral: isNeedsLogin,
        ...(who !== undefined && who !== LOCAL_ADMIN.id && { caller: who }),
        isTimeout: (error) => (error as { code?: unknown })?.code === "REQUEST_TIMEOUT",
      });
    } catch (error) {
      const code = (error as { code?: unknown })?.code;
      if (code === URL_ELICITATION_REQUIRED) {
        // The flows it names end later; their completion goes to the session that was asked.
        const asked = (error as { data?: { elicitations?: { elicitationId?: unknown }[] } }).data;
        const ids = Array.isArray(asked?.elicitations) ? asked.elicitations : [];
        askedBy(
          handle,
          ids.map((entry) => entry?.elicitationId),
          caller?.sessionId,
        );
      }
      // The backend's own JSON-RPC errors (with their code and data) pass through unchanged.
      if (options.signal?.aborted || typeof code === "number") throw error;
      if ((error as { code?: unknown })?.code === "REQUEST_TIMEOUT") {
        throw new GatewayError(
          "BACKEND_TIMEOUT",
          `[backend:${name}] no answer after ${formatDuration(timeout)}; the call was cancelled at the backend${main.driver ? "" : ` (${timeoutSetting(name, options.tool, main.config.tool_timeouts)})`}`,
          { cause: error },
        );
      }
      throw describeBackendError(name, error);
    } finally {
      this.running--;
      if (--handle.running === 0) handle.onDrained?.();
      if (caller) {
        const left = (handle.inflight.get(caller) ?? 1) - 1;
        if (left > 0) handle.inflight.set(caller, left);
        else handle.inflight.delete(caller);
      }
      supervisor.scheduleIdleStop(handle);
    }
  }

  /**
   * Starts a backend for a call that needs its live tool list first, through the same policy
   * as the call (breaker, retry, limits): a start that fails counts against the breaker, and an
   * open breaker refuses at once instead of starting the process again.
   */
  async start(main: Handle): Promise<void> {
    // Not retried here: the supervisor already spaces restarts out (backoff, then parking).
    await this.policyFor(main).execute(() => this.supervisor.connect(main), {
      idempotent: false,
      isFailure: isBackendFailure,
      isNeutral: isNeedsLogin,
      failuresOnly: true,
    });
  }

  /**
   * The last gate before a tool call is sent, checked on the connection that will carry it
   * (which was listed live when it opened): the tool must be in that live list and not
   * quarantined. Whatever the router saw before, no call reaches an unchecked definition.
   */
  private admit(main: Handle, tool: string): void {
    const server = main.config.name;
    if (!main.tools.some((t) => t.name === tool)) {
      throw new GatewayError("TOOL_NOT_FOUND", `server "${server}" has no tool "${tool}"`, {
        data: { server, tool },
      });
    }
    const why = this.quarantined(server, tool);
    if (why) {
      throw new GatewayError("TOOL_QUARANTINED", `${server}:${tool} is quarantined: ${why}`, {
        data: { server, tool },
      });
    }
  }

  /**
   * A reload's `failsafe`, applied to every policy made so far (each backend's, and each of its
   * per-caller connections'); backends' own `max_concurrency` and `circuit_breaker` still win.
   */
  reconfigure(failsafe: FailsafeConfig, handles: Iterable<Handle>): void {
    this.failsafe = failsafe;
    for (const main of handles) {
      for (const handle of [main, ...main.isolated.values()]) {
        handle.policy?.reconfigure(this.failsafeOf(handle), handle.config.max_concurrency);
      }
    }
  }

  /** A `per_caller` connection's own policy (breaker, limits), not shared across instances. */
  private callerPolicy(handle: Handle): BackendPolicy {
    handle.policy ??= new BackendPolicy(
      handle.config.name,
      this.failsafeOf(handle),
      handle.config.max_concurrency,
    );
    return handle.policy;
  }

  private failsafeOf(handle: Handle): FailsafeConfig {
    const own = handle.config.circuit_breaker;
    return own
      ? { ...this.failsafe, circuit_breaker: { ...this.failsafe.circuit_breaker, ...own } }
      : this.failsafe;
  }

  /** One policy (breaker, limits) per backend, shared by its per-session connections. */
  policyFor(handle: Handle): BackendPolicy {
    handle.policy ??= new BackendPolicy(
      handle.config.name,
      this.failsafeOf(handle),
      handle.config.max_concurrency,
      (ms) => this.onBreakerOpen?.(handle.config.name, ms),
      // An HTTP backend is one service that every instance calls; a stdio one runs per instance.
      handle.config.url ? () => this.instances?.() ?? 1 : undefined,
    );
    return handle.policy;
  }
}

/**
 * The backend failing (unreachable, closed, timed out), as opposed to the backend answering
 * with an error of its own (a JSON-RPC error, or a tool result with isError), which never
 * counts against its circuit breaker.
 */
function isBackendFailure(error: unknown): boolean {
  if (error instanceof NotSentError) return true;
  // A stack overflow is the request's doing (arguments too deep to send), not the backend's.
  if (error instanceof RangeError) return false;
  const code = (error as { code?: unknown })?.code;
  if (typeof code === "number") return false;
  if (error instanceof GatewayError) {
    return error.code === "BACKEND_UNAVAILABLE" || error.code === "BACKEND_TIMEOUT";
  }
  return true;
}

/** A Streamable HTTP backend's 404 for a session id it does not know. */
function isExpiredSession(error: unknown): boolean {
  const status = (error as { status?: unknown; data?: { status?: unknown } })?.status;
  if (status === 404) return true;
  return /\b404\b|session not found/i.test(error instanceof Error ? error.message : String(error));
}

/** The setting that bounded a call that timed out, as its error names it. */
function timeoutSetting(
  name: string,
  tool: string | undefined,
  own: Record<string, number>,
): string {
  const key = tool && /^[\w-]+$/.test(tool) ? tool : JSON.stringify(tool ?? "");
  if (tool !== undefined && own[tool]) return `raise backends.${name}.tool_timeouts.${key}`;
  const alone =
    tool === undefined ? "" : `, or backends.${name}.tool_timeouts.${key} for this tool alone`;
  return `raise backends.${name}.timeout${alone}`;
}
