import { formatSize } from "../config/size.ts";

/** The largest message a backend may send when its `max_message_size` is unset. */
export const DEFAULT_MAX_MESSAGE_SIZE = 16 * 1024 * 1024;

/** How much of each end of an oversized line is kept: enough to read its JSON-RPC id. */
const KEEP = 1024;

/** What is kept of a line that passed the limit: its size and both ends. */
export interface OversizedLine {
  bytes: number;
  head: string;
  tail: string;
}

/**
 * Splits a byte stream into lines, never holding more than `limit` bytes of one: a longer line
 * is dropped as it streams by, and only its size and its two ends are kept (the reader can still
 * tell whose answer it was). This is what keeps one backend's huge output from ever reaching a
 * buffer that throws, or from filling the gateway's memory.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private length = 0;
  private head?: Buffer;
  private tail = Buffer.alloc(0);

  constructor(readonly limit: number) {}

  /** The complete lines (newline included) and oversized lines that end in this chunk, in order. */
  *push(chunk: Buffer): Generator<Buffer | OversizedLine> {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(10, start);
      const end = newline === -1 ? chunk.length : newline + 1;
      this.take(chunk.subarray(start, end));
      start = end;
      if (newline !== -1) yield this.finish();
    }
  }

  /** The last line, when the stream ended without a newline after it. */
  *end(): Generator<Buffer | OversizedLine> {
    if (this.length) yield this.finish(false);
  }

  private take(part: Buffer): void {
    this.length += part.length;
    // The newline itself does not count against the limit.
    if (this.length <= this.limit + 1) {
      this.parts.push(part);
      return;
    }
    if (!this.head) {
      this.parts.push(part);
      this.head = Buffer.concat(this.parts, Math.min(KEEP, this.length));
      this.parts = [];
    }
    this.tail = Buffer.concat([this.tail, part]);
    if (this.tail.length > KEEP) this.tail = this.tail.subarray(this.tail.length - KEEP);
  }

  private finish(newline = true): Buffer | OversizedLine {
    const { parts, head, tail, length } = this;
    this.parts = [];
    this.length = 0;
    this.head = undefined;
    this.tail = Buffer.alloc(0);
    if (!head) return Buffer.concat(parts, length);
    const text = (bytes: Buffer) => bytes.toString("utf8").replace(/\r?\n$/, "");
    return {
      bytes: newline ? length - 1 : length,
      head: text(head),
      tail: text(tail),
    };
  }
}

type Id = string | number;
const ID = String.raw`(-?\d+|"(?:[^"\\]|\\.)*")`;
/** A top-level id as the last key: `...,"id":7}` (a nested id is followed by more braces). */
const TAIL_ID = new RegExp(String.raw`"id"\s*:\s*${ID}\s*\}\s*$`);
/** A top-level id among the first keys: `{"jsonrpc":"2.0","id":7,"result":...`. */
const HEAD_ID = new RegExp(
  String.raw`^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*${ID}\s*,\s*"(\w+)"`,
);
/** The first key or keys name a method: a request or notification, not an answer. */
const HEAD_METHOD = /^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?(?:"id"\s*:\s*[^,]+,\s*)?"method"/;

/**
 * Reads what an oversized line was from the ends that were kept: the id of an answer, "message"
 * for a request or notification from the backend, or undefined when it cannot be told.
 */
export function classifyOversized(line: OversizedLine): { id: Id } | "message" | undefined {
  if (HEAD_METHOD.test(line.head)) return "message";
  const head = HEAD_ID.exec(line.head);
  if (head && (head[2] === "result" || head[2] === "error")) return { id: JSON.parse(head[1]!) };
  const tail = TAIL_ID.exec(line.tail);
  if (tail && /^\s*\{\s*"(result|error|jsonrpc)"/.test(line.head)) {
    return { id: JSON.parse(tail[1]!) };
  }
  return undefined;
}

/** The JSON-RPC error a call gets in place of an answer that passed the limit. */
export function tooLargeError(bytes: number, limit: number) {
  return {
    code: -32603,
    message: `the answer passed the message size limit of ${formatSize(limit)} (${formatSize(bytes)} received)`,
    data: { reason: "RESULT_TOO_LARGE", bytes, limit },
  };
}
