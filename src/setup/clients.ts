import { existsSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import { posix, win32 } from "node:path";
import type { Env } from "../config/env.ts";

import type { CLIENT_IDS } from "./client-ids.ts";

export type ClientId = (typeof CLIENT_IDS)[number];

/** How a client's own file spells variables, so imports can translate them. */
export type Dialect = "literal" | "claude-code" | "vscode";

/** How a rewritten client reaches the gateway. */
export type ClientTransport = "http" | "stdio";

/** One file where a client keeps MCP servers. */
export interface ClientFile {
  client: ClientId;
  path: string;
  /** `user` for the client's own settings; `project` for a repository's file. */
  scope: "user" | "project";
  /** Where the servers object sits when not at the client's `serversKey`: `["mcp", "servers"]`. */
  serversPath?: string[];
  /** The file's format when it is not the client's usual one (a JSON file in Continue's folder). */
  format?: "json" | "yaml";
  /**
   * Continue's deprecated `config.json`, whose servers are an unnamed list under
   * `experimental.modelContextProtocolServers`: read (names derived), never rewritten.
   */
  legacy?: "continue-json";
  /**
   * One of several files the client merges (Continue's `.continue/mcpServers/*`): its servers
   * are imported and replaced, but `setup export` does not add the gateway to each of them.
   */
  block?: boolean;
}

/** A file whose servers are imported but never rewritten (running processes, a deprecated file). */
export function isReadOnly(file: ClientFile): boolean {
  return !!CLIENTS[file.client].readOnly || file.legacy !== undefined;
}

/** The format a file is read and rewritten in. */
export function formatOf(file: ClientFile): ClientDefinition["format"] {
  return file.format ?? CLIENTS[file.client].format;
}

/** The key path of the object that maps server names to entries in `file`. */
export function serversPathOf(file: ClientFile): string[] {
  return file.serversPath ?? [CLIENTS[file.client].serversKey];
}

/** The user's home folder as the clients see it: `USERPROFILE` on Windows, else `HOME`. */
export function clientHome(env: Env, platform: NodeJS.Platform = process.platform): string {
  if (platform === "win32") return env.USERPROFILE || env.HOME || homedir();
  return env.HOME || homedir();
}

/** What a rewritten client is pointed at. */
export interface GatewayTarget {
  /** `http://127.0.0.1:39400/mcp` */
  url: string;
  /** The command that runs `mcp-gateway serve --stdio` with the same config. */
  command: string;
  args: string[];
  /** `auth.enabled` in the config: an HTTP client must then send a key. */
  auth?: boolean;
}

export interface ClientDefinition {
  id: ClientId;
  label: string;
  /** `yaml` is Continue's config.yaml, whose servers are a list of entries with a `name`. */
  format: "json" | "toml" | "yaml";
  /** The key whose object maps server names to entries (a list of named entries in YAML). */
  serversKey: string;
  dialect: Dialect;
  /** The transport used with `--configure-client` unless overridden. */
  transport: ClientTransport;
  /** Set for a source that has servers but no file to rewrite (running processes). */
  readOnly?: boolean;
  /** Set for clients whose config file cannot name an HTTP server. */
  stdioOnly?: boolean;
  /** The entry that points this client at the gateway. */
  gatewayEntry(target: GatewayTarget, via: ClientTransport): Record<string, unknown>;
}

/** The name the gateway takes in each rewritten client. */
export const GATEWAY_ENTRY = "mcp-gateway";

const stdio = (target: GatewayTarget) => ({ command: target.command, args: target.args });

export const CLIENTS: Record<ClientId, ClientDefinition> = {
  "claude-desktop": {
    id: "claude-desktop",
    label: "Claude Desktop",
    format: "json",
    serversKey: "mcpServers",
    dialect: "literal",
    transport: "stdio",
    stdioOnly: true,
    gatewayEntry: (target) => stdio(target),
  },
  "claude-code": {
    id: "claude-code",
    label: "Claude Code",
    format: "json",
    serversKey: "mcpServers",
    dialect: "claude-code",
    transport: "http",
    gatewayEntry: (target, via) =>
      via === "http"
        ? { type: "http", url: target.url }
        : { type: "stdio", ...stdio(target), env: {} },
  },
  cursor: {
    id: "cursor",
    label: "Cursor",
    format: "json",
    serversKey: "mcpServers",
    dialect: "vscode",
    transport: "http",
    gatewayEntry: (target, via) => (via === "http" ? { url: target.url } : stdio(target)),
  },
  vscode: {
    id: "vscode",
    label: "VS Code",
    format: "json",
    serversKey: "servers",
    dialect: "vscode",
    transport: "http",
    gatewayEntry: (target, via) =>
      via === "http" ? { type: "http", url: target.url } : { type: "stdio", ...stdio(target) },
  },
  windsurf: {
    id: "windsurf",
    label: "Windsurf",
    format: "json",
    serversKey: "mcpServers",
    dialect: "vscode",
    transport: "http",
    gatewayEntry: (target, via) => (via === "http" ? { serverUrl: target.url } : stdio(target)),
  },
  zed: {
    id: "zed",
    label: "Zed",
    format: "json",
    serversKey: "context_servers",
    dialect: "literal",
    transport: "stdio",
    gatewayEntry: (target, via) =>
      via === "http"
        ? { source: "custom", url: target.url }
        : { source: "custom", ...stdio(target), env: {} },
  },
  cline: {
    id: "cline",
    label: "Cline",
    format: "json",
    serversKey: "mcpServers",
    dialect: "literal",
    transport: "http",
    gatewayEntry: (target, via) =>
      via === "http"
        ? { type: "streamableHttp", url: target.url, disabled: false }
        : { ...stdio(target), disabled: false },
  },
  codex: {
    id: "codex",
    label: "Codex",
    format: "toml",
    serversKey: "mcp_servers",
    dialect: "literal",
    transport: "stdio",
    gatewayEntry: (target, via) => (via === "http" ? { url: target.url } : stdio(target)),
  },
  continue: {
    id: "continue",
    label: "Continue",
    format: "yaml",
    serversKey: "mcpServers",
    dialect: "literal",
    transport: "http",
    gatewayEntry: (target, via) =>
      via === "http" ? { type: "streamable-http", url: target.url } : stdio(target),
  },
  // MCP servers found running (src/setup/processes.ts): offered for import, never rewritten.
  process: {
    id: "process",
    label: "Running processes",
    format: "json",
    serversKey: "",
    dialect: "literal",
    transport: "stdio",
    readOnly: true,
    gatewayEntry: (target) => stdio(target),
  },
};

/**
 * Every file where the clients keep MCP servers, honouring CLAUDE_CONFIG_DIR and CODEX_HOME. On
 * Linux and macOS both systems' locations are listed (the one that exists is read), with HOME and
 * XDG_CONFIG_HOME; on Windows, the locations under APPDATA (else `%USERPROFILE%\AppData\Roaming`)
 * and USERPROFILE. `platform` is a parameter so tests can ask for another system's table.
 */
export function clientFiles(
  env: Env,
  projectDir?: string,
  platform: NodeJS.Platform = process.platform,
): ClientFile[] {
  const windows = platform === "win32";
  const { join } = windows ? win32 : posix;
  const home = clientHome(env, platform);
  const user = (client: ClientId, ...paths: string[]): ClientFile[] =>
    paths.map((path) => ({ client, path, scope: "user" }));
  const project = (client: ClientId, path: string): ClientFile[] =>
    projectDir ? [{ client, path: join(projectDir, path), scope: "project" }] : [];
  const cline = join(
    "globalStorage",
    "saoudrizwan.claude-dev",
    "settings",
    "cline_mcp_settings.json",
  );
  // VS Code kept servers under "mcp" in the user settings.json before mcp.json replaced it.
  const vscodeSettings = (dir: string): ClientFile => ({
    client: "vscode",
    path: join(dir, "Code", "User", "settings.json"),
    scope: "user",
    serversPath: ["mcp", "servers"],
  });
  // Per system: the folders that hold Claude Desktop, VS Code (and Cline) and Zed settings.
  let claudeDirs: string[];
  let codeDirs: string[];
  let zed: string[];
  if (windows) {
    const appData = env.APPDATA || join(home, "AppData", "Roaming");
    claudeDirs = [appData];
    codeDirs = [appData];
    zed = [join(appData, "Zed", "settings.json")];
  } else {
    const xdg = env.XDG_CONFIG_HOME || join(home, ".config");
    const mac = join(home, "Library", "Application Support");
    claudeDirs = [xdg, mac];
    codeDirs = [xdg, mac];
    zed = [join(xdg, "zed", "settings.json"), join(home, ".config", "zed", "settings.json")];
  }
  const files: ClientFile[] = [
    ...user(
      "claude-desktop",
      ...claudeDirs.map((dir) => join(dir, "Claude", "claude_desktop_config.json")),
    ),
    ...user("claude-code", join(env.CLAUDE_CONFIG_DIR || home, ".claude.json")),
    ...project("claude-code", ".mcp.json"),
    ...user("cursor", join(home, ".cursor", "mcp.json")),
    ...project("cursor", join(".cursor", "mcp.json")),
    ...user("vscode", ...codeDirs.map((dir) => join(dir, "Code", "User", "mcp.json"))),
    ...codeDirs.map(vscodeSettings),
    ...project("vscode", join(".vscode", "mcp.json")),
    ...user("windsurf", join(home, ".codeium", "windsurf", "mcp_config.json")),
    ...user("zed", ...zed),
    ...user("cline", ...codeDirs.map((dir) => join(dir, "Code", "User", cline))),
    ...user("codex", join(env.CODEX_HOME || join(home, ".codex"), "config.toml")),
    ...project("codex", join(".codex", "config.toml")),
    ...user("continue", join(home, ".continue", "config.yaml")),
    {
      client: "continue",
      path: join(home, ".continue", "config.json"),
      scope: "user",
      format: "json",
      legacy: "continue-json",
    },
    ...continueBlocks(projectDir, join),
  ];
  const seen = new Set<string>();
  return files.filter((file) => !seen.has(file.path) && seen.add(file.path));
}

/**
 * A workspace's `.continue/mcpServers/` folder: one file per block, YAML in Continue's own
 * format (a `mcpServers:` list) or JSON copied from another client (a `mcpServers` object).
 */
function continueBlocks(
  projectDir: string | undefined,
  join: (...parts: string[]) => string,
): ClientFile[] {
  if (!projectDir) return [];
  const dir = join(projectDir, ".continue", "mcpServers");
  if (!existsSync(dir)) return [];
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  return names.flatMap((name): ClientFile[] => {
    const path = join(dir, name);
    if (/\.ya?ml$/i.test(name))
      return [{ client: "continue", path, scope: "project", block: true }];
    if (/\.json$/i.test(name))
      return [{ client: "continue", path, scope: "project", format: "json", block: true }];
    return [];
  });
}
