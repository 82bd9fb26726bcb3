import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import type { z } from "zod";
import { GatewayError } from "../errors.ts";
import { logger } from "../logger.ts";
import { resolveAuthKeys } from "../security/keys.ts";
import { applyCapabilitiesAlias } from "./capabilities-alias.ts";
import { type Env, expandTree, formatPath, lookupVariable, parseDotenv } from "./env.ts";
import { expandHome, findConfigFile, parseConfigText, unsearchedConfigs } from "./locate.ts";
import {
  type BackendConfig,
  BackendSchema,
  backendNameProblem,
  type Config,
  ConfigSchema,
  checkOperatorSettings,
  RECOGNISED_KEYS,
  type Transport,
} from "./schema.ts";

// Their home moved to locate.ts (no zod there); importers of load.ts keep working.
export { configCandidates, expandHome, parseConfigText } from "./locate.ts";

/** One backend after validation, with its name and any problem that keeps it from starting. */
export interface ResolvedBackend extends Omit<BackendConfig, "transport"> {
  name: string;
  transport: Transport | "internal";
  /** Set when the backend cannot start as configured (a missing `${VAR}`, say). */
  configError?: string;
  /** The config's `state_dir` (OAuth tokens live there); absent: the default state folder. */
  stateDir?: string;
}

export interface ResolvedConfig extends Omit<Config, "backends"> {
  backends: ResolvedBackend[];
  /** The file this came from; undefined for the built-in default. */
  file?: string;
  /** Keys that were recognised but are not implemented, for `doctor` and the log. */
  warnings: string[];
}

export interface LoadConfigOptions {
  /** An explicit path (`--config`). */
  path?: string;
  env?: Env;
  cwd?: string;
  /**
   * Nothing will check `auth`'s keys (`serve --stdio`: the client that started the gateway is
   * its local admin): a key whose variable is unset is warned about, not refused, as the
   * original never reads them in stdio mode.
   */
  keysUnused?: boolean;
}

/** Finds, reads, expands and validates the gateway config. Throws one GatewayError naming what to fix. */
export function loadConfig(options: LoadConfigOptions = {}): ResolvedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const file = findConfigFile(options.path, env, cwd);
  const keysUnused = options.keysUnused;
  if (!file) {
    const config = resolveConfig({}, { env, baseDir: cwd, keysUnused });
    const unsearched = unsearchedConfigs(env, cwd);
    if (unsearched.length) {
      const warning = `no config file found: ${unsearched.join(", ")} ${unsearched.length > 1 ? "are" : "is"} not searched (only gateway.yaml is); pass --config ${unsearched[0]}, or set MCP_GATEWAY_CONFIG to it`;
      logger.warn(warning);
      config.warnings.push(warning);
    }
    return config;
  }
  if (existsSync(file) && statSync(file).isDirectory()) {
    // The original's `cap search QUERY -c DIR` named a capabilities folder with -c.
    throw new GatewayError(
      "CONFIG_INVALID",
      `${file} is a folder: --config (-c, MCP_GATEWAY_CONFIG) names the gateway's config file, e.g. ${join(file, "gateway.yaml")}; a capabilities folder is listed with mcp-gateway cap list ${file}`,
    );
  }
  const text = readFileSync(file, "utf8");
  return resolveConfig(parseConfigText(text, file), {
    env,
    baseDir: dirname(file),
    cwd,
    file,
    keysUnused,
  });
}

interface ResolveOptions {
  env: Env;
  baseDir: string;
  /** The current folder, where the original gateway read relative paths (default: the process's). */
  cwd?: string;
  file?: string;
  /** Records what the result depends on besides the text, for src/config/cache.ts. */
  trace?: ConfigTrace;
  keysUnused?: boolean;
}

/**
 * What resolving a config read besides its text: every variable looked up (a `VAR_FILE` among
 * them when `VAR` was unset) and the `env_files`. With `placeholder`, a variable with a value
 * expands to the placeholder instead, so a result can be stored without the secrets it holds;
 * warnings are then not logged (the same config was resolved for real just before).
 */
