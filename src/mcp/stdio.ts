/**
 * The stdio front's transport (`serve --stdio`): the SDK's, reading its lines itself so that no
 * message a client sends goes unanswered. The SDK's reader drops a JSON-RPC batch (an array,
 * which a 2025-03-26 client may send and that revision's servers must receive), a line that is
 * not JSON, and a request its schema refuses (a fractional id or progress token), each without
 * a word on stdout: the client waits for its answer forever. Here a batch is handled message by
 * message, each answered on its own line (as the HTTP front answers one), for a client whose
 * revision has batches (from 2025-06-18 a batch is refused whole); a line that is not JSON is
 * answered -32700, and a message the schema refuses -32600 with its id when it has one. A line
 * may end in CRLF and start with a byte-order mark; one over the size limit is answered -32600.
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
import { unsafeIdRefusal } from "./ids.ts";

export class StdioFrontTransport extends StdioServerTransport {
  /** The bytes of a message whose line has not ended yet. */
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** While a message over the limit is skipped to its line's end: its first bytes (its id). */
  #skipping: Buffer | undefined;
  readonly #maxBytes: number;
  /** The revision the client's initialize settled on (2025-06-18 and later have no batches). */
  #version: string | undefined;

  constructor(maxBytes = STDIO_DEFAULT_MAX_BUFFER_SIZE) {
    super();
    this.#maxBytes = maxBytes;
    speakClientVersion(this as never);
    const send = this.send.bind(this);
    this.send = (message) => {
      this.#version ??= negotiatedVersion(message);
      return send(message);
    };
    this._ondata = (chunk: Buffer) => this.#read(chunk);
  }

  /**
   * Splits stdin into lines. A message over `maxBytes` is answered -32600 and skipped to the end
   * of its line: closing the transport for it (as before) ended the gateway, and every call in
   * flight with it, over one message the client could send again smaller.
   */
  #read(chunk: Buffer): void {
    for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE)) {
      const tail = chunk.subarray(0, end);
      chunk = chunk.subarray(end + 1);
      const skipped = this.#skipping;
      this.#skipping = undefined;
      const bytes = this.#pending.length ? Buffer.concat([...this.#pending, tail]) : tail;
      this.#pending = [];
      this.#pendingBytes = 0;
      if (skipped || bytes.length > this.#maxBytes) {
        this.#tooLarge(skipped ?? bytes);
        continue;
      }
      // A byte-order mark before a message (.NET's StreamWriter writes one for Encoding.UTF8,
      // again for each writer a client opens) is no part of it (RFC 8259 §8.1: MAY ignore).
      this.#line(
        bytes
          .toString("utf8")
          .replace(/^\uFEFF/, "")
          .replace(/\r$/, ""),
      );
    }
    if (!chunk.length || this.#skipping) return;
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    if (this.#pendingBytes > this.#maxBytes) {
      this.#skipping = Buffer.concat(this.#pending, HEAD_BYTES);
      this.#pending = [];
      this.#pendingBytes = 0;
    }
  }

  /** Answers a message over the limit, by the id its first bytes give (else null). */
  #tooLarge(head: Buffer): void {
    const message = `Invalid Request: the message is over ${this.#maxBytes} bytes, the limit of one message on stdin; send less at once`;
    this.onerror?.(new Error(message));
    this.#refuse(
      topLevelId(head.subarray(0, HEAD_BYTES).toString("utf8")) ?? null,
      INVALID_REQUEST,
      message,
    );
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
    const unsafe = unsafeIdRefusal(value, line);
    if (unsafe) {
      this.send(unsafe as never).catch(() => {});
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

const NEWLINE = 0x0a;
/** How much of a message over the limit is kept to find its id. */
const HEAD_BYTES = 4096;

/**
 * The `id` member of the JSON object that `text` starts (it may be cut short): read at the
 * object's top level only, so an `id` inside `params` is never taken for it.
 */
export function topLevelId(text: string): string | number | undefined {
  let depth = 0;
  let lastString: string | undefined;
  for (let at = 0; at < text.length; at++) {
    const char = text[at];
    if (char === '"') {
      const literal = /^"(?:[^"\\]|\\.)*"/.exec(text.slice(at))?.[0];
      if (!literal) return undefined;
      lastString = depth === 1 ? (JSON.parse(literal) as string) : undefined;
      at += literal.length - 1;
    } else if (char === "{" || char === "[") {
      depth++;
    } else if (char === "}" || char === "]") {
      depth--;
    } else if (char === ":" && depth === 1 && lastString === "id") {
      const value = /^\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(
        text.slice(at + 1),
      )?.[1];
      return value === undefined ? undefined : (JSON.parse(value) as string | number);
    } else if (char === ",") {
      lastString = undefined;
    }
  }
  return undefined;
}
