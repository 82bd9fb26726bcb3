/**
 * A backend whose `structuredContent` breaks its own `outputSchema`. On `/mcp` (flat or surfaced)
 * the gateway lists that schema as its own, and the spec has a server's structured results
 * conform to it; the SDK's client checks them, so the relayed result made `callTool` throw a
 * protocol error that named neither backend nor tool, and the model saw nothing. Now the client
 * gets a tool error saying so, with the backend's content; `/mcp/{backend}` relays as the backend
 * answered (it must behave like the backend), and `gateway_invoke` passes results through.
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { BUN, startGateway, waitFor } from "../helpers.ts";

setDefaultTimeout(30_000);

const FIXTURE = join(import.meta.dir, "_proto-12.ts");
let gateway: Awaited<ReturnType<typeof startGateway>>;
const clients: Client[] = [];

beforeAll(async () => {
  gateway = await startGateway(`
capabilities: { enabled: false }
meta_mcp: { surfaced_tools: ["beta:bad_structured", "beta:good_structured"] }
backends:
  beta:
    command: ${BUN}
    args: ["${FIXTURE}"]
    env: { LABEL: beta }
`);
  await waitFor(() => gateway.gateway.index.tools("beta").length > 0);
});
afterAll(async () => {
  for (const client of clients) await client.close().catch(() => {});
  await gateway?.stop();
});

/** The SDK's client, with the tools listed (it checks structured content against them). */
async function listed(path: string): Promise<Client> {
  const client = new Client({ name: "proto-12", version: "1" }, { capabilities: {} });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${gateway.url}${path}`)));
  clients.push(client);
  await client.listTools();
  return client;
}

const text = (result: { content?: unknown }) =>
  ((result.content ?? []) as { type: string; text?: string }[]).map((b) => b.text ?? "").join("\n");

for (const path of ["/mcp?surface=flat", "/mcp"]) {
  test(`${path}: a tool error naming the backend, the tool and the field, with the backend's content`, async () => {
    const client = await listed(path);
    const result = await client.callTool({ name: "beta__bad_structured", arguments: {} });
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toBeUndefined();
    expect(text(result)).toMatch(/^\[BACKEND_ERROR\] beta's tool bad_structured/);
    expect(text(result)).toContain("celsius");
    expect(text(result)).toContain('{"celsius":"warm"}');
  });

  test(`${path}: a result that fits its schema passes untouched`, async () => {
    const client = await listed(path);
    const result = await client.callTool({ name: "beta__good_structured", arguments: {} });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({ celsius: 4 });
  });
}

test("gateway_invoke passes the backend's result through as it came", async () => {
  const client = await listed("/mcp");
  const result = await client.callTool({
    name: "gateway_invoke",
    arguments: { server: "beta", tool: "bad_structured" },
  });
  expect(result.structuredContent).toEqual({ celsius: "warm" });
});

test("/mcp/{backend} relays as the backend answered: the client's own check refuses it", async () => {
  const client = await listed("/mcp/beta");
  await expect(client.callTool({ name: "bad_structured", arguments: {} })).rejects.toThrow(
    /output schema/,
  );
});