export interface ConfigTrace {
  names: Set<string>;
  /** The `env_files` read, in order. */
  envFiles: string[];
  /**
   * Each relative path the original gateway read from the current folder, as it is beside the
   * config and in the current folder: which of the two exists decides which is read.
   */
  originalPaths?: [beside: string, here: string][];
  placeholder?: (name: string) => string;
}

/** Validates a parsed config tree: aliases, recognised keys, `${VAR}` expansion, then the schema. */
export function resolveConfig(raw: unknown, options: ResolveOptions): ResolvedConfig {
  const where = options.file ?? "built-in config";
  if (raw === null || raw === undefined) raw = {};
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new GatewayError("CONFIG_INVALID", `${where}: expected a mapping at the top level`);
  }
  const tree = structuredClone(raw) as Record<string, unknown>;
  // A key written as null (`cwd: null`, or a section whose lines are all commented out) is
  // unset, as the original gateway reads it.
  dropNulls(tree);
  // The original's identity sources: with one, `auth.enabled` and no key still loads (locked).
  const externalIdentity = ["key_server", "agent_auth"].find((key) => key in tree);
  const warnings = stripRecognisedKeys(tree);
  // The original's `playbooks.enabled: true` reads ./playbooks when it names no folder (its
  // default); here the default is none, so that file's playbooks would be missing.
  const playbooks = tree.playbooks as Record<string, unknown> | undefined;
  if (playbooks?.enabled === true && playbooks.directories === undefined) {
    playbooks.directories = ["./playbooks"];
  }
  // The original's `bearer_token: auto` made a token it never showed (a fingerprint only), so
  // no client could send it: the same as none, here as there.
  const auth = tree.auth as Record<string, unknown> | undefined;
  const autoBearer = auth?.bearer_token === "auto";
  if (autoBearer) {
    delete auth!.bearer_token;
    warnings.push(
      "auth.bearer_token: auto made a token the original gateway never showed (no client could send it); ignored here: mcp-gateway keys create NAME --admin makes a key you can use",
    );
  }
  warnings.push(...stripOriginalScans(tree));
  applyFailsafeAliases(tree);
  const overrides = applyEnvOverrides(tree, options.env);
  for (const [name, instead] of Object.entries(ORIGINAL_ENV)) {
    if (options.env[name] !== undefined)
      warnings.push(`${name} is not read by this gateway: ${instead}`);
  }
  const a2a = applyBackendAliases(tree);

  const merged = { ...loadEnvFiles(tree, options, warnings), ...options.env };
  const env = options.trace ? tracedEnv(merged, options.trace) : merged;
  const { value, missing } = expandTree(
    tree,
    options.trace?.placeholder ? placeholderEnv(env, options.trace.placeholder) : env,
  );
  const brokenBackends = new Map<string, string>(a2a);
  for (const miss of missing) {
    const [section, name] = miss.path;
    const message = `${formatPath(miss.path)}: environment variable ${miss.name} is not set`;
    if (section === "backends" && typeof name === "string") {
      if (!brokenBackends.has(name)) brokenBackends.set(name, message);
      continue;
    }
    throw new GatewayError(
      "CONFIG_INVALID",
      `${where}: ${message} (set it, or write \${${miss.name}:-default})`,
    );
  }

  // A backend whose variables are missing cannot start, but must not stop the others: it is
  // validated on its own and kept as a failed backend that /health and doctor show.
  const brokenRaw = new Map<string, unknown>();
  const backendsTree = (value as Record<string, unknown>).backends;
  const order = backendsTree && typeof backendsTree === "object" ? Object.keys(backendsTree) : [];
  if (backendsTree && typeof backendsTree === "object") {
    for (const name of brokenBackends.keys()) {
      brokenRaw.set(name, (backendsTree as Record<string, unknown>)[name]);
      delete (backendsTree as Record<string, unknown>)[name];
    }
  }
  const parsed = ConfigSchema.safeParse(value);
  if (!parsed.success)
    throw new GatewayError(
      "CONFIG_INVALID",
      `${where}: ${describeIssues(parsed.error, overrides)}`,
    );
  const config = parsed.data;
  const operatorProblem = checkOperatorSettings(config);
  if (operatorProblem) throw new GatewayError("CONFIG_INVALID", `${where}: ${operatorProblem}`);
  for (const [name, rawBackend] of brokenRaw) {
    const one = BackendSchema.safeParse(rawBackend);
    config.backends[name] = one.success ? one.data : BackendSchema.parse({ command: "false" });
  }
  // Back in the file's order: `list`, gateway_list_servers and /health follow it.
  if (brokenRaw.size)
    config.backends = Object.fromEntries(order.map((name) => [name, config.backends[name]!]));
  if (
    config.auth.enabled &&
    !config.auth.api_keys.length &&
    !config.auth.bearer_token &&
    !config.auth.oauth
  ) {
    const fix = "add a key with `mcp-gateway keys create NAME`";
    if (!externalIdentity && !autoBearer) {
      throw new GatewayError(
        "CONFIG_INVALID",
        `${where}: auth.enabled: auth is on but no api_keys, bearer_token or oauth is configured, so nobody could connect; ${fix}`,
      );
    }
    warnings.push(
      `auth.enabled: auth is on and its only credentials come from ${externalIdentity ?? "bearer_token: auto"}, which this gateway does not implement: every request is refused until you ${fix}`,
    );
  }
  // Keys become sha256 digests here: nothing past loading holds a usable key.
  const keys = resolveAuthKeys(config.auth, tree.auth, env, where, options.keysUnused);
  config.auth = keys.auth;
  warnings.push(...keys.warnings);
  const unlisted = options.file
    ? unlistedCapabilities(tree, [options.baseDir, options.cwd ?? process.cwd()])
    : undefined;
  if (unlisted) {
    const listed = unlisted === join(options.baseDir, "capabilities") ? "./capabilities" : unlisted;
    warnings.push(
      `capabilities.directories is not set, so ${unlisted} is not loaded (the original gateway loads ./capabilities by default): add capabilities: { directories: [${listed}] } to serve its files`,
    );
  }
  applyCapabilitiesAlias(config);

  /**
   * A relative path the original gateway also reads: beside the config, as every relative path
   * here, or in the current folder (where the original read it) when only that one exists.
   */
  const originalPath = (path: string, key: string): string => {
    const beside = resolve(options.baseDir, path);
    const here = resolve(options.cwd ?? process.cwd(), path);
    if (beside !== here) options.trace?.originalPaths?.push([beside, here]);
    if (beside === here || existsSync(beside) || !existsSync(here)) return beside;
    warnings.push(
      `${key}: ${path} is not beside the config (${beside}); read from the current folder (${here}) as the original gateway did: write that absolute path to keep it so`,
    );
    return here;
  };
  const capabilityDirs = config.capabilities.directories.map((dir) =>
    originalPath(dir, "capabilities.directories"),
  );
  const playbookDirs = config.playbooks.directories.map((dir) =>
    originalPath(dir, "playbooks.directories"),
  );
  const backends: ResolvedBackend[] = [];
  const byFoldedName = new Map<string, string>();
  for (const [name, backend] of Object.entries(config.backends)) {
    const problem = backendNameProblem(name);
    if (problem) throw new GatewayError("CONFIG_INVALID", `${where}: backends.${name}: ${problem}`);
    // Names are case-sensitive, but state files are named after them (one file on macOS).
    const twin = byFoldedName.get(name.toLowerCase());
    if (twin) {
      throw new GatewayError(
        "CONFIG_INVALID",
        `${where}: backends.${twin} and backends.${name} differ only in case: rename one of them`,
      );
    }
    byFoldedName.set(name.toLowerCase(), name);
    // In any case: a name in another case reaches the same backend (BackendPool.canonical).
    const folded = name.toLowerCase();
    if (folded === config.capabilities.name.toLowerCase() || folded === "gateway") {
      throw new GatewayError(
        "CONFIG_INVALID",
        `${where}: backends.${name}: the name is reserved for the gateway's capabilities backend`,
      );
    }
    if (folded === "skills" && config.skills.enabled) {
      throw new GatewayError(
        "CONFIG_INVALID",
        `${where}: backends.skills: the name is reserved for the gateway's skills (scopes name them skills:NAME); rename the backend, or set skills.enabled: false`,
      );
    }
    backends.push({
      ...backend,
      name,
      transport: backend.transport ?? (backend.command ? "stdio" : "auto"),
      cwd: backend.cwd ? originalPath(backend.cwd, `backends.${name}.cwd`) : undefined,
      configError: brokenBackends.get(name),
      stateDir: config.state_dir ? resolve(options.baseDir, config.state_dir) : undefined,
    });
  }
  spellServerKeys(config.cost_governance, [
    ...backends.map((backend) => backend.name),
    config.capabilities.name,
    "gateway",
  ]);
  if (!options.trace?.placeholder)
    for (const warning of warnings) logger.warn(`${where}: ${warning}`);
  return {
    ...config,
    backends,
    capabilities: {
      ...config.capabilities,
      directories: capabilityDirs,
    },
    playbooks: {
      ...config.playbooks,
      directories: playbookDirs,
    },
    skills: {
      ...config.skills,
      dir: config.skills.dir ? resolve(options.baseDir, config.skills.dir) : undefined,
    },
    state_dir: config.state_dir ? resolve(options.baseDir, config.state_dir) : undefined,
    server: config.server.tls
      ? { ...config.server, tls: resolveTlsPaths(config.server.tls, options.baseDir) }
      : config.server,
    audit: {
      ...config.audit,
      file: config.audit.file ? resolve(options.baseDir, config.audit.file) : undefined,
    },
    file: options.file,
    warnings,
  };
}

