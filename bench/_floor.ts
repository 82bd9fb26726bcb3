/**
 * The floor of `serve`'s memory (bench/memory-floor.ts compiles and runs this): what any gateway
 * on this runtime and SDK holds before it does anything of its own. The SDK's server and client,
 * zod, `Bun.serve`, one stdio child and SQLite; `tools/call` forwarded to the child as the
 * gateway's passthrough does it (the server's fallback handler, the result not parsed), one SDK
 * server per session. No config, scopes, scanning, search, audit, metrics or dashboard.
 *
 *   floor PORT NODE SCRIPT   # SCRIPT: server-everything's entry, run as `NODE SCRIPT stdio`
 */
import { Database } from "bun:sqlite";
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { Server, WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/server";
import { z } from "zod";

const [port, node, script] = process.argv.slice(2);
const db = new Database(":memory:");
db.run("create table calls (at integer)");
const PASS_THROUGH = z.looseObject({});
const client = new Client({ name: "floor", version: "1" });
await client.connect(
  new StdioClientTransport({ command: node!, args: [script!, "stdio"], stderr: "ignore" }),
);
const sessions = new Map<string, WebStandardStreamableHTTPServerTransport>();

function openSession(): WebStandardStreamableHTTPServerTransport {
  const server = new Server({ name: "floor", version: "1" }, { capabilities: { tools: {} } });
  server.fallbackRequestHandler = async (request) =>
    (await client.request(
      { method: request.method as "tools/call", params: request.params },
      PASS_THROUGH,
    )) as never;
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: () => crypto.randomUUID(),
    onsessioninitialized: (id) => {
      sessions.set(id, transport);
    },
  });
  void server.connect(transport);
  return transport;
}

Bun.serve({
  port: Number(port),
  hostname: "127.0.0.1",
  fetch(request) {
    if (new URL(request.url).pathname === "/health") return new Response("ok");
    const id = request.headers.get("mcp-session-id");
    return ((id && sessions.get(id)) || openSession()).handleRequest(request);
  },
});
