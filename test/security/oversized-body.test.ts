/**
 * Attack: memory exhaustion with a huge request body. The limit is 4 MiB (413 above it), holds
 * for chunked bodies without a Content-Length and for multi-byte text, and the gateway keeps
 * serving afterwards.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { MAX_BODY_BYTES } from "../../src/http/routes.ts";
import { connectHttp, MEMORY, startGateway } from "../helpers.ts";
import { MCP_HEADERS, meta } from "./_helpers.ts";

setDefaultTimeout(30_000);

let gateway: Awaited<ReturnType<typeof startGateway>>;

beforeAll(async () => {
  gateway = await startGateway(`
capabilities: { enabled: false }
backends:
  memory:
    command: node
    args: ["${MEMORY}"]
`);
});

afterAll(async () => {
  await gateway?.stop();
});

/** A JSON-RPC body of exactly `bytes` UTF-8 bytes, padded with `pad`. */
function bodyOf(bytes: number, pad = "a"): string {
  const head = '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"';
  const tail = '"}}';
  const padBytes = new TextEncoder().encode(pad).length;
  return head + pad.repeat(Math.floor((bytes - head.length - tail.length) / padBytes)) + tail;
}

describe("request body limit", () => {
  test("the limit is 4 MiB", () => {
    expect(MAX_BODY_BYTES).toBe(4 * 1024 * 1024);
  });

  test("a body just over the limit gets 413 and a JSON-RPC error saying why", async () => {
    const response = await fetch(`${gateway.url}/mcp`, {
      method: "POST",
      headers: MCP_HEADERS,
      body: bodyOf(MAX_BODY_BYTES + 10),
    });
    expect(response.status).toBe(413);
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toContain("too large");
  });

  test("a body at the limit is read (and answered as the protocol says)", async () => {
    const response = await fetch(`${gateway.url}/mcp`, {
      method: "POST",
      headers: MCP_HEADERS,
      body: bodyOf(MAX_BODY_BYTES - 10),
    });
    expect(response.status).not.toBe(413);
  });

  test("multi-byte text is counted in bytes, not characters", async () => {
    const body = bodyOf(MAX_BODY_BYTES + 30, "€");
    expect(body.length).toBeLessThan(MAX_BODY_BYTES);
    const response = await fetch(`${gateway.url}/mcp`, {
      method: "POST",
      headers: MCP_HEADERS,
      body,
    });
    expect(response.status).toBe(413);
  });

  test("a chunked body without Content-Length is cut off at the limit", async () => {
    const chunk = new TextEncoder().encode("a".repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        // Far more than the limit, if the gateway kept reading.
        if (sent > 32 * 1024 * 1024) return controller.close();
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const response = await fetch(`${gateway.url}/mcp/memory`, {
      method: "POST",
      headers: MCP_HEADERS,
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    // The gateway's own answer, not the HTTP server's 8 MiB backstop.
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain(
      `limit ${MAX_BODY_BYTES} bytes`,
    );
    expect(sent).toBeLessThan(16 * 1024 * 1024);
  });

  test("the gateway keeps serving afterwards", async () => {
    const session = await connectHttp(gateway.url);
    const result = await meta(session.client, "gateway_list_servers");
    expect((result.data.servers as unknown[]).length).toBe(1);
    await session.close();
  });
});
