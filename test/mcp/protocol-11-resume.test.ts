/**
 * A raw client that loses its POST stream mid-call and resumes with GET + Last-Event-ID (spec
 * 2025-11-25, Resumability): the call is not cancelled by the disconnect, and what the stream
 * would have carried is replayed. A session's buffer holds 1 MiB: a result bigger than what is
 * left drops older events, among them the one the client saw last. The replay looked for that
 * event and, not finding it, sent nothing: the result, still buffered, never reached the client.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { firstText, startFixtureGateway, waitFor } from "../helpers.ts";
import { MCP_HEADERS } from "../security/_helpers.ts";
import { type Message, messagesOf, openSession, request } from "./_protocol-10.ts";

setDefaultTimeout(60_000);

let gateway: Awaited<ReturnType<typeof startFixtureGateway>>;
beforeAll(async () => {
  gateway = await startFixtureGateway();
});
afterAll(async () => {
  await gateway?.stop();
});

const VERSION = "2025-11-25";
const PATH = "/mcp/fixture";

/** POSTs `body` on the session and reads its SSE stream up to the first event id, then drops it. */
async function postAndDrop(session: string, body: unknown): Promise<string> {
  const abort = new AbortController();
  const response = await fetch(`${gateway.url}${PATH}`, {
    method: "POST",
    headers: { ...MCP_HEADERS, "mcp-session-id": session, "mcp-protocol-version": VERSION },
    body: JSON.stringify(body),
    signal: abort.signal,
  });
  expect(response.status).toBe(200);
  let text = "";
  const decoder = new TextDecoder();
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  while (!/^id: (.+)$/m.test(text)) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  abort.abort();
  return /^id: (.+)$/m.exec(text)?.[1] ?? "";
}

/** GET with Last-Event-ID: every message replayed, until the answer with `id` (or 15 s). */
async function resume(session: string, lastEventId: string, id: string): Promise<Message[]> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 15_000);
  const messages: Message[] = [];
  try {
    const response = await fetch(`${gateway.url}${PATH}`, {
      headers: {
        accept: "text/event-stream",
        "mcp-session-id": session,
        "mcp-protocol-version": VERSION,
        "last-event-id": lastEventId,
      },
      signal: abort.signal,
    });
    expect(response.status).toBe(200);
    let buffer = "";
    const decoder = new TextDecoder();
    for await (const chunk of response.body as ReadableStream<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      for (let end = buffer.indexOf("\n\n"); end !== -1; end = buffer.indexOf("\n\n")) {
        messages.push(...messagesOf(buffer.slice(0, end)));
        buffer = buffer.slice(end + 2);
      }
      if (messages.some((m) => m.id === id)) break;
    }
  } catch {
    // Aborted after 15 s: the messages so far are the answer.
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return messages;
}

const bufferedBytes = async () =>
  (
    (await (await fetch(`${gateway.url}/health`)).json()) as {
      sessionLimits: { bufferedBytes: number };
    }
  ).sessionLimits.bufferedBytes;

describe("a client that drops its POST stream and resumes", () => {
  test("the call goes on after the disconnect; the resumed stream carries its progress and result", async () => {
    const { post, id } = await openSession(gateway.url, VERSION, PATH);
    await post(request("warm", "ping"));
    const last = await postAndDrop(
      id(),
      request("slow", "tools/call", {
        name: "slow",
        arguments: { steps: 3, delayMs: 150 },
        _meta: { progressToken: "p" },
      }),
    );
    expect(last).not.toBe("");
    const messages = await resume(id(), last, "slow");
    const result = messages.find((m) => m.id === "slow");
    expect(firstText(result?.result ?? {})).toBe("done 3");
    expect(messages.filter((m) => m.method === "notifications/progress")).toHaveLength(3);
  });

  test("a result bigger than the buffer's room still reaches the client that resumes", async () => {
    const { post, id } = await openSession(gateway.url, VERSION, PATH);
    await post(request("warm", "ping"));
    const before = await bufferedBytes();
    // Arguments just under the gateway's 1 MiB limit: the result's event is over the session's
    // 1 MiB buffer, so every event before it goes, the one the client saw last among them.
    const message = "x".repeat(1024 * 1024 - 20);
    const last = await postAndDrop(
      id(),
      request("big", "tools/call", { name: "echo", arguments: { message } }),
    );
    expect(last).not.toBe("");
    // The result is buffered before the client comes back.
    await waitFor(async () => (await bufferedBytes()) > before + 1_000_000);
    const messages = await resume(id(), last, "big");
    const result = messages.find((m) => m.id === "big");
    expect(firstText(result?.result ?? {})).toHaveLength(message.length);
  });
});