function resolveTlsPaths<T extends { cert: string; key: string; client_ca?: string }>(
  tls: T,
  baseDir: string,
): T {
  const at = (path: string) => resolve(baseDir, path);
  return {
    ...tls,
    cert: at(tls.cert),
    key: at(tls.key),
    client_ca: tls.client_ca && at(tls.client_ca),
  };
}

/**
 * One line per schema issue, each naming its path: `backends.github.args[1]: expected string`.
 * A value an `MCP_GATEWAY_*` variable set names that variable: it is not in the file.
 */
function describeIssues(error: z.ZodError, overrides: Map<string, string>): string {
  // The variable that set this path, a key above it (`server` from MCP_GATEWAY_SERVER=...) or
  // below it (`sever.port` unknown from MCP_GATEWAY_SEVER__PORT).
  const from = (path: PropertyKey[]) => {
    if (!path.length) return "";
    for (const [at, name] of overrides) {
      const parts = at.split(".");
      const shorter = Math.min(parts.length, path.length);
      if (parts.slice(0, shorter).every((part, i) => String(path[i]) === part))
        return ` (set by ${name})`;
    }
    return "";
  };
  return error.issues
    .map((issue) => {
      const path = formatPath(issue.path);
      if (issue.code === "unrecognized_keys") {
        const keys = issue.keys.map(
          (key) => `${path === "(root)" ? key : `${path}.${key}`}${from([...issue.path, key])}`,
        );
        return `unknown key${keys.length > 1 ? "s" : ""} ${keys.join(", ")}`;
      }
      return `${path}: ${issue.message}${from(issue.path)}`;
    })
    .join("; ");
}

