import { createHash } from "node:crypto";
import { BackendPool } from "../backends/pool.ts";
import type { InternalDriver, JsonObject } from "../backends/types.ts";
import type { CapabilitiesDriver, CapabilitiesSettings } from "../capabilities/driver.ts";
import type { LoadProblem } from "../capabilities/registry.ts";
import type { ResolvedConfig } from "../config/load.ts";
import { createGatewayHooks, type GatewayHookable } from "../hooks.ts";
import { logger } from "../logger.ts";
import type { LoggingLevel } from "../mcp/sdk.ts";
import type { ToolUsage } from "../observe/usage.ts";
import type { PlaybookRegistry } from "../playbooks/registry.ts";
import { ORIGINAL_BREAKER } from "../resilience/breaker.ts";
import type { DisabledEntry } from "../resilience/kill-switch.ts";
import { createEmbedder, HybridSearch } from "../search/embeddings.ts";
import { type FeedbackShare, feedbackPool, SearchFeedback } from "../search/feedback.ts";
import { hintsFor } from "../search/hints.ts";
import { type SearchHit, type SearchOptions, ToolIndex } from "../search/index.ts";
import { createMemoryUsage, recordUsage, succeeded, type UsageStore } from "../search/usage.ts";
import { registerClientBreaker } from "../security/client-breaker.ts";
import { createSecurity, type Security, type SecurityReport } from "../security/guard.ts";
import { lockPathFor } from "../security/pins.ts";
import { warnUnmatchedScopes } from "../security/scope-lint.ts";
import { createToolPolicy } from "../security/tool-policy.ts";
import type { SkillRegistry, SkillsReport } from "../skills/registry.ts";
import { createMemoryStore, type StateStore } from "../state/store.ts";
import { statelessSession } from "./caller.ts";
import { Catalog } from "./catalog.ts";
import { LogLevels } from "./log-levels.ts";
import { tasksRunning } from "./lost-tasks.ts";
import { Router } from "./router.ts";
import { TaskTable } from "./task-table.ts";

export interface GatewayOptions {
  config: ResolvedConfig;
  store?: StateStore;
  env?: Record<string, string | undefined>;
  /** Backends served inside the gateway (the capabilities executor). */
  drivers?: InternalDriver[];
  /** Successful calls per caller, for usage-aware search ranking; in memory when absent. */
  usage?: UsageStore;
}

/** The gateway's context: config, hooks, backend pool, tool index and router, wired together. */
export interface Gateway {
  /** The config in force; replaced by `reload`. */
  readonly config: ResolvedConfig;
  readonly hooks: GatewayHookable;
  readonly pool: BackendPool;
  readonly index: ToolIndex;
  readonly router: Router;
  /** Auth, poisoning findings and lock checks; `quarantined()` is asked wherever a tool shows. */
  readonly security: Security;
  /** Resources, templates and prompts of every backend, merged for `/mcp`. */
  readonly catalog: Catalog;
  /** Which tools each caller used successfully (ranks them a little higher for that caller). */
  readonly usage: UsageStore;
  /** What each caller called after its searches (`search.feedback`); absent when off. */
  readonly feedback: SearchFeedback | undefined;
  /** Cluster: searches and what they led to are shared through `share` (kept across reloads). */
  shareFeedback(share: FeedbackShare): void;
  /** Tasks created through gateway_invoke, by task id: which backend owns each, and whose it is. */
  readonly tasks: TaskTable;
  /** Each long-lived `/mcp` session's tool surface (`meta_mcp.clients`), by session id. */
  readonly surfaces: Map<string, SessionSurface>;
  /** Searches the tool index, fused with embeddings when `search.embeddings` is configured. */
  search(query: string, options: SearchOptions): Promise<SearchHit[]>;
  /** Log levels clients asked for, by session; backends run at the most verbose of them. */
  readonly logLevels: Map<string, LoggingLevel>;
  readonly startedAt: number;
  /** Backends served inside the gateway (webhooks.ts finds capability webhooks there). */
  readonly drivers: readonly InternalDriver[];
  /** Where secrets are read from. */
  readonly env: Record<string, string | undefined>;
  /**
   * Calls `listener` (coalesced) when the set of reachable tools really changed, so sessions can
   * send `notifications/tools/list_changed`, with the servers whose tools changed (undefined:
   * what any caller reaches may have changed, a reload's scopes say). A session tells its client
   * only of servers its caller may reach. Returns a function that unsubscribes.
   */
  onReachableToolsChanged(listener: (servers: ReadonlySet<string> | undefined) => void): () => void;
  /** Begins backend discovery; resolves when every backend has answered or failed. */
  start(): Promise<void>;
  health(): HealthReport;
  /** Runs a client's request so that a graceful shutdown waits for it (see `busy`). */
  tracked<T>(run: () => Promise<T>): Promise<T>;
  /** Client requests still being handled: a shutdown drains them before closing backends. */
  busy(): number;
  /**
   * Applies a new, already validated config: backends are added, removed or replaced without
   * touching client sessions or calls in flight on untouched backends. Settings that only take
   * effect at start are reported.
   */
  reload(next: ResolvedConfig, by?: string): Promise<ReloadSummary>;
  /** What the running process adds for the operator tools (set by `runGateway`). */
  readonly operator: OperatorHooks;
  close(): Promise<void>;
}

