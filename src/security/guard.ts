import { existsSync, type FSWatcher, watch } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { findCapabilityFiles, loadCapabilityFile } from "../capabilities/load.ts";
import { loadConfig, type ResolvedConfig } from "../config/load.ts";
import { errorMessage, GatewayError } from "../errors.ts";
import { type GatewayHookable, recordAdminAction } from "../hooks.ts";
import { logger } from "../logger.ts";
import type { CallToolResult, Tool } from "../mcp/sdk.ts";
import { type Authenticator, createAuthenticator } from "./auth.ts";
import { type CallGuard, createCallGuard, type GuardReport } from "./call-guard.ts";
import {
  capabilityDigests,
  compareTools,
  contentsDigest,
  LISTED_KINDS,
  type ListedKind,
  type LockFile,
  listedDigest,
  listedKey,
  lockPathFor,
  readLock,
  repinned,
  type ToolChanges,
  toolDigest,
  writeLock,
} from "./pins.ts";
import { PoisoningRegistry, type ToolFinding } from "./poisoning.ts";
import { redactContents, redactPrompt, redactResult, redactText, redactValue } from "./redact.ts";
import { compileTrust, trusts } from "./scopes.ts";

/** Tagged at each use, so it follows `--log-level` set after import. */
const log = () => logger.withTag("security");

export interface SecurityReport {
  poisoning: {
    mode: "warn" | "quarantine";
    findings: (ToolFinding & { quarantined: boolean })[];
  };
  /** How served tools differ from gateway.lock, per backend. */
  lock?: { file: string; error?: string; changes: Record<string, ToolChanges> };
  quarantined: string[];
  /** Firewall, sandbox and confirmation refusals and warnings, by rule. */
  firewall: GuardReport;
}

/**
 * The gateway's security state: who may connect (auth), and which tools are quarantined for
 * poisoning or for differing from gateway.lock. Router and meta tools ask `quarantined()`.
 */
export interface Security {
  readonly auth: Authenticator;
  /** Sandbox, argument firewall, confirmation and result scan around each tool call. */
  readonly calls: CallGuard;
  /** Why `server:tool` is quarantined (the finding or the lock mismatch), else undefined. */
  quarantined(server: string, tool: string): string | undefined;
  isQuarantined(server: string, tool: string): boolean;
  /**
   * The digest gateway.lock pins `server:tool` to, if a lock is in force and pins it: a
   * definition the gateway did not list (a `tools/resolve` refinement) is served only if it is
   * this one.
   */
  pinned(server: string, tool: string): string | undefined;
  /** Applies a reloaded `security.trusted_tools`: the tools it covers leave quarantine at once. */
  trust(patterns: string[]): void;
  /**
   * Applies a reloaded `security.redact_results` (to the next results) and `poisoning` (the
   * findings are kept in either mode: tools enter or leave quarantine at once).
   */
  /**
   * A reload's `security` settings, at once; `lockPath` is the lock file they name (undefined:
   * none, `lock_file: false`). A lock taken on re-checks every tool before this returns.
   */
  reconfigure(next: ResolvedConfig["security"], lockPath: string | undefined): void;
  /** Redacts credentials from a tool result when `security.redact_results` is on. */
  filterResult(result: CallToolResult): CallToolResult;
  /**
   * A `resources/read` result of `server` (`uri`: the backend's own URI read): an MCP App page
   * (`ui://`) whose contents differ from their pin in gateway.lock refused with
   * TOOL_QUARANTINED; its text contents scanned as a tool result is
   * (`security.firewall.results`: a finding is logged, noted before the contents, or the read
   * refused with `FIREWALL_BLOCKED`), then credentials redacted when `security.redact_results`
   * is on.
   */
  filterContents<T extends { contents?: unknown }>(result: T, server: string, uri?: string): T;
  /** Redacts credentials from a `prompts/get` result when `security.redact_results` is on. */
  filterPrompt<T extends { description?: unknown; messages?: unknown }>(result: T): T;
  /**
   * Redacts credentials from a backend's JSON-RPC error (message and `data`) relayed to a
   * client for a request other than a tool call (a resource read, a prompt), when
   * `security.redact_results` is on; the same error returned, anything else untouched.
   */
  filterError(error: unknown): unknown;
  /**
   * Redacts credentials from a backend's log message (`data`) or progress (`message`) relayed
   * to a client, and from the system prompt and messages of its sampling request, when
   * `security.redact_results` is on: the same text as a result's, read by the same model.
   */
  filterNotification(
    method: string,
    params: Record<string, unknown> | undefined,
  ): Record<string, unknown> | undefined;
  /**
   * A notification of `server` as it leaves the backend, before it is routed to any session:
   * the text in it that reaches the model (a log message's `data`, a progress or task status
   * message) scanned as a tool result is, under `security.firewall.results`. `annotate` puts
   * the note before the text; `block` withholds the text (a log message's data is replaced by
   * why; a progress or status message is dropped, its numbers and status kept).
   */
  screenNotification(
    server: string,
    method: string,
    params: Record<string, unknown> | undefined,
  ): Record<string, unknown> | undefined;
  report(): SecurityReport;
  /**
   * A backend's `instructions`, scanned like a tool description: undefined instead when they
   * carry a HIGH finding and poisoning is `quarantine` (reported in /health either way).
   */
  screenInstructions(server: string, text: string | undefined): string | undefined;
  /**
   * A `prompts/list`, `resources/list` or `resources/templates/list` result of a backend, with
   * the entries that carry a HIGH finding held back under `quarantine` (reported either way).
   */
  screenListed<T>(server: string, method: string, result: T): T;
  /**
   * Why `server`'s prompt, resource or template `key` is held back (its entry differs from
   * gateway.lock, as last listed), else undefined.
   */
  heldBack(server: string, kind: ListedKind, key: string): string | undefined;
  close(): void;
}

