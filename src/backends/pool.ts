import { createHash } from "node:crypto";
import { formatDuration } from "../config/duration.ts";
import type { ResolvedBackend, ResolvedConfig } from "../config/load.ts";
import { ConfigSchema, type FailsafeConfig } from "../config/schema.ts";
import { GatewayError } from "../errors.ts";
import { createGatewayHooks, type GatewayHookable } from "../hooks.ts";
import { logger } from "../logger.ts";
import type { CallToolResult, Tool } from "../mcp/sdk.ts";
import { ResponseCache } from "../resilience/cache.ts";
import { BackendPolicy, NotSentError } from "../resilience/policy.ts";
import { createMemoryStore, type StateStore } from "../state/store.ts";
import { describeBackendError, openConnection } from "./connection.ts";
import type {
  ActiveTransport,
  BackendConnection,
  BackendState,
  CallerChannel,
  CallOptions,
  ConnectionEvents,
  InternalDriver,
  JsonObject,
} from "./types.ts";

/** A cached tool list older than this is refreshed at start by spawning the backend. */
const CACHE_MAX_AGE_MS = 24 * 60 * 60 * 1000;
const STDERR_LINES = 20;
/** The hard ceiling on one call, whatever progress it reports. */
export const MAX_CALL_MS = 10 * 60 * 1000;

export interface PoolOptions {
  backends: ResolvedBackend[];
  store: StateStore;
  hooks: GatewayHookable;
  /** Roots answered to `roots/list` when no single client session owns the request. */
  roots?: { uri: string; name?: string }[];
  env?: Record<string, string | undefined>;
  /** Backends served inside the gateway (capabilities). */
  drivers?: InternalDriver[];
  /** Breaker, retry, limits and restart settings; defaults when absent. */
  failsafe?: FailsafeConfig;
  /** The read-only response cache; off when absent. */
  cache?: { enabled: boolean; default_ttl: number; max_entries: number };
}

/** What `gateway_list_servers` and `/health` show of one backend. */
export interface BackendStatus {
  name: string;
  transport: ActiveTransport | "auto";
  state: BackendState;
  tools: number;
  error?: string;
  description?: string;
}

interface Handle {
  config: ResolvedBackend;
  state: BackendState;
  tools: Tool[];
  fingerprint: string;
  error?: string;
  transport?: ActiveTransport;
  connection?: BackendConnection;
  connecting?: Promise<BackendConnection>;
  /** Calls in flight, by the channel of the session that made each. */
  inflight: Map<CallerChannel, number>;
  stderr: string[];
  idleTimer?: ReturnType<typeof setTimeout>;
  refreshTimer?: ReturnType<typeof setTimeout>;
  driver?: InternalDriver;
  listeners: Set<BackendListener>;
  policy?: BackendPolicy;
  /** When the process died unexpectedly, recently (for restart backoff and the crash loop). */
  crashes: number[];
  /** With `isolation: session`: the per-session connections, by client session id. */
  isolated: Map<string, Handle>;
  /** Set on a per-session handle: the session it belongs to. */
  session?: string;
}

/** Receives a backend's notifications (for `/mcp/{backend}` sessions). */
export type BackendListener = (method: string, params: JsonObject | undefined) => void;

/** Owns every backend connection: lazy start, tool discovery, restart on next use, shutdown. */
/**
 * The config's backends in a pool of their own, with nothing cached and no gateway around them:
 * for commands that connect to each backend once and list its tools (`doctor`, `lock`).
 */
export function standalonePool(
  config: ResolvedConfig,
  env: Record<string, string | undefined>,
): BackendPool {
  return new BackendPool({
    backends: config.backends,
    store: createMemoryStore(),
    hooks: createGatewayHooks(),
    roots: config.roots,
    env,
  });
}

export class BackendPool {
  private readonly handles = new Map<string, Handle>();
  private readonly aliases = new Map<string, string>();
  private closing = false;
  private healthTimer?: ReturnType<typeof setInterval>;
  /** Requests in flight on every backend, for a graceful shutdown's drain. */
  private running = 0;
  private readonly failsafe: FailsafeConfig;
  private readonly cache?: ResponseCache;

