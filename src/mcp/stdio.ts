/**
 * The stdio front's transport (`serve --stdio`): the SDK's, reading its lines itself so that no
 * message a client sends goes unanswered. The SDK's reader drops a JSON-RPC batch (an array,
 * which a 2025-03-26 client may send and that revision's servers must receive), a line that is
 * not JSON, and a request its schema refuses (a fractional id or progress token), each without
 * a word on stdout: the client waits for its answer forever. Here a batch is handled message by
 * message, each answered on its own line (as the HTTP front answers one), for a client whose
 * revision has batches (from 2025-06-18 a batch is refused whole); a line that is not JSON is
 * answered -32700, and a message the schema refuses -32600 with its id when it has one. A line
 * may end in CRLF and start with a byte-order mark.
 */
import {
  INVALID_REQUEST,
  PARSE_ERROR,
  parseJSONRPCMessage,
  STDIO_DEFAULT_MAX_BUFFER_SIZE,
} from "@modelcontextprotocol/server";
import { StdioServerTransport } from "@modelcontextprotocol/server/stdio";
import { batchesAllowed, batchRefusal } from "./batches.ts";
import { negotiatedVersion, speakClientVersion } from "./content-versions.ts";

export class StdioFrontTransport extends StdioServerTransport {
  #buffer: Buffer | undefined;
  /** The revision the client's initialize settled on (2025-06-18 and later have no batches). */
  #version: string | undefined;

  constructor(maxBytes = STDIO_DEFAULT_MAX_BUFFER_SIZE) {
    super();
    speakClientVersion(this as never);
    const send = this.send.bind(this);
    this.send = (message) => {
      this.#version ??= negotiatedVersion(message);
      return send(message);
    };
    this._ondata = (chunk: Buffer) => {
      if ((this.#buffer?.length ?? 0) + chunk.length > maxBytes) {
        this.#buffer = undefined;
        this.onerror?.(new Error(`a message on stdin is over ${maxBytes} bytes`));
        void this.close().catch(() => {});
        return;
      }
      this.#buffer = this.#buffer ? Buffer.concat([this.#buffer, chunk]) : chunk;
      for (let end = this.#buffer.indexOf("\n"); end !== -1; end = this.#buffer.indexOf("\n")) {
        // A byte-order mark before a message (.NET's StreamWriter writes one for Encoding.UTF8,
        // again for each writer a client opens) is no part of it (RFC 8259 §8.1: MAY ignore).
        const line = this.#buffer
          .toString("utf8", 0, end)
          .replace(/^\uFEFF/, "")
          .replace(/\r$/, "");
        this.#buffer = this.#buffer.subarray(end + 1);
        this.#line(line);
      }
    };
  }

  #line(line: string): void {
    if (!line.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      this.#refuse(null, PARSE_ERROR, "Parse error: the line is not JSON");
      return;
    }
    if (!Array.isArray(value)) {
      this.#message(value);
      return;
    }
    if (!batchesAllowed(this.#version)) {
      this.send(batchRefusal(this.#version ?? "") as never).catch(() => {});
      return;
    }
    if (value.length === 0) this.#refuse(null, INVALID_REQUEST, "Invalid Request: an empty batch");
    for (const item of value) this.#message(item);
  }

  #message(value: unknown): void {
    let message: ReturnType<typeof parseJSONRPCMessage>;
    try {
      message = parseJSONRPCMessage(value);
    } catch (error) {
      this.onerror?.(error instanceof Error ? error : new Error(String(error)));
      const id = (value as { id?: unknown } | null)?.id;
      const answerable = typeof id === "string" || (typeof id === "number" && Number.isFinite(id));
      // A request the client waits on is told; a malformed notification or response is dropped.
      if (answerable && typeof (value as { method?: unknown }).method === "string") {
        this.#refuse(id, INVALID_REQUEST, "Invalid Request: not a valid JSON-RPC message");
      }
      return;
    }
    this.onmessage?.(message);
  }

  #refuse(id: string | number | null, code: number, message: string): void {
    const answer = { jsonrpc: "2.0", id, error: { code, message } };
    this.send(answer as never).catch(() => {});
  }
}
