import { afterAll, beforeAll, expect, test } from "bun:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { RunningGateway } from "../../src/gateway/run.ts";
import { startFixtureGateway } from "../helpers.ts";

let gateway: RunningGateway & { url: string };
beforeAll(async () => {
  gateway = await startFixtureGateway();
});
afterAll(async () => {
  await gateway?.stop();
});

const initialize = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "switcher", version: "1" },
  },
};

// The original routes POST /mcp/{name}/{*path}, but its handler extracts only {name}, so the
// request never reaches the backend (axum answers 500 "Wrong number of path arguments"). A client
// configured with such a URL (`/mcp/fixture/mcp`) gets an answer that says which URL to use, not
// a bare 404 "no route".
test("/mcp/{name}/{path} says the backend's endpoint is /mcp/{name}", async () => {
  for (const method of ["POST", "GET", "DELETE"]) {
    const response = await fetch(`${gateway.url}/mcp/fixture/mcp`, {
      method,
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: method === "POST" ? JSON.stringify(initialize) : undefined,
    });
    expect(response.status, method).toBe(404);
    const body = (await response.json()) as { error?: { message?: string } };
    expect(body.error?.message, method).toContain(`${gateway.url}/mcp/fixture`);
    expect(body.error?.message, method).toContain("not /mcp/fixture/mcp");
  }
  // A backend that does not exist is answered as /mcp/{name} answers it (nothing disclosed).
  const missing = await fetch(`${gateway.url}/mcp/nope/mcp`, { method: "POST", body: "{}" });
  expect(missing.status).toBe(404);
  expect(((await missing.json()) as { error: { message: string } }).error.message).toBe(
    "no backend named nope; see /health",
  );
  // The URL it names works.
  const client = new Client({ name: "switcher", version: "1" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp/fixture`)));
  expect((await client.listTools()).tools.length).toBeGreaterThan(0);
  await client.close();
});
