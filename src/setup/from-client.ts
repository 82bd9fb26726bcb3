import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import type { BackendEntry } from "../config/edit.ts";
import { parseDotenv } from "../config/env.ts";
import type { ClientDefinition, Dialect } from "./clients.ts";
import type { FoundServer } from "./discover.ts";
import { toVariable } from "./secrets.ts";

/** What converting one entry needs to know. */
export interface EntryContext {
  client: ClientDefinition;
  home: string;
  projectDir?: string;
  server: FoundServer;
}

/** Keys clients use for their own behaviour; they have no meaning behind a gateway. */
const CLIENT_ONLY = new Set([
  "autoApprove",
  "alwaysAllow",
  "startup_timeout_sec",
  "startup_timeout_ms",
  "settings",
  "gallery",
  "version",
  "name",
  "trust",
]);

const KNOWN = new Set([
  "command",
  "args",
  "env",
  "cwd",
  "url",
  "serverUrl",
  "headers",
  "http_headers",
  "env_http_headers",
  "bearer_token_env_var",
  "env_vars",
  "type",
  "transport",
  "transportType",
  "disabled",
  "enabled",
  "timeout",
  "tool_timeout_sec",
  "description",
  "source",
  "envFile",
  "disabledTools",
  "disabled_tools",
  "enabledTools",
  "enabled_tools",
]);

const TRANSPORTS: Record<string, string | undefined> = {
  stdio: undefined,
  sse: "sse",
  http: "streamable-http",
  "streamable-http": "streamable-http",
  streamableHttp: "streamable-http",
  streamable_http: "streamable-http",
};

/** Turns one client entry into a backend entry, or says why it cannot. */
export function toEntry(raw: unknown, context: EntryContext): BackendEntry | string {
  const { client, server } = context;
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return "its entry is not an object";
  const source = raw as Record<string, unknown>;
  if (source.source === "extension") {
    return "it comes from a Zed extension; add its command with `mcp-gateway add` instead";
  }
  const entry: BackendEntry = {};
  const vars = (value: string, field: string) => translate(value, client.dialect, context, field);
  const strings = (value: unknown, field: string): Record<string, string> | undefined => {
    if (!value || typeof value !== "object" || Array.isArray(value)) return undefined;
    const out: Record<string, string> = {};
    for (const [key, item] of Object.entries(value))
      out[key] = vars(String(item), `${field}.${key}`);
    return out;
  };

  let command = source.command;
  let args = source.args;
  let env = source.env;
  if (command && typeof command === "object" && !Array.isArray(command)) {
    // Zed's older shape: `command: { path, args, env }`.
    const nested = command as Record<string, unknown>;
    command = nested.path;
    args = nested.args;
    env = nested.env;
  }
  if (typeof command === "string" && command.trim()) entry.command = vars(command, "command");
  if (Array.isArray(args)) entry.args = args.map((arg, i) => vars(String(arg), `args[${i}]`));
  const envMap = strings(env, "env");
  // Codex's env_vars pass variables of its own environment through.
  const passed = Array.isArray(source.env_vars) ? source.env_vars.map(String) : [];
  // Variables the client read from its own environment: the gateway's must have them now.
  const fromEnvironment = (variable: string, key: string) =>
    server.needs.push({
      variable,
      why: `${client.label} read it from its own environment (${key})`,
    });
  for (const name of passed) fromEnvironment(name, "env_vars");
  const merged = { ...Object.fromEntries(passed.map((name) => [name, `\${${name}}`])), ...envMap };
  if (Object.keys(merged).length > 0) entry.env = merged;
  if (typeof source.cwd === "string") entry.cwd = vars(source.cwd, "cwd");
  // A project's server ran in the project's folder: its relative paths (`./server.js`, `uv run`)
  // mean that folder, not the folder the gateway runs in.
  if (entry.command && context.projectDir) entry.cwd = inProject(context.projectDir, entry.cwd);

  const url = source.url ?? source.serverUrl;
  if (typeof url === "string" && url.trim()) entry.url = vars(url, "url");
  const headers = {
    ...strings(source.headers, "headers"),
    ...strings(source.http_headers, "headers"),
  };
  if (typeof source.bearer_token_env_var === "string") {
    headers.Authorization = `Bearer \${${source.bearer_token_env_var}}`;
    fromEnvironment(source.bearer_token_env_var, "bearer_token_env_var");
  }
  if (source.env_http_headers && typeof source.env_http_headers === "object") {
    for (const [header, variable] of Object.entries(source.env_http_headers)) {
      headers[header] = `\${${String(variable)}}`;
      fromEnvironment(String(variable), `env_http_headers.${header}`);
    }
  }
  if (Object.keys(headers).length > 0) entry.headers = headers;

  const type = source.type ?? source.transport ?? source.transportType;
  if (typeof type === "string" && entry.url) {
    const transport = TRANSPORTS[type];
    if (transport) entry.transport = transport;
  }
  if (source.disabled === true || source.enabled === false) entry.enabled = false;
  const seconds = source.tool_timeout_sec ?? (client.id === "cline" ? source.timeout : undefined);
  if (typeof seconds === "number" && seconds > 0) entry.timeout = `${Math.min(seconds, 600)}s`;
  if (typeof source.description === "string") entry.description = source.description;
  // Tools the user turned off in the client (Windsurf's disabledTools, Codex's disabled_tools)
  // stay off behind the gateway; an allow list cannot be written before the tools are known.
  const hidden = [...names(source.disabledTools), ...names(source.disabled_tools)];
  if (hidden.length) entry.tools = Object.fromEntries(hidden.map((tool) => [tool, { hide: true }]));
  const only = [...names(source.enabledTools), ...names(source.enabled_tools)];
  if (only.length) {
    server.notes.push(
      `${server.name}: its client served only ${only.join(", ")}; the gateway serves all its tools: hide the others with backends.<name>.tools.<tool>.hide`,
    );
  }
  if (typeof source.envFile === "string") {
    // The file stays where it is (its values are often keys): the config lists it in
    // env_files, and the entry passes each of its variables on, as the client did.
    const file = envFilePath(vars(source.envFile, "envFile"), context.projectDir);
    const keys = file === undefined ? undefined : dotenvKeys(file);
    if (file !== undefined && keys !== undefined) {
      server.envFile = file;
      const passed = Object.fromEntries(keys.map((key) => [key, `\${${key}}`]));
      entry.env = { ...passed, ...entry.env };
    } else {
      server.notes.push(
        `${server.name}: its envFile ${source.envFile} was not imported; set those variables for the gateway or list the file under env_files`,
      );
    }
  }
  const ignored = Object.keys(source).filter((key) => !KNOWN.has(key) && !CLIENT_ONLY.has(key));
  if (ignored.length > 0) {
    server.notes.push(
      `${server.name}: ignored unknown key${ignored.length > 1 ? "s" : ""} ${ignored.join(", ")}`,
    );
  }

  if (type === "websocket" || type === "ws") {
    return "it uses a websocket transport, which MCP does not define (the gateway speaks stdio, Streamable HTTP and SSE)";
  }
  if (!entry.command && !entry.url) return "it has neither a command nor a url";
  if (entry.command && entry.url) delete entry.url;
  return entry;
}

