import { formatSize } from "../config/size.ts";
import { GatewayError } from "../errors.ts";
import {
  classifyOversized,
  LineSplitter,
  type OversizedLine,
  tooLargeError,
} from "./line-limit.ts";

type FetchLike = (url: string | URL, init?: RequestInit) => Promise<Response>;

/**
 * A `fetch` for an HTTP backend's transport that holds its answers to `limit` bytes a message,
 * as the stdio reader does: a JSON body, or an SSE `data:` line, past the limit is never
 * buffered whole; an answer is replaced by a RESULT_TOO_LARGE error for the same request id, a
 * request or notification is dropped, and anything else fails the response.
 */
export function limitedFetch(backend: string, limit: number, base: FetchLike = fetch): FetchLike {
  return async (url, init) => {
    const response = await base(url, init);
    if (!response.body) return response;
    const sse = (response.headers.get("content-type") ?? "").includes("text/event-stream");
    // An SSE line carries `data: ` before the message.
    const lines = new LineSplitter(limit + (sse ? 6 : 0));
    const pass = (
      line: Buffer | OversizedLine,
      controller: TransformStreamDefaultController<Uint8Array>,
    ) => {
      if (Buffer.isBuffer(line)) return controller.enqueue(line);
      const kind = classifyOversized(sse ? withoutDataPrefix(line) : line);
      if (kind === "message") return;
      if (typeof kind === "object") {
        const error = JSON.stringify({
          jsonrpc: "2.0",
          id: kind.id,
          error: tooLargeError(line.bytes, limit),
        });
        return controller.enqueue(Buffer.from(sse ? `data: ${error}\n` : error));
      }
      controller.error(
        new GatewayError(
          "RESULT_TOO_LARGE",
          `[backend:${backend}] a message of ${formatSize(line.bytes)} passed the limit of ${formatSize(limit)}; raise backends.${backend}.max_message_size`,
        ),
      );
    };
    const body = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
          for (const line of lines.push(bytes)) pass(line, controller);
        },
        flush(controller) {
          for (const line of lines.end()) pass(line, controller);
        },
      }),
    );
    const headers = new Headers(response.headers);
    headers.delete("content-length");
    return new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  };
}

function withoutDataPrefix(line: OversizedLine): OversizedLine {
  return { ...line, head: line.head.replace(/^data: ?/, "") };
}
