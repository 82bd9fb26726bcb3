import type {
  BackendConnection,
  ConnectionEvents,
  InternalDriver,
  JsonObject,
} from "../backends/types.ts";
import { GatewayError } from "../errors.ts";
import { logger } from "../logger.ts";
import type { CallToolResult, Tool } from "../mcp/sdk.ts";
import { VERSION } from "../version.ts";
import { DEFAULT_MAX_RESPONSE_BYTES, executeCapability } from "./execute.ts";
import { CapabilityRegistry, type LoadProblem, missingEnv } from "./registry.ts";
import { type Capability, toTool } from "./resolve.ts";
import type { Fetch, Lookup } from "./ssrf.ts";
import { type Watcher, watchDirectories } from "./watch.ts";

const log = logger.withTag("capabilities");
const CACHE_MAX_ENTRIES = 500;

export interface CapabilitiesDriverOptions {
  /** The backend name clients use (`capabilities.name`). */
  name: string;
  builtin: boolean;
  directories: string[];
  allowPrivateNetworks: boolean;
  maxResponseBytes?: number;
  /** Where secrets are read from, at call time. */
  env: Record<string, string | undefined>;
  /** Watch the directories and reload on change (default true). */
  watch?: boolean;
  lookup?: Lookup;
  /** Sends capability requests (a test seam; the global `fetch` otherwise). */
  fetch?: Fetch;
}

/** What a config reload may change in a running capabilities backend. */
export type CapabilitiesSettings = Pick<
  CapabilitiesDriverOptions,
  "builtin" | "directories" | "allowPrivateNetworks" | "maxResponseBytes"
>;

/** The capabilities backend: one more driver for the pool, plus a reload for SIGHUP and the API. */
export interface CapabilitiesDriver extends InternalDriver {
  readonly registry: CapabilityRegistry;
  /** Re-reads every capability file; tells the pool when the tools changed. */
  reload(): boolean;
  /**
   * Applies reloaded `capabilities` settings: other folders are read and watched (the old ones
   * no longer), the catalog switched on or off, the network guard and response cap changed.
   */
  reconfigure(settings: CapabilitiesSettings): void;
}

