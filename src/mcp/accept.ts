/**
 * The Accept header of a 2025-era client, read as HTTP reads it. The spec asks clients to list
 * both `application/json` and `text/event-stream`, and the SDK's transport refuses (406) any
 * POST whose header does not contain both strings: `*\/*` (curl's default, many HTTP
 * libraries'), no header at all (which RFC 9110 §12.5.1 reads as "anything"), `application/*`,
 * and a client that only reads JSON (hand-written clients, some agent frameworks) were all
 * turned away although the gateway can answer each of them. Here a header that admits a form of
 * answer passes (the SDK is handed a copy with its own), and a client that admits JSON but not
 * SSE gets its answer as one JSON body (spec: a server MAY answer a request with
 * `application/json`).
 */

/** Which forms of answer a client's Accept header admits. */
export interface Accepted {
  json: boolean;
  sse: boolean;
}

/** The forms of answer `header` admits (RFC 9110 media ranges; `q=0` excludes). */
export function acceptedForms(header: string | null): Accepted {
  if (header === null || !header.trim()) return { json: true, sse: true };
  const ranges = header
    .split(",")
    .map((part) => {
      const [type = "", ...params] = part.split(";").map((piece) => piece.trim().toLowerCase());
      const q = params.find((param) => /^q\s*=/.test(param));
      return { type, q: q === undefined ? 1 : Number(q.split("=")[1]) };
    })
    .filter((range) => range.type && !(range.q <= 0));
  const admits = (wanted: string) => {
    const [major] = wanted.split("/");
    return ranges.some((r) => r.type === wanted || r.type === `${major}/*` || r.type === "*/*");
  };
  return { json: admits("application/json"), sse: admits("text/event-stream") };
}

/**
 * Checks the Accept header of a 2025-era request: a 406 saying what to send when it admits no
 * form of answer, else whether the client reads JSON only (its SSE answer must be turned into
 * JSON with `answerAsJson`). The request is left as it came (Deno's are immutable, and other
 * modules key data by the request object): `forTransport` gives the SDK its own copy.
 */
export function checkAccept(request: Request): Response | { jsonOnly: boolean } {
  const forms = acceptedForms(request.headers.get("accept"));
  // Without a session a GET is a browser or a curl: the session check answers it, saying what
  // the endpoint is and how to open a session (a 406 would tell it nothing).
  if (request.method === "GET" && !forms.sse && request.headers.has("mcp-session-id")) {
    return notAcceptable(TRANSPORT_ACCEPT.GET, request);
  }
  if (request.method === "POST" && !forms.json && !forms.sse) {
    return notAcceptable(TRANSPORT_ACCEPT.POST, request);
  }
  return { jsonOnly: request.method === "POST" && !forms.sse };
}

/** What the SDK's transport checks for, by method (by substring). */
const TRANSPORT_ACCEPT = {
  GET: "text/event-stream",
  POST: "application/json, text/event-stream",
} as const;

/**
 * The request to hand the SDK's transport, whose Accept check is by substring: the same one
 * when its header passes that check, else a copy (URL, method, headers, signal: the transport
 * is given the parsed body) whose Accept is the transport's, for a request `checkAccept` let
 * through.
 */
export function forTransport(request: Request): Request {
  const wanted = TRANSPORT_ACCEPT[request.method as keyof typeof TRANSPORT_ACCEPT];
  const accept = request.headers.get("accept") ?? "";
  if (!wanted || wanted.split(", ").every((type) => accept.includes(type))) return request;
  const headers = new Headers(request.headers);
  headers.set("accept", wanted);
  const copy = new Request(request.url, {
    method: request.method,
    headers,
    signal: request.signal,
  });
  if (request.method === "POST" && !acceptedForms(accept).sse) jsonOnly.add(copy);
  return copy;
}

/** The transport's copies of POSTs whose client reads JSON only (see `readsJsonOnly`). */
const jsonOnly = new WeakSet<Request>();

/**
 * Whether the request a handler serves (`ctx.http.req`, the transport's copy) came from a client
 * that reads its answer as one JSON body: a request sent to that client mid-call (elicitation,
 * sampling, roots) has no stream to travel on, and would wait for the timeout unanswered.
 */
export function readsJsonOnly(request: Request | undefined): boolean {
  return request !== undefined && jsonOnly.has(request);
}

function notAcceptable(wanted: string, request: Request): Response {
  const message =
    `Not Acceptable: ${request.method} ${new URL(request.url).pathname} answers with ${wanted}, ` +
    `which Accept: ${request.headers.get("accept")} does not admit; send Accept: ${wanted}`;
  return Response.json(
    { jsonrpc: "2.0", error: { code: -32000, message }, id: null },
    { status: 406 },
  );
}

/**
 * An SSE answer to a POST, as one JSON body for a client that reads no SSE: the JSON-RPC
 * response to each request of `body` (an array for a batch, as the SDK answers one). What else
 * the stream carried (progress, log messages) has no place in a JSON answer and is left out.
 */
export async function answerAsJson(response: Response, body: unknown): Promise<Response> {
  const type = response.headers.get("content-type") ?? "";
  if (response.status !== 200 || !response.body || !type.includes("text/event-stream")) {
    return response;
  }
  const messages = Array.isArray(body) ? body : [body];
  const wanted = new Set<unknown>(messages.filter(isRequest).map((message) => message.id));
  const answers = new Map<unknown, unknown>();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    while (answers.size < wanted.size) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += value;
      for (let end = eventEnd(buffer); end; end = eventEnd(buffer)) {
        const data = dataOf(buffer.slice(0, end.at));
        buffer = buffer.slice(end.at + end.length);
        const message = data ? (JSON.parse(data) as { id?: unknown; method?: unknown }) : undefined;
        if (message && message.method === undefined && wanted.has(message.id)) {
          answers.set(message.id, message);
        }
      }
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  const headers = new Headers(response.headers);
  headers.set("content-type", "application/json");
  const ordered = [...wanted].map(
    (id) =>
      answers.get(id) ?? {
        jsonrpc: "2.0",
        id,
        error: { code: -32603, message: "the request ended without an answer (cancelled?)" },
      },
  );
  return new Response(JSON.stringify(Array.isArray(body) ? ordered : ordered[0]), {
    status: 200,
    headers,
  });
}

function isRequest(message: unknown): message is { id: string | number } {
  const { id, method } = (message ?? {}) as { id?: unknown; method?: unknown };
  return typeof method === "string" && (typeof id === "string" || typeof id === "number");
}

/** Where the first SSE event of `buffer` ends (a blank line, LF or CRLF). */
function eventEnd(buffer: string): { at: number; length: number } | undefined {
  const match = /\r?\n\r?\n/.exec(buffer);
  return match ? { at: match.index, length: match[0].length } : undefined;
}

/** The data of one SSE event: its `data:` lines joined by newlines. */
function dataOf(event: string): string {
  return event
    .split(/\r?\n/)
    .filter((line) => line.startsWith("data:"))
    .map((line) => line.slice(line[5] === " " ? 6 : 5))
    .join("\n")
    .trim();
}
