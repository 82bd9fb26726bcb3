#!/usr/bin/env bun
/**
 * A one-tool MCP server over stdio (`echo`), the backend build.ts gives `serve` while it records
 * the order `serve` runs its functions in. Lives here, not in test/, because the container build
 * has no test/ folder.
 */
import { Server } from "@modelcontextprotocol/server";
import { StdioServerTransport } from "@modelcontextprotocol/server/stdio";

const server = new Server(
  { name: "order-backend", version: "1.0.0" },
  { capabilities: { tools: {} } },
);
server.setRequestHandler("tools/list", async () => ({
  tools: [
    {
      name: "echo",
      description: "Echo a message back",
      inputSchema: { type: "object", properties: { message: { type: "string" } } },
    },
  ],
}));
server.setRequestHandler("tools/call", async (request) => ({
  content: [{ type: "text", text: String(request.params.arguments?.message ?? "") }],
}));
await server.connect(new StdioServerTransport());
