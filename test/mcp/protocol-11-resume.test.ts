/**
 * A raw client that loses its POST stream mid-call and resumes with GET + Last-Event-ID (spec
 * 2025-11-25, Resumability): the call is not cancelled by the disconnect, and what the stream
 * would have carried is replayed. A session's buffer holds 1 MiB: a result bigger than what is
 * left drops older events, among them the one the client saw last. The replay looked for that
 * event and, not finding it, sent nothing: the result, still buffered, never reached the client.
 * A client whose network dropped resumes while the gateway still holds the old connection (no
 * FIN arrived; writes go on into the kernel's buffer): the SDK answered 409 "Stream already has
 * an active connection", the client's few retries met the same, and the result was lost. The
 * newest connection takes the stream over now, as it does the GET stream.
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

/**
 * POSTs `body` on the session and reads its SSE stream up to the first event id, then drops it
 * (`keep`: leaves it open, as a connection the server cannot tell is dead).
 */
async function postAndDrop(session: string, body: unknown, keep = false): Promise<string> {
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
  if (keep) kept.push(abort);
  else abort.abort();
  return /^id: (.+)$/m.exec(text)?.[1] ?? "";
}

/** Connections left open by `postAndDrop(…, true)`, closed after the suite. */
const kept: AbortController[] = [];
afterAll(() => {
  for (const abort of kept) abort.abort();
});

/** GET with Last-Event-ID: every message replayed, until the answer with `id` (or 15 s). */
async function resume(
  session: string,
  lastEventId: string,
  id: string,
  status = { code: 0 },
): Promise<Message[]> {
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
    status.code = response.status;
    if (response.status !== 200) return messages;
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

  test("a resume while the old connection still looks open takes the stream over (no 409)", async () => {
    const { post, id } = await openSession(gateway.url, VERSION, PATH);
    await post(request("warm", "ping"));
    const last = await postAndDrop(
      id(),
      request("held", "tools/call", {
        name: "slow",
        arguments: { steps: 4, delayMs: 250 },
        _meta: { progressToken: "h" },
      }),
      true,
    );
    const status = { code: 0 };
    const messages = await resume(id(), last, "held", status);
    expect(status.code).toBe(200);
    expect(firstText(messages.find((m) => m.id === "held")?.result ?? {})).toBe("done 4");
    expect(messages.filter((m) => m.method === "notifications/progress")).toHaveLength(4);
  });
});
