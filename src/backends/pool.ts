import type { ResolvedBackend, ResolvedConfig } from "../config/load.ts";
import { ConfigSchema, type FailsafeConfig } from "../config/schema.ts";
import { GatewayError } from "../errors.ts";
import { compileTransform, transformResult } from "../gateway/transform.ts";
import { createGatewayHooks, type GatewayHookable } from "../hooks.ts";
import type { CallToolResult, Tool } from "../mcp/sdk.ts";
import { ResponseCache } from "../resilience/cache.ts";
import { ErrorBudget, KillSwitch } from "../resilience/kill-switch.ts";
import { createMemoryStore, type StateStore } from "../state/store.ts";
import {
  type BackendListener,
  createHandle,
  drained,
  type Handle,
  internalConfig,
} from "./_handle.ts";
import { Calls, IDEMPOTENT_METHODS } from "./calls.ts";
import { Discovery } from "./discovery.ts";
import { backendToolName, listedTool } from "./expose.ts";
import { Supervisor } from "./supervisor.ts";
import type {
  ActiveTransport,
  BackendConnection,
  BackendState,
  CallerChannel,
  CallOptions,
  InternalDriver,
  JsonObject,
} from "./types.ts";

export type { BackendListener } from "./_handle.ts";
export { MAX_CALL_MS } from "./calls.ts";

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
  cache?: { enabled: boolean; default_ttl: number; max_entries: number; max_bytes?: number };
  /**
   * Why a tool may not be called (the security layer's quarantine), asked on the connection
   * that carries each call, after its live tool list was checked; nothing is quarantined when
   * absent.
   */
  quarantined?: (server: string, tool: string) => string | undefined;
  /**
   * The security layer's scan of the text in a backend's notifications (log, progress and task
   * status messages), as they leave it; passed on as they are when absent.
   */
  screen?: (
    server: string,
    method: string,
    params: JsonObject | undefined,
  ) => JsonObject | undefined;
}

/** What `gateway_list_servers` and `/health` show of one backend. */
export interface BackendStatus {
  name: string;
  transport: ActiveTransport | "auto";
  state: BackendState;
  tools: number;
  error?: string;
  description?: string;
  /** When its tools were listed, while they come from the cache (not confirmed since this start). */
  cachedAt?: number;
}

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

/**
 * Every backend of the gateway, by name: the façade over the supervisor (processes and
 * connections), discovery (tool lists) and calls (per-session connections, policy, timeouts).
 */
export class BackendPool {
  private readonly handles = new Map<string, Handle>();
  private readonly aliases = new Map<string, string>();
  /** Handles a reload removed or replaced that still finish calls in flight. */
  private readonly retiring = new Set<Handle>();
  private healthTimer?: ReturnType<typeof setInterval>;
  private failsafe: FailsafeConfig;
  private cache?: ResponseCache;
  private readonly supervisor: Supervisor;
  private readonly discovery: Discovery;
  private readonly calls: Calls;
  /** Killed and error-budget-disabled backends and capabilities: their calls are refused. */
  readonly killSwitch = new KillSwitch();
  private readonly budget: ErrorBudget;

  constructor(private readonly options: PoolOptions) {
    this.failsafe = options.failsafe ?? ConfigSchema.parse({}).failsafe;
    this.budget = new ErrorBudget(this.killSwitch, () => this.failsafe.error_budget);
    const cache = options.cache;
    if (cache?.enabled)
      this.cache = new ResponseCache(cache.default_ttl, cache.max_entries, cache.max_bytes);
    const pool = this;
    this.supervisor = new Supervisor({
      hooks: options.hooks,
      // Read at each use, so a reload's restart backoff and health check timeout apply at once.
      get failsafe() {
        return pool.failsafe;
      },
      env: options.env,
      roots: options.roots,
      onToolsChanged: (handle) => this.discovery.refreshSoon(handle),
      onOpened: (handle, connection) => this.discovery.adopt(handle, connection),
      screen: options.screen,
      held: (server, session) => this.held?.(server, session) ?? false,
    });
    this.calls = new Calls(this.supervisor, this.failsafe, options.quarantined);
    this.discovery = new Discovery({
      store: options.store,
      hooks: options.hooks,
      supervisor: this.supervisor,
      start: (handle) => this.calls.start(handle),
      get cache() {
        return pool.cache;
      },
    });
    for (const driver of options.drivers ?? []) {
      this.handles.set(driver.name, this.createHandle(internalConfig(driver), driver));
      for (const alias of driver.aliases ?? []) this.aliases.set(alias, driver.name);
    }
    for (const config of options.backends) {
      if (!config.enabled) continue;
      this.handles.set(config.name, this.createHandle(config));
    }
  }

