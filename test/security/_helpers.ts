import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { scanTool } from "../../src/security/poisoning.ts";
import {
  BUN,
  type ConnectedClient,
  connectHttp,
  FIXTURES,
  startGateway,
  tempDir,
  waitFor,
} from "../helpers.ts";

/** Connects the SDK client to `url` + `path`, sending `key` as a bearer token. */
export async function connectWithKey(
  url: string,
  key: string | undefined,
  path = "/mcp",
): Promise<ConnectedClient> {
  const client = new Client({ name: "security-test", version: "1.0.0" }, { capabilities: {} });
  const headers: Record<string, string> = key ? { Authorization: `Bearer ${key}` } : {};
  const transport = new StreamableHTTPClientTransport(new URL(`${url}${path}`), {
    requestInit: { headers },
  });
  await client.connect(transport);
  return {
    client,
    async close() {
      await client.close().catch(() => {});
    },
  };
}

/** Calls a meta tool and returns its structured content (or throws with the error text). */
export async function meta(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<{ isError?: boolean; text: string; data: Record<string, unknown> }> {
  const result = await client.callTool({ name, arguments: args });
  const content = result.content as { type: string; text?: string }[];
  const text = content.find((block) => block.type === "text")?.text ?? "";
  return {
    isError: result.isError as boolean | undefined,
    text,
    data: (result.structuredContent ?? {}) as Record<string, unknown>,
  };
}

/** A raw JSON-RPC `initialize` POST, for checking status codes and headers. */
export function initializeBody(id: number | string = 1): string {
  return JSON.stringify({
    jsonrpc: "2.0",
    id,
    method: "initialize",
    params: {
      protocolVersion: "2025-11-25",
      capabilities: {},
      clientInfo: { name: "raw", version: "1" },
    },
  });
}

export const MCP_HEADERS = {
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
};

/** An environment for a CLI run whose home and state live in `dir` alone. */
export function homeIn(dir: string): Record<string, string> {
  return {
    HOME: dir,
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    XDG_STATE_HOME: join(dir, "state"),
  };
}

/**
 * A gateway fronting one backend with a single harmless tool, and a session opened on it with a
 * raw `initialize` (its id), for suites that send bytes no SDK client would.
 */
export async function gatewayWithRawSession(): Promise<{
  gateway: Awaited<ReturnType<typeof startGateway>>;
  session: string;
}> {
  const tools = join(tempDir(), "tools.json");
  writeFileSync(tools, JSON.stringify([{ name: "noop", description: "Does nothing." }]));
  const gateway = await startGateway(`
capabilities: { enabled: false }
backends:
  fixture:
    command: ${BUN}
    args: ["${join(FIXTURES, "poisoned/server.ts")}"]
    env: { TOOLS_FILE: "${tools}" }
`);
  const opened = await fetch(`${gateway.url}/mcp`, {
    method: "POST",
    headers: MCP_HEADERS,
    body: initializeBody(),
  });
  await opened.text();
  return { gateway, session: opened.headers.get("mcp-session-id")! };
}

/** A tool named `t` with one string parameter and `description`, as a scanner test writes one. */
export const tool = (description: string, more: Record<string, unknown> = {}) => ({
  name: "t",
  description,
  inputSchema: { type: "object", properties: { q: { type: "string" } } },
  ...more,
});

/** The rules of the HIGH (quarantining) findings the scanner reports for `t`. */
export const high = (t: { name: string }) =>
  scanTool("x", t as never)
    .filter((f) => f.severity === "high")
    .map((f) => f.rule);

/**
 * A gateway whose one backend `server` (the poisoned fixture server) lists `tools` as given, once
 * they are indexed, and an HTTP session on it; `stop` ends both.
 */
export async function gatewayListing(
  server: string,
  tools: { name: string }[],
): Promise<{ session: ConnectedClient; stop(): Promise<void> }> {
  const file = join(tempDir("mcpgw-listing-"), "tools.json");
  writeFileSync(file, JSON.stringify(tools));
  const gateway = await startGateway(`
capabilities: { enabled: false }
backends:
  ${server}:
    command: ${BUN}
    args: ["${join(FIXTURES, "poisoned/server.ts")}"]
    env: { TOOLS_FILE: "${file}" }
`);
  await waitFor(() => gateway.gateway.index.tools(server).length === tools.length);
  const session = await connectHttp(gateway.url);
  return {
    session,
    async stop() {
      await session.close();
      await gateway.stop();
    },
  };
}

/**
 * The process's CPU time (user and system) `run` takes, in milliseconds: a bound that a loaded
 * machine does not stretch by waiting, as it stretches wall time.
 */
export function cpuMs(run: () => unknown): number {
  const before = process.cpuUsage();
  run();
  const spent = process.cpuUsage(before);
  return (spent.user + spent.system) / 1000;
}
