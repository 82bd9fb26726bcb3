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
 */
export async function readCapped(
  message: { body: ReadableStream<Uint8Array> | null },
  limit: number,
): Promise<{ bytes: Uint8Array; complete: boolean }> {
  if (!message.body) return { bytes: new Uint8Array(), complete: true };
  const reader = message.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      return { bytes: concat(chunks, limit), complete: false };
    }
  }
  return { bytes: concat(chunks, total), complete: true };
}

function concat(chunks: Uint8Array[], limit: number): Uint8Array {
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