/**
 * The original's settings whose value asks for nothing (its `gateway.example.yaml` writes every
 * default out): `null`, an empty list or map, a section with `enabled: false`, or one of these
 * defaults, each of which this gateway already does or never needs.
 */
const NOTHING_ASKED: Record<string, unknown> = {
  "backends.*.passthrough": false,
  "auth.single_user": false,
  "auth.public_paths": ["/health"],
  "meta_mcp.cache_tools": true,
  "security.ssrf_protection": true,
  "security.firewall.anomaly_detection": false,
};

function asksNothing(pattern: string, value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (Array.isArray(value)) {
    if (value.length === 0) return true;
  } else if (typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 0) return true;
    if ((value as { enabled?: unknown }).enabled === false) return true;
  }
  return (
    pattern in NOTHING_ASKED && JSON.stringify(NOTHING_ASKED[pattern]) === JSON.stringify(value)
  );
}

/** Removes the original gateway's recognised-but-unimplemented keys and returns one warning each. */
function stripRecognisedKeys(tree: Record<string, unknown>): string[] {
  const warnings: string[] = [];
  for (const pattern of RECOGNISED_KEYS) {
    const parts = pattern.split(".");
    const visit = (node: unknown, index: number, path: string[]): void => {
      if (!node || typeof node !== "object" || Array.isArray(node)) return;
      const record = node as Record<string, unknown>;
      const part = parts[index]!;
      const keys = part === "*" ? Object.keys(record) : [part];
      for (const key of keys) {
        if (!(key in record)) continue;
        if (index === parts.length - 1) {
          const value = record[key];
          delete record[key];
          // A setting that asks for nothing loses nothing here: its warning would be noise.
          if (asksNothing(pattern, value)) continue;
          warnings.push(
            `${[...path, key].join(".")} is not supported by this gateway yet; ignored`,
          );
        } else {
          visit(record[key], index + 1, [...path, key]);
        }
      }
    };
    visit(tree, 0, []);
  }
  return warnings;
}

