import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { adoptStateDir, dropRunRecord } from "../backends/containment.ts";
import { watchDirectories } from "../capabilities/watch.ts";
import { ConfigDrift, configFingerprint } from "../cluster/config-drift.ts";
import { shareFeedback } from "../cluster/feedback.ts";
import {
  advertisedUrl,
  BREAKER_CHANNEL,
  joinCluster,
  LOCK_CHANNEL,
  RELOAD_CHANNEL,
} from "../cluster/join.ts";
import type { ClusterLink } from "../cluster/link.ts";
import { shareOperatorSwitch } from "../cluster/operator-switch.ts";
import { answerRelays, relaysInFlight } from "../cluster/relay.ts";
import { shareTasks } from "../cluster/tasks.ts";
import { SharedUsage } from "../cluster/usage.ts";
import { envWithFiles } from "../config/env-files.ts";
import { loadConfig, type ResolvedConfig } from "../config/load.ts";
import { watchConfigFile } from "../config/watch.ts";
import { errorMessage, GatewayError } from "../errors.ts";
import { recordAdminAction } from "../hooks.ts";
import { LOOPBACK_HOSTS } from "../http/loopback.ts";
import { createRoutes } from "../http/routes.ts";
import { serveHttp } from "../http/serve.ts";
import { logger } from "../logger.ts";
import { createAuditLog, registerAuditLog } from "../observe/audit.ts";
import { createCostGovernor, registerGovernor } from "../observe/costs.ts";
import { createObserver, type Observer } from "../observe/observer.ts";
import { importOriginalUsage, originalUsageFile } from "../observe/original-usage.ts";
import { PlaybookRegistry } from "../playbooks/registry.ts";
import type { UsageStore } from "../search/usage.ts";
import { lockPathFor } from "../security/pins.ts";
import { flushScanVerdicts, rememberScansIn } from "../security/scan-verdicts.ts";
import { skillsDir } from "../skills/dir.ts";
import { SkillRegistry } from "../skills/registry.ts";
import {
  createMemoryStore,
  defaultStateDir,
  openStateStore,
  type StateStore,
} from "../state/store.ts";
import { createDrivers, type NetworkSeams } from "./drivers.ts";
import { createGateway, type Gateway, type ReloadSummary } from "./gateway.ts";
import { profileNamed } from "./profiles.ts";
import { webhooksFor } from "./webhooks.ts";

export interface RunOptions {
  config: ResolvedConfig;
  /** Re-reads and applies the config when its file changes (default: on when there is a file). */
  watch?: boolean;
  /**
   * Started with no config file (the built-in default): where a config written later would be
   * found (`serve`: the search order). Looked for every 2 s while watching; the first file found
   * is applied as a reload and watched from then on.
   */
  findConfig?: () => string | undefined;
  /** Serve MCP on stdin/stdout instead of HTTP. */
  stdio?: boolean;
  /** With `stdio`: the routing profile of the session (`serve --stdio --profile NAME`). */
  profile?: string;
  host?: string;
  port?: number;
  /** Keep state in memory (tests); otherwise the state directory is used. */
  memoryState?: boolean;
  env?: Record<string, string | undefined>;
  /** Tests only: the clock budgets reset by (UTC days). */
  clock?: () => number;
  /** Tests only: the DNS lookup and `fetch` capability requests use. */
  network?: NetworkSeams;
}