  constructor(private readonly options: PoolOptions) {
    this.failsafe = options.failsafe ?? ConfigSchema.parse({}).failsafe;
    const cache = options.cache;
    if (cache?.enabled) this.cache = new ResponseCache(cache.default_ttl, cache.max_entries);
    for (const driver of options.drivers ?? []) {
      const config: ResolvedBackend = {
        name: driver.name,
        description: driver.description,
        enabled: true,
        transport: "internal",
        args: [],
        env: {},
        headers: {},
        inherit_env: false,
        timeout: driver.timeout ?? 60_000,
        isolation: "shared",
        tool_timeouts: {},
      };
      this.handles.set(driver.name, this.newHandle(config, driver));
      for (const alias of driver.aliases ?? []) this.aliases.set(alias, driver.name);
    }
    for (const config of options.backends) {
      if (!config.enabled) continue;
      this.handles.set(config.name, this.newHandle(config));
    }
  }

  private newHandle(config: ResolvedBackend, driver?: InternalDriver): Handle {
    return {
      config,
      driver,
      state: config.configError ? "failed" : "idle",
      error: config.configError,
      tools: [],
      fingerprint: fingerprint(config),
      inflight: new Map(),
      stderr: [],
      listeners: new Set(),
      isolated: new Map(),
      crashes: [],
    };
  }

  /** The backend's own name for a name or alias (`gateway` for the capabilities backend). */
  canonical(name: string): string {
    return this.aliases.get(name) ?? name;
  }

  /**
   * Learns every backend's tools without blocking: cached lists are served at once; HTTP
   * backends, and stdio backends without a fresh cache, are connected in parallel.
   */
  start(): Promise<void> {
    const check = this.failsafe.health_check;
    if (check.enabled) {
      this.healthTimer = setInterval(() => void this.healthCheck(), check.interval);
      this.healthTimer.unref?.();
    }
    const jobs: Promise<void>[] = [];
    for (const handle of this.handles.values()) {
      if (handle.config.configError) continue;
      const cached = this.options.store.getTools(handle.config.name);
      const fresh =
        cached?.fingerprint === handle.fingerprint &&
        Date.now() - cached.updatedAt < CACHE_MAX_AGE_MS;
      if (cached?.fingerprint === handle.fingerprint) this.setTools(handle, cached.tools, false);
      if (fresh && handle.config.transport === "stdio") continue;
      if (handle.driver) {
        jobs.push(
          this.refresh(handle.config.name).then(
            () => {},
            () => {},
          ),
        );
        continue;
      }
      jobs.push(
        this.refresh(handle.config.name).then(
          () => {},
          () => {},
        ),
      );
    }
    return Promise.all(jobs).then(() => {});
  }

  names(): string[] {
    return [...this.handles.keys()];
  }

  /** Requests in flight right now, over every backend. */
  inFlight(): number {
    return this.running;
  }

  /**
   * Applies a reloaded config's backends: new ones are added and listed, removed ones closed,
   * changed ones replaced; untouched ones keep their connections and calls in flight. Returns
   * what changed, by name.
   */
  async apply(
    backends: ResolvedBackend[],
  ): Promise<{ added: string[]; removed: string[]; changed: string[] }> {
    const next = new Map(backends.filter((b) => b.enabled).map((b) => [b.name, b]));
    const added: string[] = [];
    const removed: string[] = [];
    const changed: string[] = [];
    const closing: Promise<void>[] = [];
    for (const [name, handle] of this.handles) {
      if (handle.driver) continue;
      const config = next.get(name);
      if (!config) {
        removed.push(name);
      } else if (JSON.stringify(config) !== JSON.stringify(handle.config)) {
        changed.push(name);
      } else {
        continue;
      }
      this.handles.delete(name);
      closing.push(this.retire(handle));
    }
    for (const [name, config] of next) {
      if (this.handles.has(name)) continue;
      if (!changed.includes(name)) added.push(name);
      this.handles.set(name, this.newHandle(config));
    }
    await Promise.all(closing);
    for (const name of removed) void this.options.hooks.callHook("tools:changed", name, []);
    for (const name of [...added, ...changed]) {
      const handle = this.handles.get(name)!;
      if (handle.config.configError) continue;
      this.refresh(name).catch(() => {});
    }
    return { added, removed, changed };
  }

