/**
 * A client configured for the HTTP+SSE transport of 2024-11-05 (`"type": "sse"` and a URL
 * ending in `/sse`, as a config written for an older gateway says) got a bare 404 "no route":
 * the gateway does not serve that transport, and the answer now says so (410, as the original
 * gateway answers) and what to configure instead. The SDK's own SSE client fails with it.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { Client, SSEClientTransport } from "@modelcontextprotocol/client";
import { startFixtureGateway } from "../helpers.ts";

setDefaultTimeout(30_000);

let gateway: Awaited<ReturnType<typeof startFixtureGateway>>;
beforeAll(async () => {
  gateway = await startFixtureGateway();
});
afterAll(async () => {
  await gateway?.stop();
});

describe("the HTTP+SSE transport's endpoints", () => {
  for (const [method, path] of [
    ["GET", "/sse"],
    ["POST", "/message?sessionId=x"],
    ["POST", "/messages?session_id=x"],
  ] as const) {
    test(`${method} ${path} is 410, naming the /mcp URL to use`, async () => {
      const response = await fetch(`${gateway.url}${path}`, {
        method,
        headers: { accept: "text/event-stream", "content-type": "application/json" },
        ...(method === "POST" ? { body: '{"jsonrpc":"2.0","id":1,"method":"ping"}' } : {}),
      });
      expect(response.status).toBe(410);
      const body = (await response.json()) as { error: { message: string; data: { url: string } } };
      expect(body.error.message).toContain("Streamable HTTP");
      expect(body.error.data.url).toBe(`${gateway.url}/mcp`);
    });
  }

  test("the SDK's SSE client fails at connect instead of waiting", async () => {
    const client = new Client({ name: "old", version: "1" });
    const failed = await client
      .connect(new SSEClientTransport(new URL(`${gateway.url}/sse`)))
      .then(() => undefined)
      .catch((error: unknown) => String(error));
    expect(failed).toContain("410");
    await client.close().catch(() => {});
  });
});
