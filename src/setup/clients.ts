import { homedir } from "node:os";
import { join } from "node:path";
import type { Env } from "../config/env.ts";

export type ClientId =
  | "claude-desktop"
  | "claude-code"
  | "cursor"
  | "vscode"
  | "windsurf"
  | "zed"
  | "cline"
  | "codex";

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
}

/** What a rewritten client is pointed at. */
export interface GatewayTarget {
  /** `http://127.0.0.1:39400/mcp` */
  url: string;
  /** The command that runs `mcp-gateway serve --stdio` with the same config. */
  command: string;
  args: string[];
}

export interface ClientDefinition {
  id: ClientId;
  label: string;
  format: "json" | "toml";
  /** The key whose object maps server names to entries. */
  serversKey: string;
  dialect: Dialect;
  /** The transport used with `--configure-client` unless overridden. */
  transport: ClientTransport;
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
};

/**
 * Every file where the clients keep MCP servers, Linux and macOS locations both (the one that
 * exists is read), honouring HOME, XDG_CONFIG_HOME, CLAUDE_CONFIG_DIR and CODEX_HOME.
 */
export function clientFiles(env: Env, projectDir?: string): ClientFile[] {
  const home = env.HOME || homedir();
  const xdg = env.XDG_CONFIG_HOME || join(home, ".config");
  const mac = join(home, "Library", "Application Support");
  const cline = join(
    "globalStorage",
    "saoudrizwan.claude-dev",
    "settings",
    "cline_mcp_settings.json",
  );
  const user = (client: ClientId, ...paths: string[]): ClientFile[] =>
    paths.map((path) => ({ client, path, scope: "user" }));
  const project = (client: ClientId, path: string): ClientFile[] =>
    projectDir ? [{ client, path: join(projectDir, path), scope: "project" }] : [];
  const files = [
    ...user(
      "claude-desktop",
      join(xdg, "Claude", "claude_desktop_config.json"),
      join(mac, "Claude", "claude_desktop_config.json"),
    ),
    ...user("claude-code", join(env.CLAUDE_CONFIG_DIR || home, ".claude.json")),
    ...project("claude-code", ".mcp.json"),
    ...user("cursor", join(home, ".cursor", "mcp.json")),
    ...project("cursor", join(".cursor", "mcp.json")),
    ...user("vscode", join(xdg, "Code", "User", "mcp.json"), join(mac, "Code", "User", "mcp.json")),
    ...project("vscode", join(".vscode", "mcp.json")),
    ...user("windsurf", join(home, ".codeium", "windsurf", "mcp_config.json")),
    ...user(
      "zed",
      join(xdg, "zed", "settings.json"),
      join(home, ".config", "zed", "settings.json"),
    ),
    ...user("cline", join(xdg, "Code", "User", cline), join(mac, "Code", "User", cline)),
    ...user("codex", join(env.CODEX_HOME || join(home, ".codex"), "config.toml")),
  ];
  const seen = new Set<string>();
  return files.filter((file) => !seen.has(file.path) && seen.add(file.path));
}