/** A client's envFile as a path that exists: absolute, or under the project. */
function envFilePath(value: string, project: string | undefined): string | undefined {
  if (value.includes("${")) return undefined;
  const path = isAbsolute(value) ? value : project ? resolve(project, value) : undefined;
  return path !== undefined && existsSync(path) ? path : undefined;
}

/** The variables a dotenv file sets (those a `${VAR}` can name); undefined when unreadable. */
function dotenvKeys(path: string): string[] | undefined {
  try {
    const keys = Object.keys(parseDotenv(readFileSync(path, "utf8")));
    return keys.filter((key) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(key));
  } catch {
    return undefined;
  }
}

/** The tool names of a client's list (anything else is not a list of names). */
function names(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item) => typeof item === "string") : [];
}

/** `cwd` as the client used it in `project`: the project itself, or a relative path under it. */
function inProject(project: string, cwd: string | undefined): string {
  if (cwd === undefined) return project;
  return isAbsolute(cwd) || /^(\$\{|~)/.test(cwd) ? cwd : resolve(project, cwd);
}

/**
 * Rewrites a client's variable syntax into the gateway's `${VAR}`: VS Code's `${env:X}` and
 * `${input:x}`, `${userHome}` and `${workspaceFolder}`. Clients that expand nothing get any
 * literal `${` escaped as `$${`, so the value reaches the server as it did before.
 */
function translate(value: string, dialect: Dialect, context: EntryContext, field: string): string {
  // A function replacement: in a replacement string "$$" would collapse to "$".
  if (dialect === "literal") return value.replaceAll("${", () => "$${");
  if (dialect === "claude-code") return value;
  return value.replace(/\$\{([^}]*)\}/g, (whole, inner: string) => {
    const [kind, rest] = inner.includes(":")
      ? [inner.slice(0, inner.indexOf(":")), inner.slice(inner.indexOf(":") + 1)]
      : [inner, ""];
    if (kind === "env") return `\${${rest}}`;
    if (kind === "input") {
      const variable = toVariable(rest);
      context.server.needs.push({
        variable,
        why: `${context.client.label} asked for input "${rest}" (${field})`,
      });
      return `\${${variable}}`;
    }
    if (inner === "userHome") return context.home;
    if (inner === "pathSeparator") return "/";
    if (inner === "workspaceFolder" || inner === "workspaceRoot") {
      if (context.projectDir) return context.projectDir;
      context.server.needs.push({
        variable: inner,
        why: `${context.client.label} filled in the open workspace (${field})`,
      });
      return whole;
    }
    return /^[A-Za-z_][A-Za-z0-9_]*$/.test(inner) ? whole : `$${whole}`;
  });
}
