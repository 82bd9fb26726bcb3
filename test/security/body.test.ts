/**
 * The request body is read once: the listener reads it (limit and deadline), rebuilds the
 * request around the bytes, and the MCP routes take those bytes instead of reading it again.
 */
import { describe, expect, test } from "bun:test";
import { readArrivedBody, readBodyLimited, withArrivedBody } from "../../src/security/body.ts";

const post = (body: BodyInit, headers: Record<string, string> = {}) =>
  new Request("http://127.0.0.1/mcp", { method: "POST", body, headers });

describe("a body read once", () => {
  test("readBodyLimited takes the bytes the listener read, leaving the request's body unread", async () => {
    const bytes = new TextEncoder().encode('{"jsonrpc":"2.0","method":"ping","id":1}');
    const request = withArrivedBody(post(bytes), bytes);
    expect(await readBodyLimited(request, 1024)).toBe('{"jsonrpc":"2.0","method":"ping","id":1}');
    expect(request.bodyUsed).toBe(false);
    // The limit still holds for those bytes.
    expect(await readBodyLimited(request, 10)).toBeUndefined();
  });

  test("a request the listener did not read is read (and capped) as before", async () => {
    expect(await readBodyLimited(post("héllo"), 1024)).toBe("héllo");
    expect(await readBodyLimited(post("x".repeat(100)), 10)).toBeUndefined();
  });

  test("readArrivedBody: a declared size over the limit is refused unread", async () => {
    const request = post("x".repeat(100), { "content-length": "100" });
    const read = await readArrivedBody(request, 10, 1000);
    expect(read.complete).toBe(false);
    expect(request.bodyUsed).toBe(false);
  });

  test("readArrivedBody: a body within the limit arrives whole", async () => {
    const read = await readArrivedBody(
      post("x".repeat(100), { "content-length": "100" }),
      100,
      1000,
    );
    expect(read).toEqual({ bytes: new TextEncoder().encode("x".repeat(100)), complete: true });
  });

  test("readArrivedBody: a chunked body (no Content-Length) is capped as it streams", async () => {
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new Uint8Array(10));
        controller.close();
      },
    });
    const request = post(chunks);
    expect(request.headers.get("content-length")).toBeNull();
    expect((await readArrivedBody(request, 50, 1000)).complete).toBe(false);
    expect((await readArrivedBody(post(new Uint8Array(20)), 50, 1000)).complete).toBe(true);
  });

  test("readArrivedBody: a body that has not arrived by the deadline is late", async () => {
    const never = new ReadableStream<Uint8Array>({ start() {} });
    const request = post(never, { "content-length": "10" });
    const read = await readArrivedBody(request, 100, 50);
    expect(read.late).toBe(true);
    expect(read.complete).toBe(false);
  });
});
