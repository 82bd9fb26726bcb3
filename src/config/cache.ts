import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { logger } from "../logger.ts";
import { buildIdentity, ownedByUs, startCachesOn, writePrivately } from "../start-cache.ts";
import { defaultStateDir } from "../state/store.ts";
import { type Env, lookupVariable, readDotenvFiles } from "./env.ts";
import type { ConfigTrace, LoadConfigOptions, ResolvedConfig } from "./load.ts";
import { findConfigFile } from "./locate.ts";

/** How often the cache answered since the process started (the tests read it). */
export const configCacheCounts = { hits: 0, misses: 0, stored: 0 };

/**
 * The validated config, remembered in the state folder so that a command that only reads it
 * (`list`, `config export`, `serve` starting) need not load zod and build the config's schema
 * (about 35 ms of a 50 ms `list`). An entry is served only when everything its result was made
 * from is as it was: the file's path and text, the binary, `HOME`, every `MCP_GATEWAY_*`
 * variable, each variable the config read and each file it read (`env_files`, `VAR_FILE`).
 * Those are kept as one salted digest, so no value is stored. Any difference, a corrupt entry or
 * one another user could have written is a miss: the config is then validated as if there were no
 * cache (same errors), and stored only once it is valid.
 *
 * The stored config holds no secret: it is the result of validating the config with each
 * variable's value replaced by a placeholder, kept only if putting the values back gives exactly
 * the result validated with the real values (API keys are kept as their sha256 digests, as
 * `keys create` writes them). A config whose values change its shape is simply not cached.
 */
export async function loadConfigCached(options: LoadConfigOptions = {}): Promise<ResolvedConfig> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const file = findConfigFile(options.path, env, cwd);
  // Over stdio an unset key is a warning, not the refusal serving HTTP owes: not shared.
  if (!file || !startCachesOn(env) || options.keysUnused) {
    return (await import("./load.ts")).loadConfig(options);
  }
  const text = readFileSync(file, "utf8");
  sha256 = await hasher();
  const path = entryPath(file, env);
  const cached = readEntry(path, file, text, env, cwd);
  if (cached) {
    configCacheCounts.hits++;
    for (const warning of cached.warnings) logger.warn(`${file}: ${warning}`);
    return cached;
  }
  configCacheCounts.misses++;
  const { parseConfigText, resolveConfig } = await import("./load.ts");
  const raw = parseConfigText(text, file);
  const trace: ConfigTrace = { names: new Set(), envFiles: [], originalPaths: [] };
  const config = resolveConfig(raw, { env, baseDir: dirname(file), cwd, file, trace });
  try {
    const nonce = randomHex(6);
    const names = [...trace.names].sort();
    const placeholders: ConfigTrace = {
      names: new Set(),
      envFiles: [],
      placeholder: (name) => placeholder(nonce, names.indexOf(name)),
    };
    const stored = resolveConfig(raw, {
      env,
      baseDir: dirname(file),
      cwd,
      file,
      trace: placeholders,
    });
    // Digests of the keys, never the keys; and the warnings about the real values (no value in them).
    stored.auth = config.auth;
    stored.warnings = config.warnings;
    const inputs: Inputs = {
      names,
      envFiles: trace.envFiles,
      originalPaths: trace.originalPaths ?? [],
    };
    // The digest reads the env files before the replay does: a file edited since resolving
    // then either changed the digest and the replay (not stored) or neither (stored, current).
    const entry = newEntry(file, text, env, cwd, inputs, nonce, stored);
    const replayed = replay(stored, nonce, inputs, env);
    if (plainData(config) && JSON.stringify(replayed) === JSON.stringify(config)) {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      writePrivately(path, JSON.stringify(entry));
      configCacheCounts.stored++;
    }
  } catch {
    // The placeholder run failed or the folder is not writable: not cached, nothing else changes.
  }
  return config;
}

type Sha256 = (parts: (string | Uint8Array)[]) => string;
let sha256: Sha256;

/** Bun's own hasher where there is one: node:crypto costs a light command 6 MB at start. */
async function hasher(): Promise<Sha256> {
  if (typeof Bun !== "undefined") {
    return (parts) => {
      const hash = new Bun.CryptoHasher("sha256");
      for (const part of parts) hash.update(part);
      return hash.digest("hex");
    };
  }
  const { createHash } = await import("node:crypto");
  return (parts) => {
    const hash = createHash("sha256");
    for (const part of parts) hash.update(part);
    return hash.digest("hex");
  };
}

