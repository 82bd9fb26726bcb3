import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { extname, join, resolve } from "node:path";
import { parseJSON, parseJSONC, parseTOML, parseYAML } from "confbox";
import { GatewayError } from "../errors.ts";
import type { Env } from "./env.ts";

// Finding and parsing the config file, without the schema: the commands that read a cached
// config (src/config/cache.ts) must not load zod.

/** Where a config is looked for when none is given, in order. */
export function configCandidates(env: Env, cwd: string): string[] {
  const home = env.HOME || homedir();
  const xdg = env.XDG_CONFIG_HOME || join(home, ".config");
  const original = join(cwd, "config.yaml");
  return [
    env.MCP_GATEWAY_CONFIG ? resolve(cwd, expandHome(env.MCP_GATEWAY_CONFIG, env)) : "",
    join(cwd, "gateway.yaml"),
    // The original gateway's second place; only a gateway config (another program's stays its own).
    isOriginalConfig(original) ? original : "",
    join(xdg, "mcp-gateway", "gateway.yaml"),
    "/etc/mcp-gateway/gateway.yaml",
  ].filter(Boolean);
}

/**
 * Config files in the searched folders that the search does not read: `gateway.json`,
 * `gateway.toml` and the like (the search reads only `gateway.yaml`, so that another program's
 * `gateway.json` in a project is never taken for ours). Named when no config was found.
 */
export function unsearchedConfigs(env: Env, cwd: string): string[] {
  const home = env.HOME || homedir();
  const folders = [
    cwd,
    join(env.XDG_CONFIG_HOME || join(home, ".config"), "mcp-gateway"),
    "/etc/mcp-gateway",
  ];
  return folders.flatMap((folder) =>
    ["gateway.yml", "gateway.json", "gateway.jsonc", "gateway.toml"]
      .map((name) => join(folder, name))
      .filter((file) => existsSync(file)),
  );
}

/** Top-level sections of the original gateway that this one recognises but does not implement. */
export const ORIGINAL_ONLY_SECTIONS = [
  "streaming",
  "mtls",
  "key_server",
  "agent_auth",
  "runtime",
  "marketplace",
  "control_plane",
] as const;

/** The original gateway's top-level sections (its `Config`). */
const ORIGINAL_SECTIONS = new Set<string>([
  ...ORIGINAL_ONLY_SECTIONS,
  "env_files",
  "server",
  "auth",
  "meta_mcp",
  "failsafe",
  "backends",
  "capabilities",
  "cache",
  "playbooks",
  "security",
  "webhooks",
  "routing_profiles",
  "default_routing_profile",
  "code_mode",
  "cost_governance",
]);

/** A `config.yaml` written for the original gateway: `backends`, and only its sections. */
function isOriginalConfig(file: string): boolean {
  if (!existsSync(file)) return false;
  try {
    const tree = parseYAML(readFileSync(file, "utf8"));
    if (!tree || typeof tree !== "object" || Array.isArray(tree)) return false;
    const keys = Object.keys(tree);
    return keys.includes("backends") && keys.every((key) => ORIGINAL_SECTIONS.has(key));
  } catch {
    return false;
  }
}

/**
 * The config file to load: `path` (`--config`), else `$MCP_GATEWAY_CONFIG`, else the first that
 * exists of `configCandidates`; undefined when there is none (the built-in default applies).
 * A file named on purpose that is missing is an error, never a fall-through to another config.
 */
export function findConfigFile(
  path: string | undefined,
  env: Env,
  cwd: string,
): string | undefined {
  if (path) {
    const file = resolve(cwd, path);
    if (!existsSync(file))
      throw new GatewayError("CONFIG_NOT_FOUND", `config file not found: ${file}`);
    return file;
  }
  if (env.MCP_GATEWAY_CONFIG) {
    const file = resolve(cwd, expandHome(env.MCP_GATEWAY_CONFIG, env));
    if (!existsSync(file)) {
      throw new GatewayError(
        "CONFIG_NOT_FOUND",
        `config file not found: ${file} (named by $MCP_GATEWAY_CONFIG; create it with \`mcp-gateway init\`, or unset the variable)`,
      );
    }
    return file;
  }
  return configCandidates(env, cwd).find((candidate) => existsSync(candidate));
}

/** Parses a config file's text by its extension (YAML by default). */
export function parseConfigText(text: string, file: string): unknown {
  const ext = extname(file).toLowerCase();
  try {
    if (ext === ".json") return parseJSON(text);
    if (ext === ".jsonc" || ext === ".json5") return parseJSONC(text, { allowTrailingComma: true });
    if (ext === ".toml") return parseTOML(text);
    return text.trim() ? parseYAML(text) : {};
  } catch (error) {
    const first = error instanceof Error ? error.message.split("\n")[0]! : String(error);
    const line = /duplicated mapping key \((\d+):\d+\)/.exec(first)?.[1];
    const reason = (line && duplicateKey(text, Number(line))) || first;
    throw new GatewayError("CONFIG_INVALID", `${file}: cannot parse: ${reason}`, { cause: error });
  }
}

/**
 * A parser's "duplicated mapping key (6:3)" said so that it can be fixed: which key, the line of
 * each entry, and what to do. The usual way in: uncommenting an example of `init` under
 * `backends:` when `setup` or `add` already wrote an entry of that name.
 */
export function duplicateKey(text: string, line: number): string | undefined {
  const lines = text.split(/\r?\n/);
  const keyOf = (at: number) => /^(\s*)(["']?)([^"':#][^:#]*?)\2\s*:(\s|$)/.exec(lines[at] ?? "");
  const here = keyOf(line - 1);
  if (!here) return undefined;
  const [, indent = "", , key] = here;
  let earlier: number | undefined;
  for (let at = line - 2; at >= 0; at--) {
    const text = lines[at] ?? "";
    if (!text.trim() || /^\s*#/.test(text)) continue;
    const width = /^\s*/.exec(text)![0].length;
    // Past the start of the enclosing mapping: the first entry is not above this.
    if (width < indent.length) break;
    const other = keyOf(at);
    if (width === indent.length && other?.[3] === key) earlier = at + 1;
  }
  return `"${key}" is written twice in one mapping (line ${earlier ?? "?"} and line ${line}): names under one key must differ; rename one of them (e.g. ${key}-2) or delete one (an example uncommented after \`setup\` or \`add\` wrote an entry of that name, say)`;
}

/**
 * The file that `add`, `remove`, `init` and `setup` write: `--config`, `$MCP_GATEWAY_CONFIG`
 * (existing or not), the first existing file of the search order, else `~/.config/mcp-gateway/gateway.yaml`.
 */
export function resolveEditablePath(
  options: { explicit?: string; env?: Env; cwd?: string } = {},
): string {
  const { env = process.env, cwd = process.cwd() } = options;
  if (options.explicit) return resolve(cwd, options.explicit);
  // `$MCP_GATEWAY_CONFIG` names the file even before it exists: it is created there.
  if (env.MCP_GATEWAY_CONFIG) return resolve(cwd, expandHome(env.MCP_GATEWAY_CONFIG, env));
  const found = configCandidates(env, cwd).find((candidate) => existsSync(candidate));
  if (found) return found;
  const home = env.HOME || homedir();
  return join(env.XDG_CONFIG_HOME || join(home, ".config"), "mcp-gateway", "gateway.yaml");
}

/** `~` and `~/x` name the user's home folder (`$HOME`), as a shell would expand them. */
export function expandHome(path: string, env: Env): string {
  if (path !== "~" && !path.startsWith("~/")) return path;
  return join(env.HOME || homedir(), path.slice(2));
}