export interface SessionSurface {
  client: string;
  surface: "meta" | "flat";
  tools: number;
  /** Estimated tokens of the last tools/list (four characters a token). */
  tokens: number;
}

/** Set by the process that runs the gateway: config file reload and the usage stats. */
export interface OperatorHooks {
  reloadConfig?: (by?: string) => Promise<ReloadSummary>;
  usage?: (allow: (server: string, tool: string) => boolean) => ToolUsage[];
  /** The playbooks of `playbooks.directories` (absent when playbooks are off). */
  playbooks?: PlaybookRegistry;
  /** The skills folder's skills (absent when skills are off). */
  skills?: SkillRegistry;
}

export interface TaskOwner {
  server: string;
  /** The tool called: its task's result is scanned under that tool's firewall rule. */
  tool?: string;
  caller: string;
  session: string;
  /** The backend's `ttl` for the task (ms), kept that long when longer than the session TTL. */
  ttl?: number;
  /** The backend's own id of the task, when its client knows it by a gateway id (a clash). */
  backendId?: string;
  /** The connection the task was made on (`BackendPool.generation`), when it can be told. */
  generation?: number;
  /** Set once an answer showed the task ended (a terminal status, its result). */
  ended?: boolean;
}

export interface ReloadSummary {
  added: string[];
  removed: string[];
  changed: string[];
  /**
   * Settings the file changed that wait for a restart (`server.port`, `state_dir`): every one
   * still waiting, not only this reload's. The gateway keeps the values it started with.
   */
  restartRequired: string[];
  /** Says so in a sentence, when `restartRequired` names any (`restartNote`). */
  restartNote?: string;
}

export interface HealthReport {
  status: "ok" | "degraded";
  version?: string;
  uptimeSeconds: number;
  tools: number;
  backends: Record<
    string,
    {
      state: string;
      transport: string;
      tools: number;
      error?: string;
      /** When its tools were listed, while they are served from the cache (ISO 8601). */
      toolsCachedAt?: string;
      /** The original gateway's fields, which its users' checks read (docs/migrating.md). */
      running: boolean;
      healthy: boolean;
      tools_cached: number;
      circuit_state: "closed" | "open" | "half_open";
    }
  >;
  resourceClashes?: { uri: string; owner: string; other: string; template?: string }[];
  /** The embedding endpoint's last failure, when hybrid search is configured (search stays lexical). */
  searchEmbeddings?: { error: string };
  security?: SecurityReport;
  /** The tool surface each connected `/mcp` session got (docs/protocol.md). */
  surfaces?: SessionSurface[];
  /** Killed or error-budget-disabled backends and capabilities. */
  disabled?: DisabledEntry[];
  /** Skills served, withheld as poisoned, and folders that did not load. */
  skills?: SkillsReport;
  /** Capability files that do not load (a file's last good version may still be served). */
  capabilities?: { server: string; problems: LoadProblem[] };
  /** Settings a reload changed that wait for a restart; until then the running values stay. */
  restartRequired?: { settings: string[]; note: string };
}

