import { existsSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { parseTOML } from "confbox";
import { type ParseError, parse as parseJsonc, printParseErrorCode } from "jsonc-parser";
import { parse as parseYaml } from "yaml";
import type { BackendEntry } from "../config/edit.ts";
import type { Env } from "../config/env.ts";
import { errorMessage } from "../errors.ts";
import {
  CLIENTS,
  type ClientFile,
  clientFiles,
  clientHome,
  formatOf,
  GATEWAY_ENTRY,
  serversPathOf,
} from "./clients.ts";
import { type EntryContext, toEntry } from "./from-client.ts";

/** One MCP server found in a client's file. */
export interface FoundServer {
  file: ClientFile;
  /** Path of the entry inside the file, for rewriting: `["mcpServers", "github"]`. */
  keyPath: string[];
  /** The server's name in the client. */
  name: string;
  /** Where it was found, for people: `Claude Code (project /home/me/app)`. */
  origin: string;
  /** The backend it becomes; undefined when it cannot be imported (`skipped` says why). */
  entry?: BackendEntry;
  skipped?: string;
  /** Variables the entry now needs that no secret supplies (VS Code inputs, say). */
  needs: { variable: string; why: string }[];
  notes: string[];
  /** The client's envFile for this server, when it was imported (the config lists it). */
  envFile?: string;
}

/** One client file looked at. */
export interface ScannedFile {
  file: ClientFile;
  exists: boolean;
  servers: FoundServer[];
  /** Set when the file exists but cannot be read or parsed. */
  error?: string;
}

export interface ScanOptions {
  env: Env;
  /** The project whose `.mcp.json`, `.cursor/mcp.json` and `.vscode/mcp.json` are read. */
  projectDir?: string;
  /** The gateway's own URL, so an entry already pointing at it is not imported again. */
  gatewayUrl?: string;
  onProgress?: (file: ClientFile, index: number, total: number) => void;
  /** Whose locations to read; `process.platform` unless a test asks for another system's. */
  platform?: NodeJS.Platform;
}

/** Reads every known client file and lists the servers in each. Unreadable files are reported. */
export function scanClients(options: ScanOptions): ScannedFile[] {
  const files = clientFiles(options.env, options.projectDir, options.platform);
  return files.map((file, index) => {
    options.onProgress?.(file, index, files.length);
    if (!existsSync(file.path)) return { file, exists: false, servers: [] };
    try {
      const text = readFileSync(file.path, "utf8");
      return { file, exists: true, servers: readServers(file, parseClientText(text, file)) };
    } catch (error) {
      return { file, exists: true, servers: [], error: errorMessage(error) };
    }
  });

  function readServers(file: ClientFile, tree: Record<string, unknown>): FoundServer[] {
    const client = CLIENTS[file.client];
    const project = file.scope === "project" ? options.projectDir : undefined;
    const label = project ? `${client.label} (project ${project})` : client.label;
    const serversPath = serversPathOf(file);
    let servers: unknown = tree;
    for (const key of serversPath)
      servers = (servers as Record<string, unknown> | undefined)?.[key];
    const found = serversAt(servers, serversPath, file, label, project);
    if (file.client === "claude-code" && file.scope === "user") {
      const projects = tree.projects;
      if (projects && typeof projects === "object") {
        for (const [path, project] of Object.entries(projects)) {
          if (!project || typeof project !== "object") continue;
          found.push(
            ...serversAt(
              (project as Record<string, unknown>).mcpServers,
              ["projects", path, "mcpServers"],
              file,
              `${client.label} (project ${path})`,
              path,
            ),
          );
        }
      }
    }
    return found;
  }

  /** The servers object found at `path` in `file`, one FoundServer per entry. */
  function serversAt(
    servers: unknown,
    path: string[],
    file: ClientFile,
    origin: string,
    projectDir?: string,
  ): FoundServer[] {
    if (servers === undefined || servers === null) return [];
    if (typeof servers !== "object" || Array.isArray(servers)) {
      throw new Error(`${file.path}: ${path.join(".")} is not an object`);
    }
    const client = CLIENTS[file.client];
    return Object.entries(servers).map(([name, raw]) => {
      const server: FoundServer = {
        file,
        keyPath: [...path, name],
        name,
        origin,
        needs: [],
        notes: [],
      };
      const context: EntryContext = {
        client,
        home: clientHome(options.env, options.platform),
        projectDir,
        server,
      };
      const result = toEntry(raw, context);
      if (typeof result === "string") server.skipped = result;
      else if (isGateway(name, result, options.gatewayUrl)) server.skipped = IS_GATEWAY;
      else server.entry = result;
      return server;
    });
  }
}

const IS_GATEWAY = "it is this gateway";

/**
 * The entries of a scanned file's servers, besides the gateway's own, that point at this gateway:
 * the original's `gateway` (its `setup export` wrote `http://localhost:39400/mcp`, or
 * `mcp-gateway serve --stdio`). Left beside ours, the client would reach the gateway twice and
 * list every tool twice; writing the gateway's entry removes them.
 */
export function otherGatewayEntries(scanned: ScannedFile, entryName = GATEWAY_ENTRY): string[][] {
  const top = serversPathOf(scanned.file);
  return scanned.servers
    .filter(
      (server) =>
        server.skipped === IS_GATEWAY &&
        server.name !== entryName &&
        server.keyPath.length === top.length + 1 &&
        top.every((key, i) => server.keyPath[i] === key),
    )
    .map((server) => server.keyPath);
}

/** Parses a client file: JSON with comments and trailing commas, or TOML for Codex. */
export function parseClientText(text: string, file: ClientFile): Record<string, unknown> {
  if (!text.trim()) return {};
  const client = CLIENTS[file.client];
  const format = formatOf(file);
  if (format === "toml") return parseTOML(text) as Record<string, unknown>;
  if (format === "yaml") return namedListToMap(parseYaml(text), client.serversKey, file.path);
  const errors: ParseError[] = [];
  const tree = parseJsonc(text, errors, { allowTrailingComma: true });
  if (errors.length > 0) {
    const first = errors[0]!;
    const line = text.slice(0, first.offset).split("\n").length;
    throw new Error(
      `${file.path}: cannot parse: ${printParseErrorCode(first.error)} on line ${line}`,
    );
  }
  if (!tree || typeof tree !== "object" || Array.isArray(tree)) {
    throw new Error(`${file.path}: expected a JSON object`);
  }
  if (file.legacy === "continue-json") return continueLegacy(tree as Record<string, unknown>, file);
  return tree as Record<string, unknown>;
}

/**
 * Continue's deprecated config.json: `experimental.modelContextProtocolServers` is a list of
 * `{transport: {type, command, args, env} | {type, url}}` without names. Each becomes an entry
 * under `mcpServers`, named after its `name` if it has one, else the package or command it runs
 * (`@modelcontextprotocol/server-memory` -> `memory`), numbered when two would share a name.
 */
function continueLegacy(tree: Record<string, unknown>, file: ClientFile): Record<string, unknown> {
  const experimental = tree.experimental as Record<string, unknown> | undefined;
  const list = experimental?.modelContextProtocolServers;
  if (list === undefined || list === null) return {};
  if (!Array.isArray(list)) {
    throw new Error(`${file.path}: experimental.modelContextProtocolServers is not a list`);
  }
  const servers: Record<string, unknown> = {};
  for (const [index, item] of list.entries()) {
    const record = (item ?? {}) as Record<string, unknown>;
    const transport = (record.transport ?? record) as Record<string, unknown>;
    const { name: _name, ...entry } = transport;
    let name = typeof record.name === "string" && record.name ? record.name : legacyName(transport);
    name ||= `continue-${index + 1}`;
    for (let n = 2; servers[name] !== undefined; n++) name = `${name.replace(/-\d+$/, "")}-${n}`;
    servers[name] = entry;
  }
  return { mcpServers: servers };
}

/** A name for an unnamed server: the package it runs, else its command or host. */
function legacyName(transport: Record<string, unknown>): string {
  const args = Array.isArray(transport.args) ? transport.args.map(String) : [];
  const pkg = args.find((arg) => !arg.startsWith("-") && /[a-z]/i.test(arg));
  const source =
    pkg ??
    (typeof transport.command === "string" ? transport.command : undefined) ??
    (typeof transport.url === "string" ? safeHost(transport.url) : "");
  return basename(source)
    .replace(/@[^/]*$/, "")
    .replace(/^(mcp-server-|server-)/, "")
    .replace(/(-mcp-server|-mcp)$/, "")
    .replace(/[^a-z0-9_-]+/gi, "-")
    .toLowerCase();
}

function safeHost(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return "";
  }
}

