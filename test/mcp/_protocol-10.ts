/** Raw HTTP for the protocol-10 suites: a session at a chosen revision, and posts read whole. */
import { MCP_HEADERS } from "../security/_helpers.ts";

/** A JSON-RPC message as a raw client reads it off a POST's answer. */
export type Message = {
  id?: string | number | null;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
};

/** What one POST got: its status and every JSON-RPC message of its body (SSE or JSON). */
export interface Posted {
  status: number;
  messages: Message[];
}

/** Every JSON-RPC message of an answer's body, SSE `data:` lines or one JSON value. */
export function messagesOf(text: string): Message[] {
  const trimmed = text.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    const value = JSON.parse(trimmed) as Message | Message[];
    return Array.isArray(value) ? value : [value];
  }
  return text
    .split("\n")
    .filter((line) => line.startsWith("data: ") && line.length > 6)
    .flatMap((line) => {
      const value = JSON.parse(line.slice(6)) as Message | Message[];
      return Array.isArray(value) ? value : [value];
    });
}

/**
 * A raw session opened on `url` + `path` at protocol `version`; `post` sends any body on it and
 * reads the whole answer, giving up after `timeoutMs` (a hung stream fails the test, not the run).
 */
export async function openSession(
  url: string,
  version: string,
  path = "/mcp",
  headers: Record<string, string> = {},
) {
  const post = async (body: unknown, timeoutMs = 10_000): Promise<Posted> => {
    const response = await fetch(`${url}${path}`, {
      method: "POST",
      headers: {
        ...MCP_HEADERS,
        ...headers,
        ...(session ? { "mcp-session-id": session, "mcp-protocol-version": version } : {}),
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    session ||= response.headers.get("mcp-session-id") ?? "";
    return { status: response.status, messages: messagesOf(await response.text()) };
  };
  let session = "";
  const opened = await post({
    jsonrpc: "2.0",
    id: "init",
    method: "initialize",
    params: {
      protocolVersion: version,
      capabilities: {},
      clientInfo: { name: "raw", version: "1" },
    },
  });
  const negotiated = opened.messages[0]?.result?.protocolVersion;
  if (negotiated !== version) throw new Error(`negotiated ${String(negotiated)}, not ${version}`);
  await post({ jsonrpc: "2.0", method: "notifications/initialized" });
  return { post, id: () => session };
}

/** A JSON-RPC request. */
export function request(id: string | number, method: string, params: Record<string, unknown> = {}) {
  return { jsonrpc: "2.0", id, method, params };
}

/**
 * Opens the session's GET stream and collects every JSON-RPC message it carries into `messages`
 * until `close()`.
 */
export async function listen(
  url: string,
  path: string,
  session: string,
  version: string,
  headers: Record<string, string> = {},
) {
  const abort = new AbortController();
  const response = await fetch(`${url}${path}`, {
    headers: {
      ...headers,
      accept: "text/event-stream",
      "mcp-session-id": session,
      "mcp-protocol-version": version,
    },
    signal: abort.signal,
  });
  if (response.status !== 200) throw new Error(`GET stream: ${response.status}`);
  const messages: Message[] = [];
  void (async () => {
    let buffer = "";
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body as ReadableStream<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let end = buffer.indexOf("\n\n"); end !== -1; end = buffer.indexOf("\n\n")) {
          messages.push(...messagesOf(buffer.slice(0, end)));
          buffer = buffer.slice(end + 2);
        }
      }
    } catch {}
  })();
  return { messages, close: () => abort.abort() };
}