export function createGateway(options: GatewayOptions): Gateway {
  let config = options.config;
  const hooks = createGatewayHooks();
  const store = options.store ?? createMemoryStore();
  const served = new Map((options.drivers ?? []).map((driver) => [driver.name, driver]));
  /** The hints the index reads (`search.hints`, `search.tool_hints`): a reload may change them. */
  const toHints = (search: ResolvedConfig["search"]) =>
    hintsFor(search.hints, search.tool_hints, (server, tool) =>
      served.get(server)?.hints?.(tool.name),
    );
  let hints = toHints(config.search);
  const index = new ToolIndex((server, tool) => hints?.(server, tool));
  const pool = new BackendPool({
    backends: config.backends,
    store,
    hooks,
    roots: config.roots,
    env: options.env,
    drivers: options.drivers,
    failsafe: config.failsafe,
    cache: config.cache,
    quarantined: (server, tool) => security.quarantined(server, tool),
    screen: (server, method, params) =>
      security.screenNotification(server, method, params) as JsonObject | undefined,
  });
  const security = createSecurity({ config, hooks, env: options.env });
  // A revoked key's own connections to `per_caller` backends (its process, with its credential
  // in the env) and its stateless requests' `isolation: session` processes close with it; its
  // calls in flight were cancelled (`revocation`).
  security.auth.onRevoked((id) => {
    void pool.closeSession(`caller:${id}`);
    void pool.closeSession(statelessSession(id));
  });
  const router = new Router(
    pool,
    index,
    security,
    config.meta_mcp.discovery_wait,
    createToolPolicy(config.security.tool_policy),
  );
  registerClientBreaker(hooks, () => config.auth.client_circuit_breaker);
  const usage = options.usage ?? createMemoryUsage();
  hooks.hook("tool:call:after", recordUsage(usage));
  /** In a cluster: where feedback is shared (`shareFeedback`), kept across reloads. */
  let feedbackShare: FeedbackShare | undefined;
  const toFeedback = (search: ResolvedConfig["search"]) => {
    if (!search.feedback) return undefined;
    const made = new SearchFeedback(store, {
      related: (server, tool, words) => index.sharesWord(server, tool, words),
    });
    made.share = feedbackShare;
    return made;
  };
  let feedback = toFeedback(config.search);
  hooks.hook("tool:call:after", (call) =>
    feedback?.called(
      feedbackPool(call.caller, call.client),
      call.server,
      call.tool,
      succeeded(call),
      call.session,
    ),
  );
  // Hybrid ranking when configured: tools are (re-)embedded shortly after their lists change.
  const toHybrid = ({ embeddings }: ResolvedConfig["search"]) =>
    embeddings
      ? new HybridSearch(
          index,
          createEmbedder({
            url: embeddings.url,
            model: embeddings.model,
            kind: embeddings.kind,
            apiKey: embeddings.api_key,
            timeoutMs: embeddings.timeout,
          }),
          { weight: embeddings.weight },
        )
      : undefined;
  let hybrid = toHybrid(config.search);
  let embedTimer: ReturnType<typeof setTimeout> | undefined;
  const embedSoon = () => {
    clearTimeout(embedTimer);
    if (hybrid) embedTimer = setTimeout(() => void hybrid?.sync(), 200);
  };
  hooks.hook("tools:changed", embedSoon);
  /** A reload's `search` settings, at once: searches after it rank, learn and embed by them. */
  const reconfigureSearch = (next: ResolvedConfig["search"], running: ResolvedConfig["search"]) => {
    const same = (key: keyof ResolvedConfig["search"]) =>
      JSON.stringify(next[key]) === JSON.stringify(running[key]);
    if (!same("hints") || !same("tool_hints")) {
      hints = toHints(next);
      index.reindex();
    }
    // Off stores nothing from now on; on again reads back what the store kept.
    if (!same("feedback")) feedback = toFeedback(next);
    if (!same("embeddings")) {
      hybrid = toHybrid(next);
      embedSoon();
    }
  };
  /** Settings a reload changed that wait for a restart (the running values stay in force). */
  let restartRequired: string[] = [];
  const catalog = new Catalog(
    pool,
    (server, method, result) => security.screenListed(server, method, result),
    () => config.meta_mcp.discovery_wait,
  );
  const logLevels = new LogLevels(() => config.server.session_ttl);
  /** Each server's tools as last listed, by sha256: as JSON they are as big as the list. */
  const digests = new Map<string, string>();
  const listeners = new Set<(servers: ReadonlySet<string> | undefined) => void>();
  let pending: ReturnType<typeof setTimeout> | undefined;
  /** The servers changed since the last announcement; undefined once anything may have. */
  let changed: Set<string> | undefined = new Set();
  /** Tells listeners, coalesced, that what callers can reach changed (on `servers`, else anywhere). */
  const announce = (servers?: string[]) => {
    if (!servers) changed = undefined;
    else for (const server of servers) changed?.add(server);
    if (pending) return;
    pending = setTimeout(() => {
      pending = undefined;
      const told = changed;
      changed = new Set();
      for (const listener of listeners) listener(told);
    }, 50);
  };
  hooks.hook("tools:changed", (server, tools) => {
    index.upsert(server, tools);
    logger.debug(`[backend:${server}] ${tools.length} tools indexed`);
    const digest = createHash("sha256").update(JSON.stringify(tools)).digest("hex");
    const before = digests.get(server);
    digests.set(server, digest);
    if (tools.length === 0 && before === undefined) return;
    if (before === digest) return;
    if (before === undefined && !started) return;
    announce([server]);
  });
  hooks.hook("tools:quarantine", (servers) => {
    // Search's views of what each scope sees are stale (src/search/index.ts `view`).
    index.rescope();
    announce(servers);
  });
  hooks.hook("session:close", (sessionId) => {
    logLevels.delete(sessionId);
    return pool.closeSession(sessionId);
  });
  /** A server's tool names, once it listed them (none known while it is idle or failed). */
  const listedTools = (server: string) => {
    const tools = index.tools(server);
    const ready = pool.status(server)?.state === "ready";
    // The backend's own names too: a deny written for one covers the exposed tool.
    const names = (name: string) => [...new Set([name, pool.ownToolName(server, name)])];
    return tools.length || ready ? tools.flatMap((tool) => names(tool.name)) : undefined;
  };
  const startedAt = Date.now();
  let active = 0;
  // Before discovery settles, newly listed backends are not news to anybody.
  let started = false;
  const surfaces = new Map<string, SessionSurface>();
  const operator: OperatorHooks = {};
  /** Servers scope patterns may name: the backends, and `skills` (scoped as `skills:NAME`). */
  const scopedNames = () => [
    ...pool.names(),
    ...(config.skills.enabled && operator.skills ? ["skills"] : []),
  ];
  const ownName = (server: string, tool: string) => pool.ownToolName(server, tool);
  const listedOrSkills = (server: string) =>
    server === "skills" && operator.skills
      ? operator.skills.all().map((entry) => entry.skill.name)
      : listedTools(server);
  const tasks = new TaskTable(() => config.server.session_ttl);
  // A task still running lives in its backend's process: idle_stop waits for it to end.
  pool.held = (server, session) => tasksRunning(tasks, pool, server, session);
  return {
    get config() {
      return config;
    },
    hooks,
    pool,
    index,
    router,
    security,
    catalog,
    usage,
    get feedback() {
      return feedback;
    },
    shareFeedback(share) {
      feedbackShare = share;
      if (feedback) feedback.share = share;
    },
    tasks,
    surfaces,
    operator,
    search: (query, searchOptions) =>
      hybrid
        ? hybrid.search(query, searchOptions)
        : Promise.resolve(index.search(query, searchOptions)),
    logLevels,
    startedAt,
    drivers: options.drivers ?? [],
    env: options.env ?? process.env,
    onReachableToolsChanged(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start: () => {
      warnUnmatchedScopes(config, scopedNames());
      return pool.start().finally(() => {
        started = true;
        warnUnmatchedScopes(config, scopedNames(), listedOrSkills, "tool", ownName);
      });
    },
    async tracked(run) {
      active++;
      try {
        return await run();
      } finally {
        active--;
      }
    },
    busy: () => active,
    async reload(read, by) {
      // What cannot change while the gateway runs: the listener and its sessions (`server`),
      // where state lives, and whether and under which name capabilities are served. The
      // running values stay in force (the config in use from now on holds them), and each
      // setting is reported at every reload, in its answer, the log and /health, until a
      // restart or until the file says the running value again.
      const served = (c: ResolvedConfig) => ({
        enabled: c.capabilities.enabled,
        name: c.capabilities.name,
      });
      restartRequired = [
        ...changedSettings("server", read.server, config.server),
        ...changedSettings("capabilities", served(read), served(config)),
        ...changedSettings("state_dir", read.state_dir, config.state_dir),
      ];
      const next: ResolvedConfig = {
        ...read,
        server: config.server,
        state_dir: config.state_dir,
        capabilities: { ...read.capabilities, ...served(config) },
      };
      // `search` at once: hints re-index, feedback and embeddings start or stop.
      reconfigureSearch(next.search, config.search);
      // Keys and their scopes apply at once (a revoked key stops working on reload).
      security.auth.update(next.auth);
      security.trust(next.security.trusted_tools);
      // Every `security` setting at once, the lock file too: a tool it holds back is refused from
      // the next call on, in sessions already open as in new ones.
      security.reconfigure(next.security, lockPathFor(next));
      security.calls.reconfigure(next.security);
      router.toolPolicy = createToolPolicy(next.security.tool_policy);
      // Breakers, retries, limits, the kill switch's budget and the response cache, at once
      // (calls already admitted finish under the settings they started with).
      pool.reconfigure(next.failsafe, next.cache);
      // Answers cached under the old network guard or size cap are not served under the new.
      if (reconfigureCapabilities(options.drivers ?? [], config, next)) {
        for (const driver of options.drivers ?? []) pool.forgetAnswers(driver.name);
      }
      // What sessions list may change with no backend changing (surfaced tools, code mode,
      // scopes, profiles): connected clients are told to list again.
      const surface = (c: ResolvedConfig) =>
        JSON.stringify([
          c.auth,
          c.meta_mcp,
          c.code_mode,
          c.routing_profiles,
          c.skills,
          c.security.tool_policy,
        ]);
      const rescoped = surface(next) !== surface(config);
      if (rescoped) announce();
      config = next;
      // Keys, profiles and the tool policy may show or hide tools: search's views follow.
      index.rescope();
      const { added, removed, changed } = await pool.apply(next.backends);
      for (const name of removed) index.remove(name);
      warnUnmatchedScopes(next, scopedNames(), listedOrSkills, undefined, ownName);
      const touched = [...(rescoped ? pool.names() : [...added, ...changed]), ...removed];
      void hooks.callHook("config:reload", by, touched);
      return {
        added,
        removed,
        changed,
        restartRequired: [...restartRequired],
        ...(restartRequired.length ? { restartNote: restartNote(restartRequired) } : {}),
      };
    },
    health(): HealthReport {
      const backends: HealthReport["backends"] = {};
      let degraded = false;
      for (const status of pool.statuses()) {
        backends[status.name] = {
          state: status.state,
          transport: status.transport,
          tools: status.tools,
          ...(status.error ? { error: status.error } : {}),
          ...(status.cachedAt === undefined
            ? {}
            : { toolsCachedAt: new Date(status.cachedAt).toISOString() }),
          running: status.state === "ready",
          healthy: status.state !== "failed" && status.state !== "open",
          tools_cached: status.tools,
          circuit_state: ORIGINAL_BREAKER[pool.breakerState(status.name)],
        };
        if (status.state === "failed" || status.state === "open") degraded = true;
      }
      const disabled = pool.killSwitch.list();
      if (disabled.length) degraded = true;
      return {
        status: degraded ? "degraded" : "ok",
        uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
        tools: index.size(),
        backends,
        ...(catalog.clashes.length ? { resourceClashes: catalog.clashes } : {}),
        ...(hybrid?.lastError ? { searchEmbeddings: { error: hybrid.lastError } } : {}),
        security: security.report(),
        ...(restartRequired.length
          ? {
              restartRequired: {
                settings: [...restartRequired],
                note: restartNote(restartRequired),
              },
            }
          : {}),
        ...(surfaces.size ? { surfaces: [...surfaces.values()] } : {}),
        ...(disabled.length ? { disabled } : {}),
        ...(operator.skills ? { skills: operator.skills.report() } : {}),
        ...capabilityProblems(options.drivers ?? []),
      };
    },
    async close() {
      clearTimeout(pending);
      clearTimeout(embedTimer);
      security.close();
      await pool.close();
      usage.close();
      store.close();
    },
  };
}

/** What a reload that changed restart-only settings says, in the log, its answer and /health. */
export function restartNote(settings: readonly string[]): string {
  return `${settings.join(", ")} changed in the config file but take effect only at a restart: until then the gateway keeps running with the values it started with`;
}

/**
 * The settings under `key` that differ between two configs, named to the second level
 * (`server.port`, `capabilities.name`): what a reload reports as waiting for a restart.
 */
function changedSettings(key: string, next: unknown, running: unknown): string[] {
  if (JSON.stringify(next) === JSON.stringify(running)) return [];
  const table = (value: unknown) =>
    value && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  const [a, b] = [table(next), table(running)];
  if (!a || !b) return [key];
  const names = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return names
    .filter((name) => JSON.stringify(a[name]) !== JSON.stringify(b[name]))
    .map((name) => `${key}.${name}`);
}

/** The capabilities backend's files that do not load, for `/health` (none: nothing). */
function capabilityProblems(
  drivers: readonly InternalDriver[],
): Pick<HealthReport, "capabilities"> {
  for (const driver of drivers) {
    const problems = (driver as Partial<CapabilitiesDriver>).registry?.problems;
    if (problems?.length) return { capabilities: { server: driver.name, problems } };
  }
  return {};
}

/**
 * A reload's `capabilities` folders, catalog switch, network guard and response cap, applied to
 * the running capabilities backend (its name and whether it runs wait for a restart); whether any changed.
 */
function reconfigureCapabilities(
  drivers: readonly InternalDriver[],
  before: ResolvedConfig,
  after: ResolvedConfig,
): boolean {
  const settings = (c: ResolvedConfig): CapabilitiesSettings => ({
    builtin: c.capabilities.builtin,
    directories: c.capabilities.directories,
    allowPrivateNetworks: c.capabilities.allow_private_networks,
    maxResponseBytes: c.capabilities.max_response_bytes,
  });
  const next = settings(after);
  if (JSON.stringify(next) === JSON.stringify(settings(before))) return false;
  for (const driver of drivers) {
    (driver as Partial<CapabilitiesDriver>).reconfigure?.(next);
  }
  return true;
}