/** The original's environment variables that this gateway does not read, and what to use. */
const ORIGINAL_ENV: Record<string, string> = {
  MCP_GATEWAY_FIREWALL_SKIP_KEYS:
    "its firewall scans only arguments that take commands, queries or paths, never free text (security.firewall.rules choose the scans per tool)",
  MCP_GATEWAY_SKILLS_REGISTRY:
    "skills are folders in skills.dir (default <state_dir>/skills); import yours with mcp-gateway skills import DIR",
};

/** The original firewall's scans that this gateway does not have (its ScanType). */
const ORIGINAL_SCANS = ["pii", "sequence_anomaly", "memory_poisoning"];

/**
 * Removes the original's scan names this gateway does not have from `security.firewall.rules`,
 * one warning each; a rule left with nothing to scan is removed (kept, it would stop the rules
 * after it from applying to its tools).
 */
function stripOriginalScans(tree: Record<string, unknown>): string[] {
  const firewall = (tree.security as { firewall?: { rules?: unknown } } | undefined)?.firewall;
  if (!firewall || !Array.isArray(firewall.rules)) return [];
  const warnings: string[] = [];
  firewall.rules = firewall.rules.filter((rule: unknown, index: number) => {
    const scan = (rule as { scan?: unknown } | null)?.scan;
    if (!Array.isArray(scan)) return true;
    const kept = scan.filter((name) => !ORIGINAL_SCANS.includes(name as string));
    for (const name of scan.filter((name) => !kept.includes(name))) {
      warnings.push(
        `security.firewall.rules[${index}].scan: ${name} is not supported by this gateway yet; ignored`,
      );
    }
    if (kept.length === scan.length) return true;
    if (!kept.length) {
      warnings.push(
        `security.firewall.rules[${index}] scans nothing this gateway has, so it is removed`,
      );
      return false;
    }
    (rule as { scan: unknown[] }).scan = kept;
    return true;
  });
  return warnings;
}

/** Deletes every null-valued key of every mapping in the tree. */
function dropNulls(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) dropNulls(item);
  } else if (node && typeof node === "object") {
    const record = node as Record<string, unknown>;
    for (const [key, value] of Object.entries(record)) {
      if (value === null) delete record[key];
      else dropNulls(value);
    }
  }
}

/** The original's spelling `failsafe.rate_limit.burst_size` is our `burst`. */
function applyFailsafeAliases(tree: Record<string, unknown>): void {
  const failsafe = tree.failsafe as Record<string, Record<string, unknown>> | undefined;
  const limit = failsafe?.rate_limit;
  if (!limit || typeof limit !== "object" || !("burst_size" in limit)) return;
  if (!("burst" in limit)) limit.burst = limit.burst_size;
  delete limit.burst_size;
}

/**
 * The original gateway's backend keys: `http_url`, `streamable_http`, one shell-style `command`.
 * Returns its A2A agents (`a2a_url`), which are kept as failed backends, with why.
 */
