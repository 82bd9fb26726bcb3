/**
 * A GET stream's response starts with an SSE comment. Bun sends a streamed response's headers
 * with its first bytes, and the SDK writes none on a session's GET stream until an event or its
 * first keep-alive (15 s): a client waiting for its stream to open waited that long.
 */
const OPENING = new TextEncoder().encode(": stream open\n\n");

export function openedAtOnce(response: Response): Response {
  const body = response.body;
  if (
    !response.ok ||
    !body ||
    !response.headers.get("content-type")?.includes("text/event-stream")
  ) {
    return response;
  }
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>({
    start: (controller) => controller.enqueue(OPENING),
  });
  // A client that goes away cancels `readable`, which cancels the SDK's stream (its cleanup).
  void body.pipeTo(writable).catch(() => {});
  return new Response(readable, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}