  /** Closes a handle that left the config (and its per-session connections). */
  private async retire(handle: Handle): Promise<void> {
    clearTimeout(handle.refreshTimer);
    await Promise.all([handle, ...handle.isolated.values()].map((h) => this.disconnect(h)));
  }

  has(name: string): boolean {
    return this.handles.has(this.canonical(name));
  }

  status(name: string): BackendStatus | undefined {
    const handle = this.handles.get(name);
    if (!handle) return undefined;
    const open = handle.policy?.breakerState === "open";
    return {
      name,
      transport: handle.transport ?? handle.config.transport,
      state: open && handle.state !== "failed" ? "open" : handle.state,
      tools: handle.tools.length,
      error: handle.error,
      description: handle.config.description,
    };
  }

  statuses(): BackendStatus[] {
    return this.names().map((name) => this.status(name)!);
  }

  stderrTail(name: string): string[] {
    return this.handles.get(name)?.stderr ?? [];
  }

  /** Connects (if needed) and re-lists a backend's tools. */
  async refresh(name: string): Promise<Tool[]> {
    const handle = this.require(name);
    const connection = await this.connect(handle);
    try {
      const tools = await connection.listTools();
      this.setTools(handle, tools, true);
      return tools;
    } catch (error) {
      const failure = describeBackendError(name, error);
      if (!this.closing)
        logger.withTag(`backend:${name}`).warn(`listing tools failed: ${failure.message}`);
      throw failure;
    } finally {
      this.scheduleIdleStop(handle);
    }
  }

  /** Coalesces a burst of `tools/list_changed` notifications into one re-list. */
  private refreshSoon(handle: Handle): void {
    if (handle.refreshTimer) return;
    handle.refreshTimer = setTimeout(() => {
      handle.refreshTimer = undefined;
      this.refresh(handle.config.name).catch(() => {});
    }, 50);
  }

  /** Calls a tool on a backend; `caller` receives the backend's reverse requests for this call. */
  async callTool(
    name: string,
    tool: string,
    args: JsonObject,
    options: Omit<CallOptions, "timeout" | "maxTotalTimeout">,
    caller?: CallerChannel,
  ): Promise<CallToolResult> {
    const handle = this.require(name);
    const annotations = handle.tools.find((t) => t.name === tool)?.annotations;
    const readOnly = annotations?.readOnlyHint === true;
    // Only read-only tools are cached: a call with side effects must always reach the backend.
    const key = readOnly && this.cache ? ResponseCache.key(handle.config.name, tool, args) : "";
    const hit = key ? this.cache?.get(key) : undefined;
    if (hit) return hit;
    const result = await this.withConnection(
      name,
      { ...options, idempotent: readOnly || annotations?.idempotentHint === true, tool },
      caller,
      (connection, callOptions) => connection.callTool(tool, args, callOptions),
    );
    if (key) this.cache?.set(key, result);
    return result;
  }

  /** Sends any request to a backend (the pass-through of `/mcp/{backend}`). */
  request(
    name: string,
    method: string,
    params: JsonObject | undefined,
    options: Omit<CallOptions, "timeout" | "maxTotalTimeout">,
    caller?: CallerChannel,
  ): Promise<JsonObject> {
    return this.withConnection(
      name,
      { ...options, idempotent: IDEMPOTENT_METHODS.has(method) },
      caller,
      (connection, callOptions) => connection.request(method, params, callOptions),
    );
  }

  /** The live connection to a backend (the session's own with `isolation: session`). */
  open(name: string, sessionId?: string): Promise<BackendConnection> {
    return this.connect(this.forSession(this.require(name), sessionId));
  }

  /** Closes the per-session connections of a client session that ended. */
  async closeSession(sessionId: string): Promise<void> {
    await Promise.all(
      [...this.handles.values()].map(async (handle) => {
        const own = handle.isolated.get(sessionId);
        if (!own) return;
        handle.isolated.delete(sessionId);
        await this.disconnect(own);
      }),
    );
  }