/**
 * Continue's config.yaml lists servers as `- name: x` entries; they are read as a map by name (the
 * name taken out of each entry) so the rest of setup sees the shape every other client has.
 */
export function namedListToMap(tree: unknown, key: string, path: string): Record<string, unknown> {
  if (tree === null || tree === undefined) return {};
  if (typeof tree !== "object" || Array.isArray(tree)) {
    throw new Error(`${path}: expected a YAML mapping`);
  }
  const list = (tree as Record<string, unknown>)[key];
  if (list === undefined || list === null) return { ...tree };
  if (!Array.isArray(list)) throw new Error(`${path}: ${key} is not a list`);
  const servers: Record<string, unknown> = {};
  for (const [index, item] of list.entries()) {
    const name = (item as { name?: unknown } | null)?.name;
    if (typeof name !== "string" || !name) {
      throw new Error(`${path}: ${key}[${index}] has no name`);
    }
    const { name: _name, ...entry } = item as Record<string, unknown>;
    servers[name] = entry;
  }
  return { ...tree, [key]: servers };
}

function isGateway(name: string, entry: BackendEntry, url?: string): boolean {
  if (name === GATEWAY_ENTRY) return true;
  if (entry.url && url && sameGateway(entry.url, url)) return true;
  return !!entry.command && /^mcp-gateway(?:\.exe)?$/.test(basename(entry.command));
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "0.0.0.0"]);

/**
 * Whether a client's URL is this gateway's: the same port on a loopback name (the original's
 * examples write `http://localhost:39400/mcp`, ours `127.0.0.1`), at `/mcp` or one of its
 * `/mcp/{backend}` paths. Imported, it would be a backend that calls the gateway itself.
 */
function sameGateway(entryUrl: string, gatewayUrl: string): boolean {
  let entry: URL;
  let own: URL;
  try {
    entry = new URL(entryUrl);
    own = new URL(gatewayUrl);
  } catch {
    return false;
  }
  if (entry.protocol !== own.protocol || entry.port !== own.port) return false;
  const host = (url: URL) => (LOOPBACK.has(url.hostname) ? "loopback" : url.hostname);
  if (host(entry) !== host(own)) return false;
  const path = entry.pathname.replace(/\/$/, "");
  return path === own.pathname || path.startsWith(`${own.pathname}/`);
}