export interface RunningGateway {
  gateway: Gateway;
  /** Re-reads the config file and applies it; a config that fails validation is refused. */
  /** `by`: the caller who asked (recorded in the audit log). */
  reload(by?: string): Promise<ReloadSummary>;
  /** The HTTP base URL, when serving HTTP. */
  url?: string;
  /**
   * With `cluster:`, the link to the other instances; its `SharedCounters` (`hit`, `peek`) count
   * across the cluster (rate limits and the lockout use them; budgets may too).
   */
  cluster?: ClusterLink;
  port?: number;
  /** Stops accepting, ends sessions, closes every backend. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Waits until no call is in flight, or the deadline passes; `answering` counts session requests
 * whose answers are not written yet (a call's answer is written after its handler returns).
 */
async function drain(gateway: Gateway, deadlineMs: number, answering: () => number): Promise<void> {
  const until = Date.now() + deadlineMs;
  const pending = () => Math.max(gateway.busy(), gateway.pool.inFlight(), answering());
  if (pending() > 0) {
    const backends = gateway.pool.busyBackends();
    logger.info(
      `waiting up to ${Math.round(deadlineMs / 1000)} s (server.shutdown_timeout) for ${pending()} call(s) in flight to finish${backends.length ? ` (${backends.join(", ")})` : ""}`,
    );
  }
  while (pending() > 0 && Date.now() < until) {
    await new Promise((done) => setTimeout(done, 50));
  }
}

/** How often an instance cut off from Redis reads its config file for a change. */
const REREAD_WHILE_CUT_MS = 10_000;

/** Starts the gateway: state, backends (in the background), then HTTP or stdio. */
export async function runGateway(options: RunOptions): Promise<RunningGateway> {
  const { config } = options;
  // Before anything starts: a profile that does not exist is refused, naming those that do.
  const asked = options.stdio ? profileNamed(config, options.profile) : { name: undefined };
  if ("error" in asked) throw new GatewayError("CONFIG_INVALID", `--profile: ${asked.error}`);
  const stdioProfile = asked.name;
  const stateDir = config.state_dir ?? defaultStateDir(options.env);
  const store: StateStore = options.memoryState
    ? createMemoryStore()
    : await openStateStore(stateDir);
  // Reap what a gateway that died (kill -9, OOM) left running, and record this run's backends.
  if (!options.memoryState) adoptStateDir(stateDir);
  // Tools scanned clean by this build in an earlier run are not scanned again.
  if (!options.memoryState) rememberScansIn(stateDir, options.env ?? process.env);
  // Capability keys are read at call time, from the environment and then the env_files.
  const callEnv = envWithFiles(config, options.env ?? process.env);
  const drivers = await createDrivers(config, callEnv.env, options.network);
  // One source of usage: the observer's call stats (persisted in the state store) also feed the
  // search's usage-aware ranking; the observer records them from the call hooks.
  let observer: Observer | undefined;
  // In a cluster, the counts of every instance (src/cluster/usage.ts), once it has joined.
  let sharedUsage: SharedUsage | undefined;
  const usage: UsageStore = {
    record(caller, server, tool) {
      void sharedUsage?.record(caller, server, tool);
    },
    count: (caller, server, tool) =>
      Math.max(
        observer?.successes(caller, server, tool) ?? 0,
        sharedUsage?.count(caller, server, tool) ?? 0,
      ),
    close() {},
  };
  const gateway = createGateway({ config, store, env: options.env, drivers, usage });
  // Skills: loaded at start, reloaded when their folder changes (`skills import` writes there).
  // State kept in memory (tests) reads no default state folder: only a skills.dir or state_dir.
  const skillsFolder =
    config.skills.dir || config.state_dir || !options.memoryState
      ? skillsDir(config, options.env)
      : undefined;
  const skills =
    config.skills.enabled && skillsFolder
      ? new SkillRegistry(skillsFolder, () => ({
          poisoning: gateway.config.security.poisoning,
          trusted: gateway.config.security.trusted_tools,
        }))
      : undefined;
  gateway.operator.skills = skills;
  const skillWatcher = skills && options.watch !== false ? skills.watch() : undefined;
  // The original gateway's usage counts (its search ranking history), once per state folder.
  if (!options.memoryState) {
    const file = originalUsageFile((options.env ?? process.env).HOME);
    try {
      importOriginalUsage(store, file, (server) => gateway.pool.canonical(server));
    } catch (error) {
      logger.warn(`cannot import ${file} (the original gateway's usage counts): ${error}`);
    }
  }
  // Metrics and usage stats hang off the gateway's hooks; usage is written to the state store.
  observer = createObserver({ hooks: gateway.hooks, pool: gateway.pool, store });
  // Governance hangs off the hooks too: the audit log, and costs with their budgets.
  const audit = createAuditLog({ hooks: gateway.hooks, store, config: () => gateway.config });
  const costs = createCostGovernor({
    hooks: gateway.hooks,
    store,
    config: () => gateway.config.cost_governance,
    now: options.clock,
    costOf: (server, tool) =>
      drivers
        .find((driver) => driver.name === server || driver.aliases?.includes(server))
        ?.costOf?.(tool),
  });
  registerGovernor(gateway, costs);
  registerAuditLog(gateway, audit);
  const closeGovernance = () => {
    costs.close();
    audit.close();
  };
  /** Starts and lists the backends (serving cached lists first); called once, see below. */
  const startBackends = () => void gateway.start().catch(() => {});
  // Said once at start, in both modes: a backend that cannot start is failed alone.
  for (const backend of config.backends) {
    if (backend.enabled && backend.configError) {
      logger
        .withTag(`backend:${backend.name}`)
        .warn(`failed, the other backends serve: ${backend.configError}`);
    }
  }

  const log = logger.withTag("config");
  /** A config file that appeared since a start without one; never one named on purpose. */
  const findConfig = (): string | undefined => {
    try {
      return options.findConfig?.();
    } catch {
      return undefined;
    }
  };
  const applyReload = async (by?: string): Promise<ReloadSummary> => {
    const file = gateway.config.file ?? findConfig();
    // Validation happens before anything changes: a bad file leaves the running config in place
    // (its capability folders are still re-read).
    let next: ResolvedConfig | undefined;
    let invalid: unknown;
    try {
      next = file
        ? loadConfig({ path: file, env: options.env, keysUnused: options.stdio })
        : undefined;
    } catch (error) {
      invalid = error;
    }
    // What `serve` refuses to start with, a reload (an edit saved while serving) must not do
    // either: turn auth off while listening beyond loopback.
    const bound = options.host ?? gateway.config.server.host;
    if (next && !options.stdio && gateway.config.auth.enabled && !next.auth.enabled) {
      if (!LOOPBACK_HOSTS.has(bound)) {
        throw new GatewayError(
          "CONFIG_INVALID",
          `${file}: auth.enabled: refusing to turn auth off while listening on ${bound}: anyone who can reach it could call every tool; keep auth on, or restart the gateway bound to 127.0.0.1 (or with --allow-unauthenticated if a proxy in front authenticates clients)`,
        );
      }
    }
    // The env_files first: capabilities waiting for a key kept there show once it is set.
    if (next) {
      const watched = callEnv.paths.join("\n");
      callEnv.refresh(next);
      // A file added to env_files is watched from now on, one taken out no longer.
      if (watcher && callEnv.paths.join("\n") !== watched) {
        watcher.close();
        watcher = watchConfig(file!);
      }
    }
    for (const driver of drivers) driver.reload?.();
    if (invalid) throw invalid;
    if (!next) return { added: [], removed: [], changed: [], restartRequired: [] };
    const before = gateway.config;
    const summary = await gateway.reload(next, by);
    playbooks?.reload();
    skills?.reload();
    const { restartNote, ...lists } = summary;
    const parts = Object.entries(lists)
      .filter(([, names]) => names.length)
      .map(([what, names]) => `${what}: ${names.join(", ")}`);
    // Settings outside the backends that changed (profiles, budgets, folders...): a reload that
    // applied them is not "no changes".
    const waiting = new Set(summary.restartRequired.map((setting) => setting.split(".")[0]));
    const settings = (Object.keys(next) as (keyof ResolvedConfig)[]).filter(
      (key) =>
        key !== "backends" &&
        key !== "file" &&
        !waiting.has(key) &&
        JSON.stringify(next[key]) !== JSON.stringify(before[key]),
    );
    if (settings.length) parts.push(`settings: ${settings.join(", ")}`);
    log.info(`reloaded ${file}${parts.length ? ` (${parts.join("; ")})` : " (no changes)"}`);
    if (restartNote) log.warn(`${file}: ${restartNote}`);
    return summary;
  };
  // A refused reload (a file that does not load, auth turned off beyond loopback) is audited too:
  // who tried it, and why it was refused.
  const reload = (by?: string): Promise<ReloadSummary> =>
    applyReload(by).catch((error: unknown) => {
      const detail = errorMessage(error).slice(0, 500);
      recordAdminAction(gateway.hooks, {
        action: "reload",
        caller: by ?? "config",
        outcome: "failed",
        detail,
      });
      throw error;
    });
  // Playbooks: loaded at start, reloaded when their files change and on every config reload.
  const playbooks = config.playbooks.enabled
    ? new PlaybookRegistry(
        () => gateway.config.playbooks.directories,
        () => gateway.config.capabilities.name,
      )
    : undefined;
  gateway.operator.playbooks = playbooks;
  const playbookWatcher =
    playbooks && options.watch !== false && config.playbooks.directories.length
      ? watchDirectories(config.playbooks.directories, () => playbooks.reload(), {
          what: "playbooks",
        })
      : undefined;
  gateway.operator.reloadConfig = reload;
  gateway.operator.usage = (allow) => observer.usage(allow);
  const watchConfig = (file: string) =>
    watchConfigFile(
      file,
      () => {
        reload().catch((error) =>
          log.error(`reload refused, keeping the running config: ${errorMessage(error)}`),
        );
      },
      undefined,
      callEnv.paths,
    );
  let watcher = config.file && options.watch !== false ? watchConfig(config.file) : undefined;
  // Started on the built-in default: a config written later (`mcp-gateway init`, `add`, `setup`)
  // is applied when it appears, as an edit of one would be.
  let adopting: ReturnType<typeof setInterval> | undefined;
  if (!config.file && options.findConfig && options.watch !== false) {
    log.info(
      "no config file: serving the built-in default; a gateway.yaml written where serve looks (mcp-gateway init, add or setup) is applied when it appears",
    );
    adopting = setInterval(() => {
      const file = findConfig();
      if (!file) return;
      // Watched from now on, as a file named at start is: a file that does not load yet is
      // applied once an edit fixes it.
      clearInterval(adopting);
      watcher = watchConfig(file);
      reload().catch((error) =>
        log.error(`reload refused, keeping the running config: ${errorMessage(error)}`),
      );
    }, 2000);
    adopting.unref?.();
  }

  let stopping: Promise<void> | undefined;
  if (options.stdio) {
    const { serveStdio } = await import("@modelcontextprotocol/server/stdio");
    const { StdioFrontTransport } = await import("../mcp/stdio.ts");
    const { createSessionServer } = await import("./server.ts");
    const { stdioCaller } = await import("./profiles.ts");
    const factory = () =>
      createSessionServer(gateway, {
        sessionId: () => "stdio",
        notifyListChanged: true,
        caller: stdioCaller(() => gateway.config, stdioProfile),
      });
    startBackends();
    const handle = serveStdio(factory, {
      transport: new StdioFrontTransport(),
      onerror: (error) => logger.debug(`stdio: ${error.message}`),
    });
    return {
      gateway,
      reload,
      stop: () => {
        stopping ??= (async () => {
          clearInterval(adopting);
          watcher?.close();
          playbookWatcher?.close();
          skillWatcher?.close();
          await handle.close().catch(() => {});
          observer.close();
          closeGovernance();
          await gateway.close();
          flushScanVerdicts();
          dropRunRecord();
        })();
        return stopping;
      },
    };
  }

  const host = options.host ?? config.server.host;
  // A cluster: the port must be known before routes exist (the session relay advertises it).
  const cluster = config.cluster
    ? await joinCluster(
        config,
        advertisedUrl(host, options.port ?? config.server.port, !!config.server.tls),
      )
    : undefined;
  gateway.security.auth.share(cluster);
  gateway.security.calls.share(cluster);
  costs.share(cluster);
  webhooksFor(gateway).share(cluster);
  if (cluster) shareTasks(gateway.tasks, cluster, config.server.session_ttl);
  if (cluster) {
    sharedUsage = new SharedUsage(cluster);
    void sharedUsage.load();
    const feedback = shareFeedback(() => gateway.feedback, cluster);
    gateway.shareFeedback(feedback.share);
    void feedback.load();
  }
  // A reload asked of one instance (API, SIGHUP) is announced; the others re-read their file.
  const announce = async (by?: string): Promise<ReloadSummary> => {
    const summary = await reload(by);
    if (cluster && !(await cluster.publish(RELOAD_CHANNEL, cluster.instanceId))) {
      log.warn(
        "reload: Redis is down, so the other instances were not told; each re-reads its config file when Redis is back",
      );
    }
    return summary;
  };
  // gateway_reload_config and the dashboard's release into trusted_tools are announced too.
  gateway.operator.reloadConfig = announce;
  // A reload announced while Redis was down never arrived here (or this one's never left):
  // once Redis answers again, every instance re-reads its file (a reload without changes is none).
  cluster?.onReconnect(() => {
    reload().catch((error) =>
      log.error(`reload after Redis came back refused here: ${errorMessage(error)}`),
    );
  });
  // Cut off from Redis, an instance hears of no reload (and a ConfigMap's symlink swap reaches no
  // file watcher): its file is read every 10 s meanwhile, and applied when it changed, so a key
  // revoked everywhere stops working here too before Redis is back.
  const configText = () => {
    try {
      return gateway.config.file ? readFileSync(gateway.config.file, "utf8") : undefined;
    } catch {
      return undefined;
    }
  };
  let lastRead = configText();
  gateway.hooks.hook("config:reload", () => {
    lastRead = configText();
  });
  const rereading = cluster
    ? setInterval(() => {
        if (cluster.connected) return;
        const text = configText();
        if (text === undefined || text === lastRead) return;
        lastRead = text;
        reload().catch((error) =>
          log.error(
            `reload of the changed config file (Redis unreachable) refused: ${errorMessage(error)}`,
          ),
        );
      }, REREAD_WHILE_CUT_MS)
    : undefined;
  rereading?.unref?.();
  // Instances that run different configs (a file reloaded on one only) say so (config-drift.ts).
  const drift = cluster
    ? new ConfigDrift(cluster, () => configFingerprint(gateway.config))
    : undefined;
  drift?.announce(true);
  if (drift) gateway.hooks.hook("config:reload", () => drift.announce());
  cluster?.subscribe(RELOAD_CHANNEL, (from) => {
    if (from === cluster.instanceId) return;
    reload().catch((error) =>
      log.error(`reload announced by ${from} refused here: ${errorMessage(error)}`),
    );
  });
  // `lock update` on any machine: the new lock is written here too; the lock watcher applies it.
  cluster?.subscribe(LOCK_CHANNEL, (text) => {
    const path = lockPathFor(gateway.config);
    if (!path || (existsSync(path) && readFileSync(path, "utf8") === text)) return;
    try {
      writeFileSync(path, text);
      log.info(`gateway.lock updated by the cluster: ${path}`);
    } catch (error) {
      log.error(`could not write ${path} sent by the cluster: ${errorMessage(error)}`);
    }
  });
  // A breaker that opens here opens on every instance: they call the same backend.
  if (cluster) {
    // An HTTP backend's rate limit holds for the cluster: each instance keeps its share.
    gateway.pool.shareRateLimits(() => cluster.peers?.size() ?? 1);
    gateway.pool.shareBreakers((server, ms) => {
      void cluster.publish(
        BREAKER_CHANNEL,
        JSON.stringify({ from: cluster.instanceId, server, ms }),
      );
    });
    cluster.subscribe(BREAKER_CHANNEL, (text) => {
      const { from, server, ms } = JSON.parse(text) as { from: string; server: string; ms: number };
      if (from !== cluster.instanceId) gateway.pool.openBreaker(server, ms);
    });
    // The kill switch too: an operator's Disable or Enable reaches one instance of several, and
    // stays in force on one that starts later or hears of it only after an outage.
    await shareOperatorSwitch(gateway.pool, cluster);
  }
  const routes = createRoutes(gateway, {
    reload: announce,
    observer,
    host,
    cluster,
    audit,
    costs,
    configDrift:
      drift &&
      (() => ({ config: configFingerprint(gateway.config), differing: drift.differing() })),
  });
  // A Redis that restarted empty has lost the sessions' records: this instance's are written again.
  cluster?.onReconnect(() => routes.sessions.reshare());
  const server = serveHttp(routes, host, options.port ?? config.server.port, {
    readTimeout: config.server.read_timeout,
    max: config.server.max_connections,
    perAddress: config.server.max_connections_per_address,
    tls: config.server.tls,
  });
  // Backends start once the port listens: /health answers at once (backends still starting say
  // so), and the work of serving cached lists and reading capability files does not delay it.
  startBackends();
  if (cluster && !config.cluster?.advertise_url)
    cluster.url = advertisedUrl(host, server.port, !!config.server.tls);
  // The URL is final: the other instances may now relay here while Redis is down.
  void cluster?.peers?.beat();
  // Counts what the pool serves: enabled backends plus the built-in capabilities backend.
  const served = gateway.pool.statuses();
  const failed = served.filter((backend) => backend.state === "failed").length;
  logger.info(
    `mcp-gateway listening on ${server.url}/mcp${config.server.public_url ? ` (public URL ${config.server.public_url})` : ""} (${served.length} backend${served.length === 1 ? "" : "s"}${failed ? `, ${failed} failed` : ""})`,
  );
  return {
    gateway,
    url: server.url,
    port: server.port,
    cluster,
    reload: announce,
    stop: () => {
      stopping ??= (async () => {
        clearInterval(adopting);
        clearInterval(rereading);
        watcher?.close();
        playbookWatcher?.close();
        skillWatcher?.close();
        // First, with server.drain_delay: go on serving while /health says draining, so a
        // balancer that watches it stops sending here before the port closes.
        const delay = config.server.drain_delay;
        if (delay > 0) {
          routes.leave();
          logger.info(
            `draining: serving ${Math.round(delay / 100) / 10}s more while /health answers 503`,
          );
          await new Promise((done) => setTimeout(done, delay));
        }
        // Graceful: stop accepting, let calls in flight finish (up to shutdown_timeout), then
        // close streams, sessions and backends.
        server.refuse();
        routes.drain();
        // The calls this instance relays to other instances count too: their clients' streams
        // go through here.
        await drain(
          gateway,
          config.server.shutdown_timeout,
          () => routes.sessions.busy() + relaysInFlight(cluster),
        );
        // What did not finish in time is answered with an error before the streams close.
        await routes.sessions.answerUnfinished();
        await answerRelays(cluster);
        await server.stop().catch(() => {});
        await routes.close();
        cluster?.peers?.close();
        drift?.close();
        cluster?.close();
        observer.close();
        closeGovernance();
        await gateway.close();
        flushScanVerdicts();
        dropRunRecord();
      })();
      return stopping;
    },
  };
}