  /**
   * With `isolation: session`, each client session gets its own connection (and process), opened
   * on first use, so every reverse request has exactly one owner.
   */
  private forSession(handle: Handle, sessionId: string | undefined): Handle {
    if (handle.config.isolation !== "session" || !sessionId) return handle;
    let own = handle.isolated.get(sessionId);
    if (!own) {
      own = this.newHandle(handle.config, handle.driver);
      own.session = sessionId;
      own.listeners = handle.listeners;
      handle.isolated.set(sessionId, own);
    }
    return own;
  }

  private async disconnect(handle: Handle): Promise<void> {
    clearTimeout(handle.idleTimer);
    clearTimeout(handle.refreshTimer);
    const connection = handle.connection ?? (await handle.connecting?.catch(() => undefined));
    handle.connection = undefined;
    await connection?.close();
  }

  /** Receives every notification a backend sends. Returns a function that unsubscribes. */
  listen(name: string, listener: BackendListener): () => void {
    const handle = this.require(name);
    handle.listeners.add(listener);
    return () => handle.listeners.delete(listener);
  }

  private async withConnection<T>(
    name: string,
    options: Omit<CallOptions, "timeout" | "maxTotalTimeout"> & {
      idempotent: boolean;
      tool?: string;
    },
    caller: CallerChannel | undefined,
    run: (connection: BackendConnection, options: CallOptions) => Promise<T>,
  ): Promise<T> {
    const main = this.require(name);
    const handle = this.forSession(main, caller?.sessionId);
    this.running++;
    if (caller) handle.inflight.set(caller, (handle.inflight.get(caller) ?? 0) + 1);
    clearTimeout(handle.idleTimer);
    const timeout =
      (options.tool && main.config.tool_timeouts[options.tool]) || main.config.timeout;
    const callOptions = { ...options, timeout, maxTotalTimeout: MAX_CALL_MS };
    const attempt = async (): Promise<T> => {
      let connection: BackendConnection;
      try {
        connection = await this.connect(handle);
      } catch (error) {
        throw new NotSentError(error);
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
        return await run(await this.connect(handle), callOptions);
      }
    };
    try {
      return await this.policyFor(main).execute(attempt, {
        idempotent: options.idempotent,
        signal: options.signal,
        isFailure: isBackendFailure,
      });
    } catch (error) {
      // The backend's own JSON-RPC errors (with their code and data) pass through unchanged.
      if (options.signal?.aborted || typeof (error as { code?: unknown })?.code === "number") {
        throw error;
      }
      if ((error as { code?: unknown })?.code === "REQUEST_TIMEOUT") {
        throw new GatewayError(
          "BACKEND_TIMEOUT",
          `[backend:${name}] no answer after ${formatDuration(timeout)}; the call was cancelled at the backend`,
          { cause: error },
        );
      }
      throw describeBackendError(name, error);
    } finally {
      this.running--;
      if (caller) {
        const left = (handle.inflight.get(caller) ?? 1) - 1;
        if (left > 0) handle.inflight.set(caller, left);
        else handle.inflight.delete(caller);
      }
      this.scheduleIdleStop(handle);
    }
  }

  /** One policy (breaker, limits) per backend, shared by its per-session connections. */
  private policyFor(handle: Handle): BackendPolicy {
    handle.policy ??= new BackendPolicy(
      handle.config.name,
      this.failsafe,
      handle.config.max_concurrency,
    );
    return handle.policy;
  }

  /**
   * A backend that crashed `crash_limit` times within `crash_window` is parked as failed (with
   * its last stderr lines) until the window has passed, instead of being restarted forever.
   */
  private crashLoop(handle: Handle): GatewayError | undefined {
    const { crash_limit, crash_window } = this.failsafe.restart;
    const now = Date.now();
    handle.crashes = handle.crashes.filter((at) => now - at < crash_window);
    if (handle.crashes.length < crash_limit) return undefined;
    const retryIn = Math.ceil((handle.crashes[0]! + crash_window - now) / 1000);
    const tail = handle.stderr.slice(-3).join(" | ");
    const message = `[backend:${handle.config.name}] parked after ${handle.crashes.length} crashes in ${formatDuration(crash_window)}; retry in ${retryIn}s${tail ? ` (stderr: ${tail})` : ""}`;
    this.setState(handle, "failed", message);
    return new GatewayError("BACKEND_UNAVAILABLE", message);
  }