  /**
   * The backend's own name for a name or alias (`gateway` for the capabilities backend), in any
   * case (`github` for `GitHub`: no two names differ only in case).
   */
  canonical(name: string): string {
    const named = this.aliases.get(name) ?? name;
    if (this.handles.has(named)) return named;
    const folded = named.toLowerCase();
    for (const own of this.handles.keys()) if (own.toLowerCase() === folded) return own;
    return named;
  }

  /**
   * Learns every backend's tools without blocking: cached lists are indexed at once (as hints:
   * a backend's live list replaces its cache when it connects); HTTP backends, and stdio
   * backends without a fresh cache, are connected in parallel.
   */
  start(): Promise<void> {
    this.started = true;
    this.scheduleHealthChecks();
    const jobs: Promise<void>[] = [];
    for (const handle of this.handles.values()) {
      if (handle.config.configError) continue;
      if (!this.discovery.warm(handle)) continue;
      jobs.push(
        this.refresh(handle.config.name).then(
          () => {},
          () => {},
        ),
      );
    }
    return Promise.all(jobs).then(() => {});
  }

  /** Whether `start` ran (health checks are scheduled from then on). */
  private started = false;

  private scheduleHealthChecks(): void {
    clearInterval(this.healthTimer);
    this.healthTimer = undefined;
    const check = this.failsafe.health_check;
    if (!check.enabled || !this.started) return;
    this.healthTimer = setInterval(() => void this.healthCheck(), check.interval);
    this.healthTimer.unref?.();
  }

  /**
   * Applies a reload's `failsafe` and `cache` at once. Calls already admitted finish under the
   * settings they started with; new calls use the new ones (see `BackendPolicy.reconfigure`).
   * A cache turned off drops its answers; a new `default_ttl` or `max_entries` applies to answers
   * stored from now on (a smaller `max_entries` drops the oldest at once).
   */
  reconfigure(failsafe: FailsafeConfig, cache: PoolOptions["cache"]): void {
    const before = this.failsafe;
    this.failsafe = failsafe;
    this.calls.reconfigure(failsafe, this.handles.values());
    if (JSON.stringify(before.health_check) !== JSON.stringify(failsafe.health_check)) {
      this.scheduleHealthChecks();
    }
    if (!cache?.enabled) {
      this.cache?.clear();
      this.cache = undefined;
    } else if (this.cache) {
      this.cache.resize(cache.default_ttl, cache.max_entries, cache.max_bytes);
    } else {
      this.cache = new ResponseCache(cache.default_ttl, cache.max_entries, cache.max_bytes);
    }
  }

  names(): string[] {
    return [...this.handles.keys()];
  }

  /** Requests in flight right now, over every backend. */
  inFlight(): number {
    return this.calls.running;
  }

