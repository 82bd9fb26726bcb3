/**
 * Reads a request body as UTF-8 text, stopping as soon as it passes `maxBytes`: the limit holds
 * for bodies without a Content-Length (chunked) and for multi-byte text, and an oversized body
 * is never buffered whole. Returns undefined when the body is too large.
 */
export async function readBodyLimited(
  request: Request,
  maxBytes: number,
): Promise<string | undefined> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > maxBytes) return undefined;
  const { bytes, complete } = await readCapped(request, maxBytes);
  return complete ? new TextDecoder().decode(bytes) : undefined;
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
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline =
    within === undefined
      ? undefined
      : new Promise<"late">((resolve) => {
          timer = setTimeout(() => resolve("late"), within);
        });
  try {
    for (;;) {
      const read = reader.read();
      const next = deadline ? await Promise.race([read, deadline]) : await read;
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
    clearTimeout(timer);
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