  private restartDelay(handle: Handle): number {
    const { initial_backoff, max_backoff } = this.failsafe.restart;
    const crashes = handle.crashes.length;
    if (crashes === 0) return 0;
    return Math.min(max_backoff, initial_backoff * 2 ** (crashes - 1));
  }

  /**
   * Pings every connected backend that has no call in flight; one that does not answer within
   * the health-check timeout is hung, and is closed so the next use starts it afresh. Probes
   * go around the circuit breaker: they are not traffic.
   */
  async healthCheck(): Promise<void> {
    const { timeout } = this.failsafe.health_check;
    const all = [...this.handles.values()].flatMap((h) => [h, ...h.isolated.values()]);
    await Promise.all(
      all.map(async (handle) => {
        const connection = handle.connection;
        if (!connection || handle.inflight.size || handle.driver) return;
        try {
          await connection.ping(timeout);
        } catch {
          if (handle.connection !== connection || handle.inflight.size) return;
          logger
            .withTag(`backend:${handle.config.name}`)
            .warn(`no answer to ping within ${formatDuration(timeout)}; restarting it`);
          handle.connection = undefined;
          this.setState(
            handle,
            "idle",
            `hung: no answer to ping within ${formatDuration(timeout)}`,
          );
          await connection.close();
        }
      }),
    );
  }

