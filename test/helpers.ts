import { afterAll } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import {
  type Server,
  WebStandardStreamableHTTPServerTransport,
} from "@modelcontextprotocol/server";
import { loadConfig } from "../src/config/load.ts";
import { type RunningGateway, runGateway } from "../src/gateway/run.ts";
import { setLogLevel } from "../src/logger.ts";

// Quiet by default; MCP_GATEWAY_TEST_LOG=debug shows the gateway's log while testing.
setLogLevel((process.env.MCP_GATEWAY_TEST_LOG as "debug" | undefined) ?? "error");

export const ROOT = resolve(import.meta.dir, "..");
export const BUN = process.execPath;
export const NODE = "node";
export const EVERYTHING = join(
  ROOT,
  "node_modules/@modelcontextprotocol/server-everything/dist/index.js",
);
export const MEMORY = join(ROOT, "node_modules/@modelcontextprotocol/server-memory/dist/index.js");
export const FILESYSTEM = join(
  ROOT,
  "node_modules/@modelcontextprotocol/server-filesystem/dist/index.js",
);
export const FIXTURES = join(ROOT, "test/fixtures");
/** Our own fixture MCP server (echo, slow, crash, hang, ...), run with Bun. */
export const FIXTURE_SERVER = join(FIXTURES, "servers/fixture.ts");

/**
 * What a test file must undo when its tests are done (gateways, sessions, processes), undone in
 * reverse order after all of them: push onto the list this returns.
 */
export function cleanupsAfterAll(): (() => unknown)[] {
  const cleanups: (() => unknown)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  return cleanups;
}

/** The real Deno executable from the npm `deno` package (not its wrapper script, which would not pass signals on), if installed. */
export function findDeno(): string | undefined {
  const scoped = join(ROOT, "node_modules/@deno");
  const platforms = existsSync(scoped) ? readdirSync(scoped) : [];
  const candidates = [
    ...platforms.map((dir) =>
      join(scoped, dir, process.platform === "win32" ? "deno.exe" : "deno"),
    ),
    join(ROOT, "node_modules/deno/deno"),
  ];
  return candidates.find((file) => existsSync(file));
}

/** A fresh temporary folder. */
export function tempDir(prefix = "mcpgw-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes a config file into a temp folder and returns its path. */
export function writeConfig(text: string, name = "gateway.yaml"): string {
  const file = join(tempDir(), name);
  writeFileSync(file, text);
  return file;
}

/** Starts an in-process gateway on a random loopback port from YAML text. */
export async function startGateway(
  yaml: string,
  env: Record<string, string | undefined> = process.env,
): Promise<RunningGateway & { url: string }> {
  const file = writeConfig(yaml);
  const config = loadConfig({ path: file, env });
  const running = await runGateway({ config, port: 0, memoryState: true, env });
  return running as RunningGateway & { url: string };
}

/**
 * An in-process gateway from a config file on a random loopback port, with its state in memory
 * and its files not watched (the test edits them itself).
 */
export async function startFromFile(file: string): Promise<RunningGateway & { url: string }> {
  const config = loadConfig({ path: file });
  const running = await runGateway({ config, port: 0, memoryState: true, watch: false });
  return running as RunningGateway & { url: string };
}

export interface ConnectedClient {
  client: Client;
  close(): Promise<void>;
}

/**
 * A Streamable HTTP MCP server of the test's own on a free loopback port (SDK server, stateful):
 * `serverFor` makes the server of each new session from its initialize request (a test reads its
 * headers); `onRequest` sees every request.
 */
export function serveMcpHttp(
  serverFor: (initialize: Request) => Server,
  onRequest?: (request: Request) => void,
): { url: string; stop: () => void } {
  const sessions = new Map<string, WebStandardStreamableHTTPServerTransport>();
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      onRequest?.(request);
      const id = request.headers.get("mcp-session-id");
      const existing = id ? sessions.get(id) : undefined;
      if (existing) return existing.handleRequest(request);
      const transport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => crypto.randomUUID(),
        onsessioninitialized: (sid) => void sessions.set(sid, transport),
      });
      await serverFor(request).connect(transport);
      return transport.handleRequest(request);
    },
  });
  return { url: `http://127.0.0.1:${server.port}/mcp`, stop: () => server.stop(true) };
}

