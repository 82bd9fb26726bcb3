import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { firstText, startEverythingGateway, type startGateway } from "../helpers.ts";

// Spawns backends and CLIs: generous under a loaded machine; nothing here measures time.
setDefaultTimeout(30_000);

// The stateless 2026-07-28 era on the same /mcp URL as 2025-11-25 sessions.
let gateway: Awaited<ReturnType<typeof startGateway>>;

beforeAll(async () => {
  gateway = await startEverythingGateway();
});

afterAll(async () => {
  await gateway?.stop();
});

async function modernClient(path: string): Promise<Client> {
  const client = new Client(
    { name: "modern", version: "1" },
    {
      capabilities: { sampling: {}, elicitation: { form: {} } },
      versionNegotiation: { mode: { pin: "2026-07-28" } },
    },
  );
  // Fulfils the input_required rounds the gateway sends for a backend's reverse requests.
  client.setRequestHandler("sampling/createMessage", async () => ({
    role: "assistant",
    content: { type: "text", text: "modern sampled" },
    model: "m",
  }));
  client.setRequestHandler("elicitation/create", async () => ({
    action: "accept",
    content: { name: "Grace", check: true, email: "g@h.i", integer: 2, number: 2 },
  }));
  await client.connect(new StreamableHTTPClientTransport(new URL(`${gateway.url}${path}`)));
  return client;
}

describe("2026-07-28 clients", () => {
  test("use the meta tools on /mcp statelessly", async () => {
    const client = await modernClient("/mcp");
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain("gateway_invoke");
      const result = await client.callTool({
        name: "gateway_invoke",
        arguments: { server: "everything", tool: "echo", arguments: { message: "modern" } },
      });
      expect(firstText(result)).toContain("modern");
      const { resources } = await client.listResources();
      expect(resources.length).toBeGreaterThan(0);
      const { prompts } = await client.listPrompts();
      expect(prompts.map((p) => p.name)).toContain("simple-prompt");
    } finally {
      await client.close();
    }
  });

  test("use one backend through /mcp/{backend}", async () => {
    const client = await modernClient("/mcp/everything");
    try {
      const result = await client.callTool({ name: "get-sum", arguments: { a: 20, b: 22 } });
      expect(firstText(result)).toContain("42");
    } finally {
      await client.close();
    }
  });

  test("a backend's sampling and elicitation become input_required round trips", async () => {
    const client = await modernClient("/mcp");
    try {
      const sampled = await client.callTool({
        name: "gateway_invoke",
        arguments: {
          server: "everything",
          tool: "trigger-sampling-request",
          arguments: { prompt: "p", maxTokens: 5 },
        },
      });
      expect(JSON.stringify(sampled.content)).toContain("modern sampled");
      const elicited = await client.callTool({
        name: "gateway_invoke",
        arguments: { server: "everything", tool: "trigger-elicitation-request", arguments: {} },
      });
      expect(JSON.stringify(elicited.content)).toContain("Grace");
    } finally {
      await client.close();
    }
  });

  test("the same through /mcp/{backend}", async () => {
    const client = await modernClient("/mcp/everything");
    try {
      const sampled = await client.callTool({
        name: "trigger-sampling-request",
        arguments: { prompt: "p", maxTokens: 5 },
      });
      expect(JSON.stringify(sampled.content)).toContain("modern sampled");
    } finally {
      await client.close();
    }
  });

  test("server/discover answers on /mcp", async () => {
    const response = await fetch(`${gateway.url}/mcp`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-protocol-version": "2026-07-28",
        "mcp-method": "server/discover",
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "server/discover",
        params: {
          _meta: {
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" },
            "io.modelcontextprotocol/clientCapabilities": {},
          },
        },
      }),
    });
    const text = await response.text();
    expect(text).toContain("2026-07-28");
  });
});