  /** The circuit breaker's state of a backend, for /health and gateway_list_servers. */
  breakerState(name: string): "closed" | "open" | "half-open" {
    return this.handles.get(name)?.policy?.breakerState ?? "closed";
  }

  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.healthTimer);
    const all = [...this.handles.values()].flatMap((handle) => [
      handle,
      ...handle.isolated.values(),
    ]);
    await Promise.all(all.map((handle) => this.disconnect(handle)));
  }

  private require(name: string): Handle {
    const handle = this.handles.get(this.canonical(name));
    if (!handle) throw new GatewayError("SERVER_NOT_FOUND", `unknown backend ${name}`);
    if (handle.config.configError) {
      throw new GatewayError(
        "BACKEND_UNAVAILABLE",
        `[backend:${name}] ${handle.config.configError}`,
      );
    }
    return handle;
  }

  private connect(handle: Handle): Promise<BackendConnection> {
    if (handle.connection) return Promise.resolve(handle.connection);
    if (this.closing) {
      return Promise.reject(
        new GatewayError("BACKEND_UNAVAILABLE", "the gateway is shutting down"),
      );
    }
    if (handle.connecting) return handle.connecting;
    const name = handle.config.name;
    const log = logger.withTag(`backend:${name}`);
    const parked = this.crashLoop(handle);
    if (parked) return Promise.reject(parked);
    this.setState(handle, "starting");
    handle.stderr = [];
    const events: ConnectionEvents = {
      onToolsChanged: () => this.refreshSoon(handle),
      onNotification: (method, params) => this.relayNotification(handle, method, params),
      onRequest: (method, params, signal) => this.relayRequest(handle, method, params, signal),
      onClose: () => {
        // Closing before the connection was established is reported by the connect failure.
        if (!connection || handle.connection !== connection) return;
        handle.connection = undefined;
        if (this.closing) return;
        handle.crashes.push(Date.now());
        const tail = handle.stderr.at(-1);
        log.warn(
          `connection closed${tail ? ` (last stderr: ${tail})` : ""}; it restarts on next use`,
        );
        this.setState(handle, "idle", tail ? `exited; last stderr: ${tail}` : "connection closed");
      },
      onStderr: (line) => {
        handle.stderr.push(line);
        if (handle.stderr.length > STDERR_LINES) handle.stderr.shift();
        log.debug(line);
      },
    };
    const open = () =>
      handle.driver
        ? handle.driver.open(events)
        : openConnection(handle.config, events, this.options.env);
    // After a crash, wait a little longer before each restart (exponential backoff).
    const delay = this.restartDelay(handle);
    const connecting =
      delay > 0 ? new Promise((done) => setTimeout(done, delay)).then(open) : open();
    let connection: BackendConnection | undefined;
    handle.connecting = connecting
      .then((opened) => {
        connection = opened;
        if (this.closing) {
          void opened.close();
          throw new GatewayError("BACKEND_UNAVAILABLE", "the gateway is shutting down");
        }
        handle.connection = opened;
        handle.transport = opened.transport;
        this.setState(handle, "ready");
        log.info(`connected over ${opened.transport}`);
        return opened;
      })
      .catch((error) => {
        const failure = describeBackendError(name, error);
        const tail = handle.stderr.slice(-3).join(" | ");
        const message = tail ? `${failure.message} (stderr: ${tail})` : failure.message;
        this.setState(handle, "failed", message);
        log.warn(`cannot connect: ${message}`);
        throw new GatewayError(failure.code, message, { cause: error });
      })
      .finally(() => {
        handle.connecting = undefined;
      });
    return handle.connecting;
  }

  private setTools(handle: Handle, tools: Tool[], persist: boolean): void {
    handle.tools = tools;
    // A tool that changed may answer differently now: forget what it answered before.
    this.cache?.clear(handle.config.name);
    if (persist) {
      this.options.store.setTools(handle.config.name, {
        fingerprint: handle.fingerprint,
        tools,
        updatedAt: Date.now(),
      });
    }
    void this.options.hooks.callHook("tools:changed", handle.config.name, tools);
  }

  private setState(handle: Handle, state: BackendState, error?: string): void {
    handle.state = state;
    handle.error = state === "ready" || state === "starting" ? undefined : error;
    if (handle.session) return;
    void this.options.hooks.callHook("backend:state", handle.config.name, state, handle.error);
  }

  /** Stops an idle stdio backend after `idle_stop`; it starts again on next use. */
  private scheduleIdleStop(handle: Handle): void {
    const idle = handle.config.idle_stop;
    if (!idle || handle.config.transport !== "stdio") return;
    clearTimeout(handle.idleTimer);
    handle.idleTimer = setTimeout(() => {
      if (handle.inflight.size || !handle.connection) return;
      const connection = handle.connection;
      handle.connection = undefined;
      this.setState(handle, "idle");
      void connection.close();
    }, idle);
    handle.idleTimer.unref?.();
  }

  /** The one session with a call in flight on this backend, if there is exactly one. */
  private soleCaller(handle: Handle): CallerChannel | undefined {
    const sessions = new Set([...handle.inflight.keys()].map((caller) => caller.sessionId));
    if (sessions.size !== 1) return undefined;
    return handle.inflight.keys().next().value;
  }

  private async relayRequest(
    handle: Handle,
    method: string,
    params: JsonObject | undefined,
    signal: AbortSignal,
  ): Promise<JsonObject> {
    const caller = this.soleCaller(handle);
    if (caller) return caller.request(method, params, signal);
    if (method === "roots/list") return { roots: this.options.roots ?? [] };
    const sessions = new Set([...handle.inflight.keys()].map((c) => c.sessionId)).size;
    throw new Error(
      sessions === 0
        ? `${method}: no client call is in flight on this backend, so there is no client to ask`
        : `${method}: calls from ${sessions} client sessions are in flight on this shared backend, so the request cannot be routed safely; set isolation: session for this backend`,
    );
  }

  /**
   * List changes and resource updates go to every listening session (each filters what it
   * subscribed to); anything else (logging, say) goes to the one session whose call is in
   * flight, or to the listeners when there is none.
   */
  private relayNotification(handle: Handle, method: string, params: JsonObject | undefined): void {
    const broadcast =
      method.endsWith("/list_changed") || method === "notifications/resources/updated";
    const caller = broadcast ? undefined : this.soleCaller(handle);
    if (caller) {
      void caller.notify(method, params).catch(() => {});
      return;
    }
    for (const listener of handle.listeners) listener(method, params);
  }
}

/** Requests with no side effects, safe to retry. */
const IDEMPOTENT_METHODS = new Set([
  "resources/list",
  "resources/templates/list",
  "resources/read",
  "prompts/list",
  "prompts/get",
  "tools/list",
  "completion/complete",
  "ping",
]);

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

/** Changes to what defines a backend (command, args, url, env) invalidate its cached tools. */
function fingerprint(config: ResolvedBackend): string {
  const { command, args, url, env, cwd, headers, transport } = config;
  return createHash("sha256")
    .update(
      JSON.stringify({ command, args, url, env, cwd, headers: Object.keys(headers), transport }),
    )
    .digest("hex")
    .slice(0, 16);
}