/** Connects the SDK's real client to a gateway over Streamable HTTP. */
export async function connectHttp(
  url: string,
  capabilities: Record<string, unknown> = {},
): Promise<ConnectedClient> {
  const client = new Client({ name: "test-client", version: "1.0.0" }, { capabilities });
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`));
  await client.connect(transport);
  return {
    client,
    async close() {
      await client.close().catch(() => {});
    },
  };
}

/**
 * Connects the SDK's client pinned to 2026-07-28 (stateless: no MCP session) to `url` + `path`,
 * sending `key` as a bearer token when given.
 */
export async function connectStateless(
  url: string,
  options: { key?: string; path?: string; capabilities?: Record<string, unknown> } = {},
): Promise<Client> {
  const client = new Client(
    { name: "modern", version: "1" },
    {
      capabilities: options.capabilities ?? {},
      versionNegotiation: { mode: { pin: "2026-07-28" } },
    },
  );
  const headers: Record<string, string> = options.key
    ? { Authorization: `Bearer ${options.key}` }
    : {};
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${url}${options.path ?? "/mcp"}`), {
      requestInit: { headers },
    }),
  );
  return client;
}

/** Spawns `mcp-gateway serve --stdio` from source and connects the SDK client to it. */
export async function connectStdio(configFile: string): Promise<ConnectedClient> {
  const client = new Client({ name: "test-client", version: "1.0.0" }, { capabilities: {} });
  const transport = new StdioClientTransport({
    command: BUN,
    args: [
      join(ROOT, "src/main.ts"),
      "serve",
      "--stdio",
      "--config",
      configFile,
      "--log-level",
      "warn",
    ],
    env: { ...process.env, XDG_STATE_HOME: tempDir() } as Record<string, string>,
    stderr: "pipe",
  });
  await client.connect(transport);
  return {
    client,
    async close() {
      await client.close().catch(() => {});
    },
  };
}

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

/** Polls until `check` returns a truthy value or the time runs out. */
export async function waitFor<T>(check: () => T | Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await Bun.sleep(25);
  }
  throw new Error(`timed out waiting${last ? `: ${last}` : ""}`);
}

/** Starts server-everything over HTTP (`streamableHttp` or `sse`) on a free port. */
export async function startEverythingHttp(mode: "streamableHttp" | "sse"): Promise<{
  url: string;
  stop(): void;
}> {
  const port = await freePort();
  const child = Bun.spawn([NODE, EVERYTHING, mode], {
    env: { ...process.env, PORT: String(port) },
    stdout: "ignore",
    stderr: "ignore",
  });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(async () => {
    const response = await fetch(`${base}/`).catch(() => undefined);
    return response !== undefined;
  });
  return {
    url: mode === "sse" ? `${base}/sse` : `${base}/mcp`,
    stop: () => child.kill(),
  };
}

/** The text of a tool result's first content block. */
export function firstText(result: { content?: unknown }): string {
  const content = result.content as { type: string; text?: string }[] | undefined;
  return content?.find((block) => block.type === "text")?.text ?? "";
}

/** A gateway with server-everything as backend `everything`, its tools listed. */
export async function startEverythingGateway(): Promise<RunningGateway & { url: string }> {
  const gateway = await startGateway(
    `backends:\n  everything:\n    command: node\n    args: ["${EVERYTHING}", "stdio"]\n`,
  );
  await waitFor(() => gateway.gateway.index.tools("everything").length > 0);
  return gateway;
}

/**
 * A gateway with our fixture server as backend `fixture` (listed and ready) and the given YAML
 * above the backends; capabilities off unless the YAML says otherwise.
 */
export async function startFixtureGateway(yaml = ""): Promise<RunningGateway & { url: string }> {
  const capabilities = /^capabilities:/m.test(yaml) ? "" : "capabilities: { enabled: false }\n";
  const gateway = await startGateway(
    `${capabilities}${yaml}\nbackends:\n  fixture:\n    command: ${BUN}\n    args: ["${FIXTURE_SERVER}"]\n`,
  );
  await waitFor(() => gateway.gateway.index.tools("fixture").length > 0);
  return gateway;
}

let binary: string | undefined;

/**
 * The gateway compiled for this machine by scripts/build.ts, built once for every suite that
 * runs it (each runs it from its own empty folder), in a folder of its own.
 */
export function builtBinary(): string {
  if (binary) return binary;
  const path = join(tempDir("mcpgw-built-"), "mcp-gateway");
  const build = Bun.spawnSync([BUN, join(ROOT, "scripts/build.ts"), path], { stderr: "pipe" });
  if (!build.success) throw new Error(`build failed: ${build.stderr.toString()}`);
  binary = path;
  return path;
}

/** Runs a program without blocking this process and collects its exit code and output. */
export async function spawnOutput(
  argv: string[],
  options: { env: Record<string, string | undefined>; cwd?: string; stdin?: string },
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = Bun.spawn(argv, {
    ...(options.cwd ? { cwd: options.cwd } : {}),
    env: options.env,
    stdin: options.stdin === undefined ? "ignore" : new TextEncoder().encode(options.stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { code, stdout, stderr };
}