/** The lists `screenListed` reads: the result key and the kind findings are filed under. */
const LISTED: Record<string, { key: string; kind: ListedKind } | undefined> = {
  "prompts/list": { key: "prompts", kind: "prompt" },
  "resources/list": { key: "resources", kind: "resource" },
  "resources/templates/list": { key: "resourceTemplates", kind: "template" },
};

export interface SecurityOptions {
  config: ResolvedConfig;
  hooks: GatewayHookable;
  env?: Record<string, string | undefined>;
}

export function createSecurity(options: SecurityOptions): Security {
  const { config, hooks } = options;
  const auth = createAuthenticator(config);
  const calls = createCallGuard(config.security, hooks, config.server.session_ttl);
  let redacting = config.security.redact_results;
  const poisoning = new PoisoningRegistry();
  let mode = config.security.poisoning;
  let trusted = config.security.trusted_tools.map(compileTrust);
  let lockPath = lockPathFor(config);
  let newTools = config.security.lock_new_tools;
  const latest = new Map<string, Tool[]>();
  /** server -> tool -> why it is held back by the lock. */
  const rugPulls = new Map<string, Map<string, string>>();
  const lockChanges = new Map<string, ToolChanges>();
  /** server -> `<kind>:<key>` -> why a listed prompt, resource or template is held back. */
  const listedHeld = new Map<string, Map<string, string>>();
  /** server -> kind -> how its last listing differed from the lock. */
  const listedChanges = new Map<string, Map<ListedKind, ToolChanges>>();
  /** server -> `app:<uri>` of MCP App pages last read with contents other than their pin. */
  const appDrift = new Map<string, Set<string>>();
  /** server -> kind -> its entries as last listed, compared again when the lock changes. */
  const lastListed = new Map<string, Map<ListedKind, Record<string, unknown>[]>>();
  /** server -> `ui://` URI -> the digest of the page as last read. */
  const appsRead = new Map<string, Map<string, string>>();
  let lock: LockFile | undefined;
  let lockError: string | undefined;
  const reported = new Set<string>();

  function loadLock(): void {
    if (!lockPath) return;
    try {
      lock = readLock(lockPath);
      lockError = undefined;
    } catch (error) {
      // A lock that cannot be read must not silently approve everything: keep the last one.
      lockError = errorMessage(error);
      log().error(`${lockError}; keeping the lock read before`);
    }
  }

  function checkLock(server: string, tools: Tool[]): void {
    const held = new Map<string, string>();
    rugPulls.set(server, held);
    lockChanges.delete(server);
    if (!lock) return;
    const isCapabilities = server === config.capabilities.name;
    const changes = isCapabilities
      ? capabilityChanges(lock, tools)
      : compareTools(lock.backends[server], tools);
    if (!isCapabilities) repin(server, tools);
    if (!changes) return;
    if (changes.changed.length || changes.added.length || changes.removed.length) {
      lockChanges.set(server, changes);
    }
    for (const tool of changes.changed) {
      const why = `its definition differs from ${basename(lockPath!)} (a rug pull?); review with \`mcp-gateway lock diff\`, approve with \`mcp-gateway lock update\``;
      held.set(tool, why);
      once(`rug:${server}:${tool}`, () => log().warn(`quarantined ${server}:${tool}: ${why}`));
    }
    // A tool a locked backend gained may be a pinned one under a new name (a rug pull the
    // comparison by name cannot see): held back too under `lock_new_tools: quarantine`.
    const holdNew = !isCapabilities && newTools === "quarantine" && !!lock.backends[server];
    for (const tool of changes.added) {
      if (holdNew) {
        const why = `it is not in ${basename(lockPath!)} (a tool ${server} gained since it was locked, or a locked one under a new name?); review with \`mcp-gateway lock diff\`, approve with \`mcp-gateway lock update ${server}:${tool}\` (security.lock_new_tools: quarantine)`;
        held.set(tool, why);
        once(`new:${server}:${tool}`, () => log().warn(`quarantined ${server}:${tool}: ${why}`));
        continue;
      }
      once(`new:${server}:${tool}`, () =>
        log().warn(`${server}:${tool} is not in ${basename(lockPath!)}; lock update approves it`),
      );
    }
  }

  /**
   * Pins of the older digest (before `icons`, `execution` and every other field were covered)
   * that still match the tool on the fields they covered: pinned again over the whole definition,
   * in memory and in the file, so that a later change of those fields is a change.
   */
  function repin(server: string, tools: Tool[]): void {
    const pins = repinned(lock?.backends[server], tools);
    const names = Object.keys(pins);
    if (!names.length || !lock || !lockPath) return;
    Object.assign(lock.backends[server]!, pins);
    try {
      // Read again: only the pins that are still the ones compared above change.
      const current = readLock(lockPath);
      if (!current?.backends[server]) return;
      const fresh = repinned(current.backends[server], tools);
      if (!Object.keys(fresh).length) return;
      Object.assign(current.backends[server], fresh);
      writeLock(lockPath, current);
      log().info(
        `${basename(lockPath)}: pinned ${names.map((name) => `${server}:${name}`).join(", ")} again over the whole definition (icons and execution included); they matched their approval`,
      );
    } catch (error) {
      log().warn(
        `cannot write ${lockPath} (${errorMessage(error)}): ${names.join(", ")} keep an older pin that does not cover icons or execution; run \`mcp-gateway lock update\``,
      );
    }
  }

  /** Capability tools whose file differs from the lock; files not in the lock are new. */
  function capabilityChanges(locked: LockFile, tools: Tool[]): ToolChanges | undefined {
    if (!Object.keys(locked.capabilities).length || !lockPath) return undefined;
    const served = new Set(tools.map((tool) => tool.name));
    const changes: ToolChanges = { changed: [], added: [], removed: [] };
    const current = capabilityDigests(capabilityFiles(config), lockPath);
    for (const [file, digest] of Object.entries(current)) {
      const pinned = locked.capabilities[file];
      const name = capabilityName(resolve(dirname(lockPath), file));
      if (pinned === undefined) changes.added.push(name ?? file);
      else if (pinned !== digest && name && served.has(name)) changes.changed.push(name);
    }
    for (const file of Object.keys(locked.capabilities)) {
      if (!(file in current)) changes.removed.push(file);
    }
    return changes;
  }

  /**
   * A listing of `server`'s prompts, resources or templates against the lock: the entries whose
   * digest differs from their pin are returned to be held back (and remembered, with why, for
   * `prompts/get` and /health). A backend the lock has no such section for is not pinned: said
   * once, nothing held. A page of a list (on `/mcp/{backend}`) says nothing of what it lacks.
   */
  function checkListed(
    server: string,
    kind: ListedKind,
    items: Record<string, unknown>[],
  ): Set<string> {
    const kinds = lastListed.get(server) ?? new Map<ListedKind, Record<string, unknown>[]>();
    lastListed.set(server, kinds.set(kind, items));
    const held = listedHeld.get(server) ?? new Map<string, string>();
    listedHeld.set(server, held);
    for (const name of [...held.keys()]) if (name.startsWith(`${kind}:`)) held.delete(name);
    listedChanges.get(server)?.delete(kind);
    const pins = lockPath ? lock?.[LISTED_KINDS[kind].section]?.[server] : undefined;
    if (!pins) {
      if (lock && lockPath && items.length) {
        once(`unpinned:${server}:${kind}`, () =>
          log().info(
            `${server}: its ${LISTED_KINDS[kind].section} are not pinned in ${basename(lockPath!)}; \`mcp-gateway lock update ${server}\` pins them`,
          ),
        );
      }
      return new Set();
    }
    const out = new Set<string>();
    const changes: ToolChanges = { changed: [], added: [], removed: [] };
    for (const item of items) {
      const key = listedKey(kind, item);
      const pin = pins[key];
      if (pin === undefined) changes.added.push(`${kind}:${key}`);
      else if (pin !== listedDigest(kind, item)) {
        const name = `${kind}:${key}`;
        changes.changed.push(name);
        const why = `its entry differs from ${basename(lockPath!)} (a rug pull?); review with \`mcp-gateway lock diff\`, approve with \`mcp-gateway lock update ${server}\``;
        held.set(name, why);
        out.add(key);
        once(`rug:${server}:${name}`, () => log().warn(`held back ${server} ${name}: ${why}`));
      }
    }
    if (changes.changed.length || changes.added.length) {
      const kinds = listedChanges.get(server) ?? new Map<ListedKind, ToolChanges>();
      listedChanges.set(server, kinds.set(kind, changes));
    }
    return out;
  }

  /**
   * An MCP App page read: refused when gateway.lock pins its contents to another digest (the
   * page runs in the client: a rug pull of the app itself). Unpinned pages pass.
   */
  function checkApp(server: string, uri: string | undefined, contents: unknown): void {
    if (!uri?.startsWith("ui://") || !lockPath) return;
    const digest = contentsDigest(contents);
    const seen = appsRead.get(server) ?? new Map<string, string>();
    appsRead.set(server, seen.set(uri, digest));
    if (!appDrifted(server, uri, digest)) return;
    const why = `its page differs from ${basename(lockPath)} (a rug pull?); review with \`mcp-gateway lock diff\`, approve with \`mcp-gateway lock update ${server}\``;
    once(`rug:${server}:app:${uri}`, () => log().warn(`refused ${server} ${uri}: ${why}`));
    throw new GatewayError(
      "TOOL_QUARANTINED",
      `the MCP App ${uri} of ${server} is refused: ${why}`,
      {
        data: { server, uri },
      },
    );
  }

  /** Whether a page read with `digest` differs from its pin (kept in `appDrift` for /health). */
  function appDrifted(server: string, uri: string, digest: string): boolean {
    const pin = lock?.apps?.[server]?.[uri];
    const name = `app:${uri}`;
    if (pin === undefined || pin === digest) {
      appDrift.get(server)?.delete(name);
      return false;
    }
    const drifted = appDrift.get(server) ?? new Set<string>();
    appDrift.set(server, drifted.add(name));
    return true;
  }

  /**
   * A lock re-read (or another lock): what was last listed and read is compared again, so an
   * approved prompt is served by name at once, and /health says what differs now.
   */
  function recheckListed(): void {
    for (const [server, kinds] of lastListed) {
      for (const [kind, items] of kinds) checkListed(server, kind, items);
    }
    for (const [server, pages] of appsRead) {
      for (const [uri, digest] of pages) appDrifted(server, uri, digest);
    }
  }

  /** The lock changes of `server`'s tools and listed entries together, for /health. */
  function changesOf(server: string): ToolChanges | undefined {
    const tools = lockChanges.get(server);
    const listed = [...(listedChanges.get(server)?.values() ?? [])];
    const apps = [...(appDrift.get(server) ?? [])];
    if (apps.length) listed.push({ changed: apps, added: [], removed: [] });
    if (!listed.length) return tools;
    const all: ToolChanges = {
      changed: [...(tools?.changed ?? [])],
      added: [...(tools?.added ?? [])],
      removed: [...(tools?.removed ?? [])],
    };
    for (const changes of listed) {
      all.changed.push(...changes.changed);
      all.added.push(...changes.added);
    }
    return all;
  }

  function once(key: string, action: () => void): void {
    if (reported.has(key)) return;
    reported.add(key);
    action();
  }

  /** The digest of the definition `server` serves as `tool` now, if it lists one. */
  function servedDigest(server: string, tool: string): string | undefined {
    const served = latest.get(server)?.find((t) => t.name === tool);
    return served && toolDigest(served);
  }

  function poisoned(server: string, tool: string): ToolFinding | undefined {
    if (mode !== "quarantine") return undefined;
    const finding = poisoning.high(server, tool);
    if (!finding) return undefined;
    // A release pinned to a digest holds for that definition only: the one served now.
    return trusts(trusted, server, tool, () => servedDigest(server, tool)) ? undefined : finding;
  }

  loadLock();
  const unhook = hooks.hook("tools:changed", (server, tools) => {
    latest.set(server, tools);
    for (const finding of poisoning.update(server, tools)) {
      const action = poisoned(server, finding.tool) ? "quarantined" : "allowed (poisoning: warn)";
      log().warn(
        `${server}:${finding.tool} looks poisoned (${finding.rule} in ${finding.where}: "${finding.excerpt}"); ${action}`,
      );
    }
    checkLock(server, tools);
  });

  // One watcher on the config's folder: a changed gateway.lock re-checks every tool; a changed
  // config re-reads the keys, so a created or revoked key takes effect without a restart.
  const watchers: FSWatcher[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const pending = new Set<string>();
  let watched: string[] = [];
  const folders = new Set<string>();
  /** Watches the folders of the config and the lock file (again when a reload moves the lock). */
  function watchFolders(): void {
    watched = [config.file, lockPath].filter((file): file is string => !!file);
    for (const folder of new Set(watched.map((file) => dirname(file)))) {
      if (!folders.has(folder)) watchFolder(folder);
    }
  }
  function watchFolder(folder: string): void {
    if (!existsSync(folder)) return;
    folders.add(folder);
    try {
      const watcher = watch(folder, (_event, name) => {
        const file = name ? resolve(folder, name.toString()) : "";
        if (!watched.includes(file)) return;
        pending.add(file);
        clearTimeout(timer);
        timer = setTimeout(applyChanges, 100);
      });
      watcher.unref?.();
      watchers.push(watcher);
    } catch (error) {
      log().debug(`cannot watch ${folder}: ${errorMessage(error)}`);
    }
  }
  watchFolders();

  function applyChanges(): void {
    const files = [...pending];
    pending.clear();
    if (lockPath && files.includes(lockPath)) {
      loadLock();
      reported.clear();
      const before = new Map([...rugPulls].map(([server, held]) => [server, [...held.keys()]]));
      for (const [server, tools] of latest) checkLock(server, tools);
      recheckListed();
      log().info(`${basename(lockPath)} reloaded`);
      recordAdminAction(hooks, { action: "lock.update", caller: "lock-file", target: lockPath });
      // An approval shows tools again (an edit may hide some): connected clients must hear it.
      const changed = [...latest.keys()].filter(
        (server) =>
          JSON.stringify(before.get(server) ?? []) !==
          JSON.stringify([...(rugPulls.get(server)?.keys() ?? [])]),
      );
      if (changed.length) void hooks.callHook("tools:quarantine", changed);
    }
    if (config.file && files.includes(config.file)) {
      try {
        const next = loadConfig({ path: config.file, env: options.env }).auth;
        // Keys follow the file here (a revoked key stops at once), but turning auth off is the
        // reload's to decide: it refuses while the gateway listens beyond loopback, and it is
        // off with `watch: false`. Applied from here, an edit to `enabled: false` opened a
        // gateway on 0.0.0.0 to anyone, whatever the reload had refused.
        if (auth.required && !next.enabled) {
          log().warn(
            `${config.file}: auth.enabled is false in the file; keys stay in force until a reload applies it (which refuses it while listening beyond loopback)`,
          );
        } else auth.update(next);
      } catch (error) {
        log().warn(
          `config changed but did not load, keeping the keys in use: ${errorMessage(error)}`,
        );
      }
    }
  }

  return {
    auth,
    calls,
    quarantined(server, tool) {
      const finding = poisoned(server, tool);
      if (finding) {
        // The entry that trusts this definition alone: a bare name would trust whatever the
        // backend serves under it next.
        const digest = servedDigest(server, tool);
        const entry = `${server}:${tool}${digest ? `@${digest}` : ""}`;
        return `it looks poisoned: ${finding.rule} in its ${finding.where} ("${finding.excerpt}"); if you trust this definition, add "${entry}" to security.trusted_tools (or release it from the dashboard)`;
      }
      return rugPulls.get(server)?.get(tool);
    },
    isQuarantined(server, tool) {
      return this.quarantined(server, tool) !== undefined;
    },
    pinned(server, tool) {
      return lockPath ? lock?.backends[server]?.[tool] : undefined;
    },
    trust(patterns) {
      if (JSON.stringify(patterns) === JSON.stringify(trusted.map((rule) => rule.source))) return;
      trusted = patterns.map(compileTrust);
      // Tools left (or entered) quarantine: connected clients must hear it.
      void hooks.callHook("tools:quarantine", [...latest.keys()]);
    },
    reconfigure(next, nextLock) {
      redacting = next.redact_results;
      const relock = nextLock !== lockPath;
      if (!relock && next.lock_new_tools !== newTools) {
        // What the lock holds back changes with it, at once, as for another lock.
        newTools = next.lock_new_tools;
        const before = new Map([...rugPulls].map(([server, held]) => [server, [...held.keys()]]));
        for (const [server, tools] of latest) checkLock(server, tools);
        const changed = [...latest.keys()].filter(
          (server) =>
            JSON.stringify(before.get(server) ?? []) !==
            JSON.stringify([...(rugPulls.get(server)?.keys() ?? [])]),
        );
        if (changed.length) void hooks.callHook("tools:quarantine", changed);
      }
      newTools = next.lock_new_tools;
      if (relock) {
        lockPath = nextLock;
        lock = undefined;
        loadLock();
        reported.clear();
        for (const [server, tools] of latest) checkLock(server, tools);
        recheckListed();
        watchFolders();
        log().info(lockPath ? `lock file is now ${lockPath}` : "lock file turned off");
      }
      if (next.poisoning === mode && !relock) return;
      mode = next.poisoning;
      void hooks.callHook("tools:quarantine", [...latest.keys()]);
    },
    filterResult(result) {
      return redacting ? redactResult(result) : result;
    },
    filterContents(result, server, uri) {
      checkApp(server, uri, result.contents);
      const screened = screenContents(calls, server, result);
      return redacting ? redactContents(screened) : screened;
    },
    filterPrompt(result) {
      return redacting ? redactPrompt(result) : result;
    },
    filterError(error) {
      // The backend's own errors carry its numeric JSON-RPC code; the gateway's are its own.
      if (!redacting || !(error instanceof Error)) return error;
      const backend = error as Error & { code?: unknown; data?: unknown };
      if (typeof backend.code !== "number") return error;
      try {
        backend.message = redactText(backend.message, true);
        if (backend.data !== undefined) backend.data = redactValue(backend.data, true);
      } catch {
        // A read-only message: left as it was.
      }
      return error;
    },
    filterNotification(method, params) {
      if (!redacting || !params) return params;
      if (method === "notifications/message" && params.data !== undefined) {
        return { ...params, data: redactValue(params.data, true) };
      }
      if (method === "notifications/progress" && typeof params.message === "string") {
        return { ...params, message: redactText(params.message, true) };
      }
      if (method === "sampling/createMessage") return redactSampling(params);
      return params;
    },
    screenNotification(server, method, params) {
      return screenNotification(calls, server, method, params);
    },
    screenInstructions(server, text) {
      const flagged = poisoning.updateOthers(server, "instructions", text ? [["", text]] : []);
      if (!flagged.size) return text;
      const withheld = !!poisoned(server, "instructions");
      log().warn(
        `${server}: its instructions look poisoned; ${withheld ? "withheld" : "passed on (poisoning: warn)"}`,
      );
      return withheld ? undefined : text;
    },
    screenListed(server, method, result) {
      const kind = LISTED[method];
      const items = kind && (result as Record<string, unknown> | undefined)?.[kind.key];
      if (!kind || !Array.isArray(items)) return result;
      const nameOf = (item: Record<string, unknown>) => listedKey(kind.kind, item);
      const flagged = poisoning.updateOthers(
        server,
        kind.kind,
        items.map((item) => [nameOf(item), item]),
      );
      const drifted = checkListed(server, kind.kind, items);
      if (!flagged.size && !drifted.size) return result;
      const kept = items.filter(
        (item) =>
          !drifted.has(nameOf(item)) &&
          (!flagged.has(nameOf(item)) || !poisoned(server, `${kind.kind}:${nameOf(item)}`)),
      );
      if (kept.length < items.length) {
        log().warn(
          `${server}: held back ${items.length - kept.length} ${kind.kind}(s) of ${method} (poisoned, or differing from the lock)`,
        );
      }
      return { ...result, [kind.key]: kept };
    },
    heldBack(server, kind, key) {
      return listedHeld.get(server)?.get(`${kind}:${key}`);
    },
    report() {
      const findings = poisoning.all().map((finding) => ({
        ...finding,
        quarantined: finding.severity === "high" && !!poisoned(finding.server, finding.tool),
      }));
      const quarantined: string[] = [];
      for (const [server, tools] of latest) {
        for (const tool of tools) {
          if (this.isQuarantined(server, tool.name)) quarantined.push(`${server}:${tool.name}`);
        }
      }
      return {
        poisoning: { mode, findings },
        ...(lockPath && (lock || lockError)
          ? {
              lock: {
                file: lockPath,
                ...(lockError ? { error: lockError } : {}),
                changes: Object.fromEntries(
                  [
                    ...new Set([
                      ...lockChanges.keys(),
                      ...listedChanges.keys(),
                      ...appDrift.keys(),
                    ]),
                  ].flatMap((server) => {
                    const changes = changesOf(server);
                    return changes ? [[server, changes]] : [];
                  }),
                ),
              },
            }
          : {}),
        quarantined,
        firewall: calls.report(),
      };
    },
    close() {
      unhook();
      calls.close();
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}

/** Every user capability file the config serves (the embedded catalog is not locked). */
export function capabilityFiles(config: ResolvedConfig): string[] {
  if (!config.capabilities.enabled) return [];
  const files = new Set<string>();
  for (const dir of config.capabilities.directories) {
    if (!existsSync(dir)) continue;
    for (const file of findFiles(dir)) files.add(file);
  }
  return [...files].sort();
}

function findFiles(dir: string): string[] {
  return findCapabilityFiles(dir);
}

function capabilityName(file: string): string | undefined {
  const result = loadCapabilityFile(file);
  return result.ok ? result.capability.name : undefined;
}

/**
 * A resource's text contents scanned (the first finding decides): `annotate` puts a text entry
 * with the note before the contents, under the same URI; `block` refuses the read.
 */
function screenContents<T extends { contents?: unknown }>(
  calls: CallGuard,
  server: string,
  result: T,
): T {
  if (!Array.isArray(result.contents)) return result;
  for (const content of result.contents as { uri?: unknown; text?: unknown }[]) {
    if (typeof content?.text !== "string") continue;
    const found = calls.screenText(server, `resource ${String(content.uri)}`, content.text);
    if (!found) continue;
    if (found.mode === "block") {
      throw new GatewayError("FIREWALL_BLOCKED", found.note, {
        data: { rule: found.rule, where: "resource" },
      });
    }
    if (found.mode === "annotate") {
      const note = { uri: content.uri, mimeType: "text/plain", text: found.note };
      return { ...result, contents: [note, ...result.contents] };
    }
    return result;
  }
  return result;
}

/** What `screenNotification` reads: the text's key in each notification's params. */
const NOTIFICATION_TEXT: Record<string, { key: string; what: string } | undefined> = {
  "notifications/message": { key: "data", what: "log message" },
  "notifications/progress": { key: "message", what: "progress message" },
  "notifications/tasks/status": { key: "statusMessage", what: "task status message" },
};

function screenNotification(
  calls: CallGuard,
  server: string,
  method: string,
  params: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  const at = NOTIFICATION_TEXT[method];
  const value = at && params?.[at.key];
  if (!at || !params || value === undefined || value === null) return params;
  const text = typeof value === "string" ? value : JSON.stringify(value);
  const found = calls.screenText(server, at.what, text);
  if (!found || found.mode === "warn") return params;
  if (method !== "notifications/message") {
    if (found.mode === "block") {
      const { [at.key]: _withheld, ...rest } = params;
      return rest;
    }
    return { ...params, [at.key]: `${found.note} ${text}` };
  }
  if (found.mode === "block") {
    return { ...params, logger: "mcp-gateway", data: `mcp-gateway: ${found.note}` };
  }
  // A log message's data may be any JSON: a string gets the note before it, anything else is
  // carried beside the note.
  return {
    ...params,
    data:
      typeof value === "string" ? `${found.note}\n${value}` : { warning: found.note, data: value },
  };
}

/**
 * A backend's `sampling/createMessage` with credentials redacted from its system prompt and the
 * text of its messages (a block or a list of them each), as from a tool result's blocks: the
 * client's model (often a hosted API) reads them as it reads a result.
 */
function redactSampling(params: Record<string, unknown>): Record<string, unknown> {
  const blocks = (content: unknown) =>
    Array.isArray(content)
      ? redactResult({ content }).content
      : (redactResult({ content: [content] }).content as unknown[])[0];
  const messages = Array.isArray(params.messages)
    ? params.messages.map((message: { content?: unknown }) =>
        message && typeof message === "object" && message.content !== undefined
          ? { ...message, content: blocks(message.content) }
          : message,
      )
    : params.messages;
  return {
    ...params,
    ...(typeof params.systemPrompt === "string" && {
      systemPrompt: redactText(params.systemPrompt, true),
    }),
    messages,
  };
}
