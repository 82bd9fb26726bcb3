/**
 * Reads a request body as UTF-8 text, stopping as soon as it passes `maxBytes`: the limit holds
 * for bodies without a Content-Length (chunked) and for multi-byte text, and an oversized body
 * is never buffered whole. Returns undefined when the body is too large.
 */
export async function readBodyLimited(
  request: Request,
  maxBytes: number,
): Promise<string | undefined> {
  const known = arrived.get(request);
  if (known) return known.byteLength > maxBytes ? undefined : UTF8.decode(known);
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > maxBytes) return undefined;
  const { bytes, complete } = await readCapped(request, maxBytes);
  return complete ? UTF8.decode(bytes) : undefined;
}

const UTF8 = new TextDecoder();

/** Bodies the HTTP listener read whole, by the request it rebuilt around them. */
const arrived = new WeakMap<Request, Uint8Array>();

/**
 * A request the listener rebuilt around the body it read (`readArrivedBody`): `readBodyLimited`
 * takes the bytes from here instead of reading them a second time.
 */
export function withArrivedBody(request: Request, bytes: Uint8Array): Request {
  arrived.set(request, bytes);
  return request;
}

/**
 * A request's whole body as the listener receives it, like `readCapped` with a deadline. With a
 * Content-Length (the usual case), a body declared over `limit` is refused unread, and the rest
 * is read natively in one go.
 */
export async function readArrivedBody(
  request: Request,
  limit: number,
  within: number,
): Promise<{ bytes: Uint8Array<ArrayBuffer>; complete: boolean; late?: boolean }> {
  const declared = request.headers.get("content-length");
  if (declared === null || request.headers.has("transfer-encoding")) {
    return readCapped(request, limit, within);
  }
  if (Number(declared) > limit) return { bytes: new Uint8Array(), complete: false };
  const deadline = deadlineAfter(within);
  const read = request.bytes();
  try {
    const next = await Promise.race([read, deadline.late]);
    if (next === "late") {
      // The read fails once the connection is cut; nobody waits for it then.
      read.catch(() => {});
      return { bytes: new Uint8Array(), complete: false, late: true };
    }
    return { bytes: next, complete: true };
  } finally {
    deadline.clear();
  }
}

/** Resolves `late` once `within` ms have passed, unless `clear`ed before. */
function deadlineAfter(within: number): { late: Promise<"late">; clear(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), within);
  });
  return { late, clear: () => clearTimeout(timer) };
}

/**
 * Reads a request's or response's body up to `limit` bytes, cancelling the stream as soon as it
 * passes them; `complete` is false when there was more (`bytes` then holds the first `limit`).
 * With `within` (ms), a body that has not all arrived by then stops there too, `late` set: the
 * deadline is for the whole body, whatever the pace of its bytes.
 */
export async function readCapped(
  message: { body: ReadableStream<Uint8Array> | null },
  limit: number,
  within?: number,
): Promise<{ bytes: Uint8Array<ArrayBuffer>; complete: boolean; late?: boolean }> {
  if (!message.body) return { bytes: new Uint8Array(), complete: true };
  const reader = message.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const deadline = within === undefined ? undefined : deadlineAfter(within);
  try {
    for (;;) {
      const read = reader.read();
      const next = deadline ? await Promise.race([read, deadline.late]) : await read;
      if (next === "late") {
        // The read fails once the connection is cut; nobody waits for it then.
        read.catch(() => {});
        reader.cancel().catch(() => {});
        return { bytes: concat(chunks, total), complete: false, late: true };
      }
      const { done, value } = next;
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel().catch(() => {});
        return { bytes: concat(chunks, limit), complete: false };
      }
    }
  } finally {
    deadline?.clear();
  }
  return { bytes: concat(chunks, total), complete: true };
}

function concat(chunks: Uint8Array[], limit: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(limit);
  let offset = 0;
  for (const chunk of chunks) {
    if (offset >= limit) break;
    const part = chunk.subarray(0, limit - offset);
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}
