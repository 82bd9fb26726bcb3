import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import type { Env } from "../config/env.ts";
import { CLIENTS, type ClientFile, clientHome } from "./clients.ts";
import type { FoundServer, ScannedFile } from "./discover.ts";
import { toEntry } from "./from-client.ts";

/** An npm MCP server package, `@modelcontextprotocol/server-memory`, in an argument. */
const NPM_SERVER = /(@modelcontextprotocol\/server-[\w.-]+)/;
/** A Python or binary server, `mcp-server-fetch`, bare or at the end of a path. */
const NAMED_SERVER = /(?:^|[/\\])(mcp-server-[\w.-]+?)(?:\.exe|\.py|\.js)?$/;

/** A server's command line rebuilt the way a client would start it, with a name for it. */
export interface ProcessServer {
  pid: number;
  name: string;
  command: string;
  args: string[];
  /** The folder it runs in, when an argument is a path relative to it (`.`, `./data`). */
  cwd?: string;
}

/** An argument that is a path relative to the process's folder. */
const RELATIVE_PATH = /^\.\.?(?:[/\\]|$)/;

/**
 * Recognises an MCP server in one process's argv: an `@modelcontextprotocol/server-*` package
 * (run as `npx -y PACKAGE ARGS`), `uvx mcp-server-*` (run as it was), or a `mcp-server-*` program.
 * The arguments after the server's own are kept; anything else is not a server.
 */
export function serverOfArgv(argv: string[]): Omit<ProcessServer, "pid"> | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const npm = NPM_SERVER.exec(arg);
    if (npm) {
      const pkg = npm[1]!.replace(/@[^/]*$/, "").replace(/\/(?:dist|build|src)$/, "");
      // A path into node_modules (node …/server-memory/dist/index.js) runs the same package.
      const name = pkg.replace(/^@modelcontextprotocol\/server-/, "");
      return { name, command: "npx", args: ["-y", pkg, ...argv.slice(i + 1)] };
    }
    const named = NAMED_SERVER.exec(arg);
    if (named && i > 0 && /^(?:uvx|uv|pipx)$/.test(basename(argv[0]!))) {
      return { name: named[1]!.replace(/^mcp-server-/, ""), command: "uvx", args: argv.slice(i) };
    }
    if (named && i === 0) {
      return { name: named[1]!.replace(/^mcp-server-/, ""), command: arg, args: argv.slice(1) };
    }
  }
  return undefined;
}

/**
 * MCP servers running now as this user, read from /proc (Linux; elsewhere nothing). Each command
 * line is listed once however many processes run it (npx starts a shell and a node for one server).
 * Their environment is not read: a server's keys are for the user to give the gateway.
 */
export function runningServers(procDir = "/proc"): ProcessServer[] {
  if (!existsSync(procDir)) return [];
  const uid = process.getuid?.();
  const seen = new Set<string>();
  const found: ProcessServer[] = [];
  for (const entry of readdirSync(procDir)) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const dir = join(procDir, entry);
      if (uid !== undefined && statSync(dir).uid !== uid) continue;
      const argv = readFileSync(join(dir, "cmdline"), "utf8").split("\0").filter(Boolean);
      const server = serverOfArgv(argv);
      if (!server) continue;
      const key = JSON.stringify([server.command, server.args]);
      if (seen.has(key)) continue;
      seen.add(key);
      const relative = server.args.some((arg) => RELATIVE_PATH.test(arg));
      const cwd = relative ? readlinkSync(join(dir, "cwd")) : undefined;
      found.push({ pid, ...server, ...(cwd && existsSync(cwd) ? { cwd } : {}) });
    } catch {
      // The process ended while being read, or is not readable: not a candidate.
    }
  }
  return found.sort((a, b) => a.pid - b.pid);
}

/** The running servers as scanned "files", so setup offers them like a client's servers. */
export function scanProcesses(env: Env, procDir?: string): ScannedFile[] {
  return runningServers(procDir).map((running) => {
    const file: ClientFile = {
      client: "process",
      path: `/proc/${running.pid}/cmdline`,
      scope: "user",
    };
    const server: FoundServer = {
      file,
      keyPath: [running.name],
      name: running.name,
      origin: `running process ${running.pid}`,
      needs: [],
      notes: [],
    };
    // Its relative paths (server-filesystem's `.`) mean the folder it runs in, as a project's do.
    const result = toEntry(
      { command: running.command, args: running.args },
      { client: CLIENTS.process, home: clientHome(env), server, projectDir: running.cwd },
    );
    if (typeof result === "string") server.skipped = result;
    else server.entry = result;
    return { file, exists: true, servers: [server] };
  });
}