function applyBackendAliases(tree: Record<string, unknown>): Map<string, string> {
  const a2a = new Map<string, string>();
  const backends = tree.backends;
  if (!backends || typeof backends !== "object") return a2a;
  for (const [name, backend] of Object.entries(backends as Record<string, unknown>)) {
    if (!backend || typeof backend !== "object" || Array.isArray(backend)) continue;
    const b = backend as Record<string, unknown>;
    if ("a2a_url" in b) {
      a2a.set(
        name,
        `backends.${name}.a2a_url: A2A agents are not supported (the original cannot start them either); use an MCP server`,
      );
      delete b.a2a_url;
      delete b.a2a_agent_card_path;
    }
    // The original also takes its transport keys nested: `transport: { http_url: ... }`.
    if (b.transport && typeof b.transport === "object" && !Array.isArray(b.transport)) {
      const nested = b.transport as Record<string, unknown>;
      delete b.transport;
      for (const [key, value] of Object.entries(nested)) if (!(key in b)) b[key] = value;
    }
    if ("http_url" in b && !("url" in b)) {
      b.url = b.http_url;
      delete b.http_url;
    }
    if ("streamable_http" in b) {
      if (!("transport" in b))
        b.transport = b.streamable_http === true ? "streamable-http" : "auto";
      delete b.streamable_http;
    }
    if ("stop_when_idle_for" in b) {
      if (!("idle_stop" in b)) b.idle_stop = b.stop_when_idle_for;
      delete b.stop_when_idle_for;
    }
    if (b.transport === "http" || b.transport === "streamable_http")
      b.transport = "streamable-http";
    if (typeof b.command === "string" && !("args" in b) && /\s/.test(b.command.trim())) {
      const [command, ...args] = splitCommandLine(b.command);
      b.command = command;
      b.args = args;
    }
  }
  return a2a;
}

/** `env` that notes in `trace` each variable read. */
function tracedEnv(env: Env, trace: ConfigTrace): Env {
  return new Proxy(env, {
    get(target, key) {
      if (typeof key !== "string") return undefined;
      trace.names.add(key);
      return target[key];
    },
  });
}

/** `env` where each variable with a value reads as `placeholder(name)`; empty and unset stay so. */
function placeholderEnv(env: Env, placeholder: (name: string) => string): Env {
  return new Proxy(env, {
    get(target, key) {
      if (typeof key !== "string") return undefined;
      const value = lookupVariable(key, target);
      return value ? placeholder(key) : value;
    },
  });
}

/**
 * `MCP_GATEWAY_SERVER__PORT=8080` sets `server.port`; values parse as JSON when they can.
 * Returns each path set (`server.port`) with the variable that set it.
 */
function applyEnvOverrides(tree: Record<string, unknown>, env: Env): Map<string, string> {
  const set = new Map<string, string>();
  for (const [key, raw] of Object.entries(env)) {
    if (!key.startsWith("MCP_GATEWAY_") || raw === undefined) continue;
    const rest = key.slice("MCP_GATEWAY_".length);
    let path: string[];
    if (rest === "HOST" || rest === "PORT") path = ["server", rest.toLowerCase()];
    else if (rest === "LOG_LEVEL") path = ["log_level"];
    else if (rest.includes("__")) path = rest.toLowerCase().split("__");
    else continue;
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {}
    let node = tree;
    // Variable names are upper case: a segment names the key the file spells with capitals
    // (`MCP_GATEWAY_BACKENDS__GITHUB__TIMEOUT` sets backends.GitHub.timeout).
    const spelled = (part: string) =>
      part in node ? part : (Object.keys(node).find((name) => name.toLowerCase() === part) ?? part);
    path = path.map((part, i) => {
      const name = spelled(part);
      if (i < path.length - 1) {
        if (!node[name] || typeof node[name] !== "object") node[name] = {};
        node = node[name] as Record<string, unknown>;
      }
      return name;
    });
    node[path.at(-1)!] = value;
    set.set(path.join("."), key);
  }
  return set;
}

/**
 * Loads `env_files` (dotenv) relative to the config, in order (a later file wins; the process
 * environment wins over them all). A missing file is skipped with a warning, as the original
 * gateway does: a variable it would have set then fails only what reads it.
 */