/** Serves capability files as tools of one backend, hot-reloading their folders. */
export function createCapabilitiesDriver(initial: CapabilitiesDriverOptions): CapabilitiesDriver {
  let options = initial;
  const registry = new CapabilityRegistry({
    builtin: options.builtin,
    directories: options.directories,
  });
  const cache = new Map<string, { expires: number; result: CallToolResult }>();
  /** Bumped when the cache is dropped: a call that started before does not store its answer. */
  let era = 0;
  const dropCache = () => {
    era++;
    cache.clear();
  };
  let listeners: ConnectionEvents | undefined;
  let loaded = false;
  /** The notes already logged (file and note), so a reload does not repeat them. */
  const noted = new Set<string>();
  let watcher: Watcher | undefined;
  const watch = () => {
    watcher?.close();
    watcher =
      options.watch !== false && options.directories.length
        ? watchDirectories(options.directories, () => reload())
        : undefined;
  };
  /** The capabilities served: loaded, runnable here, and their keys set. */
  const served = () =>
    registry
      .list()
      .filter(
        (capability) => !capability.unavailable && missingEnv(capability, options.env).length === 0,
      );
  const namesOf = (capabilities: Capability[]) => capabilities.map((c) => c.name).join("\n");
  /** Their names at the last tools/list, to tell a key that came (or went) on a reload. */
  let listed = "";

  const reload = (): boolean => {
    loaded = true;
    const report = registry.load();
    logProblems(report.problems, false);
    logNotes(registry.list(), noted);
    // A key set (or removed) in env_files since the last list shows (or hides) its capability.
    const keysChanged = namesOf(served()) !== listed;
    if (!report.changed && !(listeners && keysChanged)) return false;
    dropCache();
    log.info(`${registry.list().length} capabilities loaded`);
    listeners?.onToolsChanged();
    return true;
  };

  const call = async (
    capability: Capability,
    args: JsonObject,
    signal: AbortSignal | undefined,
    timeout: number,
  ): Promise<CallToolResult> => {
    const key = capability.cacheTtl
      ? `${capability.name}\0${cacheKey(capability, args)}`
      : undefined;
    const hit = key ? cache.get(key) : undefined;
    if (hit && hit.expires > Date.now()) return hit.result;
    const started = era;
    const result = await executeCapability(capability, args, {
      env: options.env,
      allowPrivateNetworks: options.allowPrivateNetworks,
      maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
      signal,
      timeout,
      lookup: options.lookup,
      fetch: options.fetch,
    });
    if (key && !result.isError && era === started) {
      if (cache.size >= CACHE_MAX_ENTRIES) cache.delete(cache.keys().next().value!);
      cache.set(key, { expires: Date.now() + capability.cacheTtl!, result });
    }
    return result;
  };

  return {
    name: options.name,
    description: "REST APIs described by capability files",
    aliases: options.name === "gateway" ? [] : ["gateway"],
    registry,
    reload,
    reconfigure(settings) {
      options = { ...options, ...settings };
      // Results fetched under the old network guard or size cap are not served under the new.
      dropCache();
      registry.reconfigure({ builtin: options.builtin, directories: options.directories });
      // Not open: the next open reads (and watches) the new folders.
      if (!listeners) {
        loaded = false;
        return;
      }
      watch();
      reload();
    },
    hints(tool) {
      const capability = registry.get(tool);
      const words = capability ? [...capability.tags, ...capability.examples] : [];
      return words.length ? words.join("\n") : undefined;
    },
    costOf: (tool) => registry.get(tool)?.costPerCall,
    async open(events): Promise<BackendConnection> {
      // Loaded here rather than when created, and a tick later, in slices: the gateway listens
      // (and serves the tool list cached from the last run) without waiting for the files.
      if (!loaded) {
        loaded = true;
        await new Promise((resume) => setTimeout(resume, 0));
        logProblems((await registry.loadGradually()).problems, options.watch !== false);
        logNotes(registry.list(), noted);
      }
      listeners = events;
      watch();
      return {
        transport: "internal",
        capabilities: { tools: { listChanged: true } },
        serverInfo: { name: "mcp-gateway-capabilities", version: VERSION },
        async notify() {},
        async listTools(): Promise<Tool[]> {
          const capabilities = served();
          listed = namesOf(capabilities);
          return capabilities.map(toTool);
        },
        async callTool(name, args, callOptions): Promise<CallToolResult> {
          const capability = registry.get(name);
          if (!capability) {
            throw new GatewayError(
              "TOOL_NOT_FOUND",
              `[backend:${options.name}] no capability ${name}`,
            );
          }
          const missing = missingEnv(capability, options.env);
          if (missing.length) {
            return {
              content: [
                {
                  type: "text",
                  text: `[MISSING_SECRET] ${name} needs the environment variable ${missing.join(", ")}`,
                },
              ],
              isError: true,
            };
          }
          return call(capability, args, callOptions.signal, callOptions.timeout);
        },
        async request(method): Promise<JsonObject> {
          throw new GatewayError(
            "BACKEND_ERROR",
            `[backend:${options.name}] ${method} is not supported by the capabilities backend`,
          );
        },
        async ping() {},
        async close() {
          watcher?.close();
          watcher = undefined;
          if (listeners === events) listeners = undefined;
        },
      };
    },
  };
}

/**
 * Each part of a user's capability file that loads without effect here (the original's
 * `visible_in_states`, a provider never used, a `service: cli`): a warning naming it, once.
 */
function logNotes(capabilities: Capability[], noted: Set<string>): void {
  for (const capability of capabilities) {
    if (capability.source.startsWith("builtin:")) continue;
    for (const note of capability.notes) {
      const key = `${capability.source}\0${note}`;
      if (noted.has(key)) continue;
      noted.add(key);
      log.warn(`${capability.source}: ${note}`);
    }
  }
}

/**
 * Logs each file that did not load. A missing folder is not an error: the gateway serves without
 * it, and a watched one is polled for and loads when it appears. `quietFolders` when the watcher
 * has just said so (at the first load): logged here too, it read as an error beside that warning.
 */
function logProblems(problems: LoadProblem[], quietFolders: boolean): void {
  for (const problem of problems) {
    if (problem.missingFolder) {
      if (!quietFolders)
        log.warn(`${problem.source} does not exist; no capabilities are read from it`);
      continue;
    }
    const kept = problem.keptLastGood ? " (its last good version is still served)" : "";
    log.error(`${problem.source}: ${problem.errors.join("; ")}${kept}`);
  }
}

/** `cache.key_template` filled from the arguments (`{owner}/{repo}`), else all the arguments. */
function cacheKey(capability: Capability, args: JsonObject): string {
  if (!capability.cacheKey) return stableJson(args);
  return capability.cacheKey.replace(/\{([A-Za-z0-9_.-]+)\}/g, (_whole, name: string) =>
    stableJson(args[name] ?? null),
  );
}

/** JSON with object keys sorted, so equal arguments make equal cache keys. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner) =>
    inner && typeof inner === "object" && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : 1)))
      : inner,
  );
}