function randomHex(bytes: number): string {
  const buffer = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(buffer, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

const FORMAT = 1;

/** What an entry's result was made from besides the file, HOME and `MCP_GATEWAY_*`. */
interface Inputs {
  /** Variables read (sorted): their values enter the digest, a placeholder's index is its place here. */
  names: string[];
  /** The `env_files` in order: their contents enter the digest, and their values are put back. */
  envFiles: string[];
  /** Relative paths read beside the config or else in the current folder (ConfigTrace). */
  originalPaths: [string, string][];
}

interface Entry extends Inputs {
  format: number;
  salt: string;
  nonce: string;
  digest: string;
  /** The stored config as JSON, exactly as digested. */
  config: string;
}

/** One entry per config file, named by a digest of its path. */
function entryPath(file: string, env: Env): string {
  const name = sha256([file]).slice(0, 32);
  return join(defaultStateDir(env), "config-cache", `${name}.json`);
}

function placeholder(nonce: string, index: number): string {
  return `mcpgw${nonce}v${index}z`;
}

/** The entry's config with each variable put back, or undefined when anything does not hold. */
function readEntry(
  path: string,
  file: string,
  text: string,
  env: Env,
  cwd: string,
): ResolvedConfig | undefined {
  try {
    if (!ownedByUs(path)) return undefined;
    const entry = JSON.parse(readFileSync(path, "utf8")) as Partial<Entry>;
    if (!isEntry(entry)) return undefined;
    if (entry.digest !== digestOf(entry.salt, file, text, env, cwd, entry, entry.config))
      return undefined;
    const stored = JSON.parse(entry.config) as ResolvedConfig;
    if (!stored || typeof stored !== "object" || !Array.isArray(stored.backends)) return undefined;
    if (!Array.isArray(stored.warnings) || stored.file !== file) return undefined;
    return replay(stored, entry.nonce, entry, env);
  } catch {
    return undefined;
  }
}

function newEntry(
  file: string,
  text: string,
  env: Env,
  cwd: string,
  inputs: Inputs,
  nonce: string,
  stored: ResolvedConfig,
): Entry {
  const salt = randomHex(16);
  const config = JSON.stringify(stored);
  const digest = digestOf(salt, file, text, env, cwd, inputs, config);
  return { format: FORMAT, salt, nonce, ...inputs, config, digest };
}

/**
 * The digest of everything a result depends on. The salt keeps a weak secret among the values
 * from being guessed offline against a digest of it alone.
 */
function digestOf(
  salt: string,
  file: string,
  text: string,
  env: Env,
  cwd: string,
  inputs: Inputs,
  config: string,
): string {
  const merged = mergedEnv(inputs.envFiles, env);
  // The files `${VAR}` was read from (`VAR_FILE`, as lookupVariable reads them); a relative one
  // is read from the working folder.
  const secretFiles = inputs.names
    .filter((name) => merged[name] === undefined && merged[`${name}_FILE`] !== undefined)
    .map((name) => merged[`${name}_FILE`]!);
  const relative = secretFiles.some((path) => !isAbsolute(path));
  const parts = [
    FORMAT,
    buildIdentity(),
    file,
    text,
    env.HOME ?? null,
    homedir(),
    relative ? process.cwd() : null,
    Object.entries(env)
      .filter(([name]) => name.startsWith("MCP_GATEWAY_"))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    inputs.names.map((name) => [name, env[name] ?? null]),
    inputs.envFiles.map((path) => [path, contentDigest(path)]),
    secretFiles.map((path) => [path, contentDigest(path)]),
    // A capabilities folder in the current one: warned about when the config lists none
    // (load.ts, unlistedCapabilities), naming that folder.
    existsSync(join(cwd, "capabilities")) ? cwd : null,
    // Which of beside the config and the current folder holds each such path.
    inputs.originalPaths.length
      ? [cwd, inputs.originalPaths.map(([beside, here]) => [existsSync(beside), existsSync(here)])]
      : null,
    config,
  ];
  return sha256([salt, JSON.stringify(parts)]);
}

function contentDigest(path: string): string | null {
  if (!existsSync(path)) return null;
  return sha256([readFileSync(path)]);
}

/** The config with each placeholder replaced by its variable's value, as resolving would expand it. */
function replay(stored: ResolvedConfig, nonce: string, inputs: Inputs, env: Env): ResolvedConfig {
  const merged = mergedEnv(inputs.envFiles, env);
  const pattern = new RegExp(`mcpgw${nonce}v(\\d+)z`, "g");
  const walk = (node: unknown): unknown => {
    if (typeof node === "string") {
      return node.replace(pattern, (_, index: string) => {
        const name = inputs.names[Number(index)];
        const value = name === undefined ? undefined : lookupVariable(name, merged);
        if (value === undefined) throw new Error("a placeholder without its variable");
        return value;
      });
    }
    if (Array.isArray(node)) return node.map(walk);
    if (node && typeof node === "object") {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(node)) out[key] = walk(value);
      return out;
    }
    return node;
  };
  return walk(stored) as ResolvedConfig;
}

/** The environment as resolving saw it: the env files in order, the process's own over them. */
function mergedEnv(envFiles: string[], env: Env): Env {
  return { ...readDotenvFiles(envFiles), ...env };
}

/** Whether JSON keeps `value` as it is (no Infinity, Date, Map or function turned into another thing). */
function plainData(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(plainData);
  if (typeof value !== "object" || Object.getPrototypeOf(value) !== Object.prototype) return false;
  return Object.values(value).every(plainData);
}

function isEntry(entry: Partial<Entry>): entry is Entry {
  const strings = (list: unknown) =>
    Array.isArray(list) && list.every((item) => typeof item === "string");
  return (
    entry !== null &&
    typeof entry === "object" &&
    entry.format === FORMAT &&
    typeof entry.salt === "string" &&
    typeof entry.nonce === "string" &&
    /^[0-9a-f]{12}$/.test(entry.nonce) &&
    typeof entry.digest === "string" &&
    typeof entry.config === "string" &&
    strings(entry.names) &&
    strings(entry.envFiles) &&
    Array.isArray(entry.originalPaths) &&
    entry.originalPaths.every((pair) => Array.isArray(pair) && strings(pair) && pair.length === 2)
  );
}