function loadEnvFiles(
  tree: Record<string, unknown>,
  options: ResolveOptions,
  warnings: string[],
): Env {
  const out: Env = {};
  // With cwd the config's folder: each file as it would be beside the config.
  const beside = envFilePaths(tree, options.baseDir, options.env, options.baseDir);
  const cwd = options.cwd ?? process.cwd();
  const here = envFilePaths(tree, cwd, options.env, cwd);
  for (const [i, path] of beside.entries()) {
    if (path !== here[i]) options.trace?.originalPaths?.push([path, here[i]!]);
  }
  for (const [i, path] of envFilePaths(tree, options.baseDir, options.env, options.cwd).entries()) {
    options.trace?.envFiles.push(path);
    if (path !== beside[i]) {
      warnings.push(
        `env_files: ${beside[i]} does not exist; read ${path} from the current folder as the original gateway did: write that absolute path to keep it so`,
      );
    }
    if (!existsSync(path)) {
      warnings.push(`env_files: ${path} does not exist; skipped`);
      continue;
    }
    Object.assign(out, parseDotenv(readFileSync(path, "utf8")));
  }
  return out;
}

/**
 * The `env_files` of a config's tree as absolute paths (`~` expanded, relative to the config; a
 * relative one missing there but present in the current folder `cwd` is read from there, as the
 * original gateway read it).
 */
export function envFilePaths(
  tree: Record<string, unknown>,
  baseDir: string,
  env: Env,
  cwd = process.cwd(),
): string[] {
  const files = tree.env_files;
  if (!Array.isArray(files)) return [];
  return files
    .filter((entry): entry is string => typeof entry === "string")
    .map((entry) => {
      const expanded = expandHome(entry, env);
      if (isAbsolute(expanded)) return expanded;
      const beside = resolve(baseDir, expanded);
      const here = resolve(cwd, expanded);
      return existsSync(beside) || !existsSync(here) ? beside : here;
    });
}

/**
 * `server:tool` keys of costs and per-tool budgets, with the server written as the backend is
 * named (`github:echo` for the backend `GitHub`): a call reaches a backend in any case, so a
 * budget keyed in another case must not be one that never applies.
 */
function spellServerKeys(
  governance: {
    tool_costs: Record<string, unknown>;
    budgets: { per_tool: Record<string, unknown> };
  },
  names: string[],
): void {
  const spelled = new Map(names.map((name) => [name.toLowerCase(), name]));
  const respell = <T>(record: Record<string, T>): Record<string, T> =>
    Object.fromEntries(
      Object.entries(record).map(([key, value]) => {
        const colon = key.indexOf(":");
        const server = colon > 0 ? spelled.get(key.slice(0, colon).toLowerCase()) : undefined;
        return [server ? `${server}${key.slice(colon)}` : key, value];
      }),
    );
  governance.tool_costs = respell(governance.tool_costs);
  governance.budgets.per_tool = respell(governance.budgets.per_tool);
}

/** Splits a shell-style command line: whitespace separates, quotes group, backslash escapes. */
export function splitCommandLine(line: string): string[] {
  const out: string[] = [];
  let current = "";
  let quote: '"' | "'" | undefined;
  let started = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (quote) {
      if (char === quote) quote = undefined;
      else if (char === "\\" && quote === '"' && i + 1 < line.length) current += line[++i];
      else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      started = true;
    } else if (char === "\\" && i + 1 < line.length) {
      current += line[++i];
      started = true;
    } else if (/\s/.test(char)) {
      if (started) out.push(current);
      current = "";
      started = false;
    } else {
      current += char;
      started = true;
    }
  }
  if (started) out.push(current);
  return out;
}

/**
 * A `capabilities` folder holding capability files beside the config (else in the current
 * folder, where the original looks), when
 * `capabilities.directories` is not written: the original gateway loads it by default, this
 * one does not, and a switcher's capabilities would be missing without a word.
 */
function unlistedCapabilities(
  tree: Record<string, unknown>,
  folders: string[],
): string | undefined {
  const section = tree.capabilities as Record<string, unknown> | undefined;
  if (section?.enabled === false || section?.directories !== undefined) return undefined;
  const holdsFiles = (dir: string, depth: number): boolean => {
    try {
      return readdirSync(dir, { withFileTypes: true }).some((entry) =>
        entry.isDirectory()
          ? depth > 0 && holdsFiles(join(dir, entry.name), depth - 1)
          : /\.ya?ml$/i.test(entry.name),
      );
    } catch {
      return false;
    }
  };
  return folders
    .map((folder) => join(folder, "capabilities"))
    .find((dir) => existsSync(dir) && holdsFiles(dir, 1));
}