  /** The backends with requests in flight, as `name ×count` (what a shutdown waits for). */
  busyBackends(): string[] {
    return [...this.handles.values()]
      .filter((handle) => handle.running > 0)
      .map((handle) => `${handle.config.name} ×${handle.running}`);
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
      closing.push(this.retireAfterCalls(handle));
    }
    for (const [name, config] of next) {
      if (this.handles.has(name)) continue;
      if (!changed.includes(name)) added.push(name);
      this.handles.set(name, this.createHandle(config));
    }
    await Promise.all(closing);
    // A replaced backend's tools are those of its old config until its new one lists them: they
    // go now (a new command may be another server, or fail to start).
    for (const name of [...removed, ...changed]) {
      void this.options.hooks.callHook("tools:changed", name, []);
    }
    for (const name of [...added, ...changed]) {
      const handle = this.handles.get(name)!;
      if (handle.config.configError) continue;
      this.refresh(name).catch(() => {});
    }
    return { added, removed, changed };
  }

  /**
   * Closes a handle that a reload removed or replaced once its calls in flight have finished (each
   * connection waits at most its backend's `timeout`); it never reconnects. With calls running,
   * the reload does not wait: the handle drains on its own, and `close` still ends it.
   */
  private async retireAfterCalls(handle: Handle): Promise<void> {
    const all = [handle, ...handle.isolated.values()];
    for (const one of all) one.retired = true;
    if (all.every((one) => one.running === 0)) return this.retire(handle);
    this.retiring.add(handle);
    void Promise.all(all.map(drained))
      .then(() => this.retire(handle))
      .finally(() => this.retiring.delete(handle));
  }

  /** Closes a handle's connections (and its per-session ones). */
  private async retire(handle: Handle): Promise<void> {
    await Promise.all(
      [handle, ...handle.isolated.values()].map((h) => this.supervisor.disconnect(h)),
    );
  }

  has(name: string): boolean {
    return this.handles.has(this.canonical(name));
  }

  /** `tool` as a client is to list it (no `outputSchema` when a `response_transform` reshapes it). */
  listedTool(name: string, tool: Tool): Tool {
    const handle = this.handles.get(this.canonical(name));
    return handle ? listedTool(handle.config, tool) : tool;
  }

  /** The backend's own name of `tool` as exposed (`namespace`, `rename`); `tool` when the same. */
  ownToolName(name: string, tool: string): string {
    const handle = this.handles.get(this.canonical(name));
    return handle ? backendToolName(handle.config, tool) : tool;
  }

  status(name: string): BackendStatus | undefined {
    const handle = this.handles.get(name);
    if (!handle) return undefined;
    const open = handle.policy?.breakerState === "open";
    // An open breaker says when it lets the next call (or start) through.
    const retryIn = open ? Math.max(1, Math.ceil(handle.policy!.breaker!.retryInMs / 1000)) : 0;
    const error = open
      ? `${handle.error ? `${handle.error}; ` : ""}circuit open after repeated failures, retry in ${retryIn}s`
      : handle.error;
    const disabled = this.killSwitch.get(name);
    return {
      name,
      transport: handle.transport ?? handle.config.transport,
      state: disabled ? "failed" : open && handle.state !== "failed" ? "open" : handle.state,
      tools: handle.tools.length,
      error: disabled ? `disabled: ${disabled.detail}` : error,
      description: handle.config.description,
      ...(handle.cachedAt === undefined || handle.connection ? {} : { cachedAt: handle.cachedAt }),
    };
  }

  /** A backend's `instructions` as its last initialize gave them (unscanned: screen them). */
  instructions(name: string): string | undefined {
    return this.handles.get(this.canonical(name))?.instructions;
  }

  statuses(): BackendStatus[] {
    return this.names().map((name) => this.status(name)!);
  }

  stderrTail(name: string): string[] {
    return this.handles.get(name)?.stderr ?? [];
  }

  /** Connects (if needed) and re-lists a backend's tools; rejects for a disabled one. */
  async refresh(name: string): Promise<Tool[]> {
    return this.discovery.refresh(this.require(name));
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
    this.killSwitch.check(handle.config.name, tool);
    const annotations = handle.tools.find((t) => t.name === tool)?.annotations;
    const readOnly = annotations?.readOnlyHint === true;
    // Only read-only tools are cached: a call with side effects must always reach the backend.
    // A backend that answers each session or caller on its own connection (`isolation: session`,
    // `per_caller`) is not: one caller's answer (its credentials, its roots) is not another's.
    const shared = handle.config.isolation !== "session" && !handle.config.per_caller;
    // Capabilities (served inside) are cached by their own `cache` block, which their authors
    // leave out for live data (the time, a balance): the gateway's default TTL would override it.
    const ownCache = !!handle.driver;
    // Nor is a task-augmented call: it answers with a task, which belongs to its caller.
    const plain = !options.extra?.task;
    const key =
      readOnly && shared && plain && !ownCache && this.cache
        ? ResponseCache.key(handle.config.name, tool, args)
        : "";
    const hit = key ? this.cache?.get(key) : undefined;
    if (hit) return hit;
    const mark = this.cache?.mark(handle.config.name);
    if (!readOnly) this.cache?.written(handle.config.name);
    // Nor is an answer made with the calling client's help (its roots, its user's answer, its
    // model's text): the backend asked that client, and would ask the next caller's.
    let asked = false;
    const channel: CallerChannel | undefined =
      key && caller
        ? {
            ...caller,
            request: (...args) => {
              asked = true;
              return caller.request(...args);
            },
          }
        : caller;
    // Capabilities (served inside) are budgeted one by one, MCP backends as a whole. A caller's
    // own `per_caller` connection is not: its failures (its credential) are its breaker's alone.
    const budgeted = { server: handle.config.name, tool: handle.driver ? tool : undefined };
    const budget = handle.config.per_caller && caller?.identity ? undefined : this.budget;
    let result: CallToolResult;
    try {
      result = await this.calls.run(
        handle,
        { ...options, idempotent: readOnly || annotations?.idempotentHint === true, tool },
        channel,
        // Renamed or namespaced tools are called by the backend's own name.
        (connection, callOptions) =>
          connection.callTool(backendToolName(handle.config, tool), args, callOptions),
      );
    } catch (error) {
      if (!options.signal?.aborted) budget?.record({ ...budgeted, error });
      throw error;
    } finally {
      if (!readOnly) this.cache?.written(handle.config.name);
    }
    budget?.record({ ...budgeted, result });
    const transformed = transformFor(handle.config, backendToolName(handle.config, tool));
    const final = transformed ? transformResult(result, transformed) : result;
    // An answer from a config a reload replaced meanwhile is not the new config's to reuse.
    // Nor one a call with side effects on the same backend may have made stale meanwhile.
    const unchanged = this.cache?.mark(handle.config.name) === mark;
    if (key && !asked && unchanged && this.handles.get(handle.config.name) === handle) {
      this.cache?.set(key, final);
    }
    return final;
  }

  /**
   * Waits, at most `waitMs`, until a backend is connected and its live tool list has passed
   * the security checks, starting it (through its breaker) if it is not running. The router
   * asks this before it resolves a tool, so a cached list never decides what is called.
   */
  discovered(name: string, waitMs: number): Promise<void> {
    return this.discovery.ready(this.require(name), waitMs);
  }

  /**
   * Waits, at most `waitMs`, for the backends among `names` that are starting; returns those
   * still starting after it (see `Discovery.settle`).
   */
  settle(names: string[], waitMs: number): Promise<string[]> {
    const handles = names.flatMap((name) => this.handles.get(this.canonical(name)) ?? []);
    return this.discovery.settle(handles, waitMs);
  }

  /** Sends any request to a backend (the pass-through of `/mcp/{backend}`). */
  async request(
    name: string,
    method: string,
    params: JsonObject | undefined,
    options: Omit<CallOptions, "timeout" | "maxTotalTimeout">,
    caller?: CallerChannel,
  ): Promise<JsonObject> {
    const main = this.require(name);
    const answer = await this.calls.run(
      main,
      { ...options, idempotent: IDEMPOTENT_METHODS.has(method) },
      caller,
      (connection, callOptions) => connection.request(method, params, callOptions),
    );
    // A session's own connection remembers what its client subscribed to, for its successor.
    const own = this.calls.forSession(main, caller?.sessionId, caller?.identity);
    const uri = params?.uri;
    if (own.session && typeof uri === "string") {
      if (method === "resources/subscribe") {
        own.subscribed ??= new Set();
        own.subscribed.add(uri);
      }
      if (method === "resources/unsubscribe") own.subscribed?.delete(uri);
    }
    return answer;
  }

  /** The live connection to a backend (the session's own with `isolation: session`). */
  open(name: string, sessionId?: string): Promise<BackendConnection> {
    return this.supervisor.connect(this.calls.forSession(this.require(name), sessionId));
  }

  /** Closes the per-session connections of a client session that ended. */
  async closeSession(sessionId: string): Promise<void> {
    await Promise.all(
      [...this.handles.values()].map(async (handle) => {
        const own = handle.isolated.get(sessionId);
        if (!own) return;
        handle.isolated.delete(sessionId);
        await this.supervisor.disconnect(own);
      }),
    );
  }

  /** Each backend's listeners by name, shared by the handles a reload puts in its place. */
  private readonly listening = new Map<string, Set<BackendListener>>();

  /** Receives every notification a backend sends. Returns a function that unsubscribes. */
  listen(name: string, listener: BackendListener): () => void {
    // A disabled backend is still listened to: it comes back on revive.
    const handle = this.require(name, false);
    handle.listeners.add(listener);
    return () => handle.listeners.delete(listener);
  }

  /**
   * Which connection of backend `name` serves session `sessionId` now (`Handle.generation`),
   * to tell it from the one a task was made on; undefined when none is open, or when it cannot
   * be told (`per_caller`: one per caller).
   */
  generation(name: string, sessionId?: string): number | undefined {
    const handle = this.handles.get(this.canonical(name));
    if (!handle || handle.config.per_caller) return undefined;
    const own =
      handle.config.isolation === "session" && sessionId ? handle.isolated.get(sessionId) : handle;
    return own?.connection ? own.generation : undefined;
  }

  /**
   * Whether a backend must keep running though no call is in flight: `idle_stop` waits while
   * it says so (the gateway sets it: tasks still running there, resource subscriptions held).
   * `session`: a session's own connection (`isolation: session`) is asked about.
   */
  held?: (server: string, session?: string) => boolean;

  /**
   * Tells `name`'s listeners a notification of the gateway's own about that backend, as its own
   * would reach them (each listener filters what its session asked for).
   */
  announce(name: string, method: string, params: JsonObject | undefined): void {
    for (const listener of this.handles.get(name)?.listeners ?? []) listener(method, params);
  }

  /** Pings idle connected backends and restarts hung ones (see `Supervisor.healthCheck`). */
  healthCheck(): Promise<void> {
    return this.supervisor.healthCheck(this.everyHandle());
  }

  /**
   * Cluster: `onOpen` hears of breakers opening here; `openBreaker` opens one because another
   * instance's opened (for `ms`, without telling `onOpen` again).
   */
  shareBreakers(onOpen: (server: string, retryInMs: number) => void): void {
    this.calls.onBreakerOpen = onOpen;
  }

  /**
   * Cluster: an HTTP backend's `failsafe.rate_limit` is the cluster's, each instance keeping
   * the share `instances()` gives it (stdio backends run per instance and keep theirs whole).
   */
  shareRateLimits(instances: () => number): void {
    this.calls.instances = instances;
  }

  openBreaker(name: string, ms: number): void {
    const handle = this.handles.get(name);
    if (handle) this.calls.policyFor(handle).breaker?.openFor(ms);
  }

  /** The circuit breaker's state of a backend, for /health and gateway_list_servers. */
  breakerState(name: string): "closed" | "open" | "half-open" {
    return this.handles.get(name)?.policy?.breakerState ?? "closed";
  }

  async close(): Promise<void> {
    this.supervisor.closing = true;
    clearInterval(this.healthTimer);
    await Promise.all(this.everyHandle().map((handle) => this.supervisor.disconnect(handle)));
  }

  /** Every handle, with the per-session ones (and those still draining after a reload). */
  private everyHandle(): Handle[] {
    return [...this.handles.values(), ...this.retiring].flatMap((handle) => [
      handle,
      ...handle.isolated.values(),
    ]);
  }

  /**
   * The kill switch: closes the backend's connections (its per-session ones too) and refuses
   * its calls until `revive`.
   */
  async kill(name: string, detail: string, announce = true): Promise<void> {
    const handle = this.require(name, false);
    this.killSwitch.disable({
      server: handle.config.name,
      reason: "killed",
      detail,
      since: Date.now(),
    });
    if (announce) this.onOperatorSwitch?.("kill", handle.config.name, detail);
    await this.retire(handle);
  }

  /**
   * Cluster: hears of an operator's kill or revive here, for the other instances to apply with
   * `announce` false (an operator behind a load balancer reaches one instance).
   */
  onOperatorSwitch?: (action: "kill" | "revive", server: string, detail: string) => void;

  /**
   * An operator's restart (the dashboard): closes the backend's connections, its per-session
   * ones too, forgets its crashes (so a parked backend starts at once, without backoff) and lists
   * its tools again on a new connection.
   */
  async restart(name: string): Promise<Tool[]> {
    const handle = this.require(name);
    await this.retire(handle);
    handle.crashes = [];
    const tools = await this.refresh(name);
    // The operator restarted it and it started and listed its tools: the proof a probe would
    // wait `reset_timeout` for. Left open, every call was refused until then.
    if (handle.policy?.breakerState !== "closed") {
      handle.policy?.breaker?.reset();
      // Said again, so a dashboard or a subscriber that saw it open hears it is usable.
      this.supervisor.setState(handle, handle.state, handle.error);
    }
    return tools;
  }

  /** Drops a backend's cached answers (a reload changed what its calls may return). */
  forgetAnswers(name: string): void {
    this.cache?.clear(this.canonical(name));
  }

  /** Ends a kill or an error-budget disable; false when the backend was not disabled. */
  revive(name: string, announce = true): boolean {
    if (announce) this.onOperatorSwitch?.("revive", this.canonical(name), "");
    return this.killSwitch.enable(this.canonical(name));
  }

  /** The backend's handle; refused when it is disabled unless `usable` is false. */
  /**
   * A backend's handle, with the listeners of every handle of that name before it: sessions
   * that listened to a backend a reload replaced (or removed and added again) hear the new one.
   */
  private createHandle(config: ResolvedBackend, driver?: InternalDriver): Handle {
    const handle = createHandle(config, driver);
    const listeners = this.listening.get(config.name) ?? handle.listeners;
    this.listening.set(config.name, listeners);
    handle.listeners = listeners;
    return handle;
  }

  private require(name: string, usable = true): Handle {
    const handle = this.handles.get(this.canonical(name));
    if (!handle) throw new GatewayError("SERVER_NOT_FOUND", `unknown backend ${name}`);
    if (usable) this.killSwitch.check(handle.config.name);
    if (handle.config.configError) {
      throw new GatewayError(
        "BACKEND_UNAVAILABLE",
        `[backend:${name}] ${handle.config.configError}`,
      );
    }
    return handle;
  }
}

const compiledTransforms = new WeakMap<object, ReturnType<typeof compileTransform>>();

/** A backend tool's `response_transform`, compiled once per config (validated at load). */
function transformFor(config: Handle["config"], tool: string) {
  const entry = (config as { tools?: Record<string, { response_transform?: object }> }).tools?.[
    tool
  ];
  const transform = entry?.response_transform;
  if (!entry || !transform) return undefined;
  let compiled = compiledTransforms.get(entry);
  if (!compiled) {
    compiled = compileTransform(transform, "response_transform");
    compiledTransforms.set(entry, compiled);
  }
  return compiled.ok ? compiled : undefined;
}
