/**
 * A call the client cancelled gets no answer (the SDK drops it, as the spec asks), and the SDK
 * left its POST's SSE stream open for the rest of the session: the SDK's own client does not
 * abort that request, so every cancelled call held one more connection open on both ends, and
 * a long session hit `server.max_connections_per_address`. The stream of a request that came
 * alone in its POST is closed when its cancellation arrives (a batch's stream carries the other
 * requests' answers, and stays).
 */
import type { JSONRPCMessage, WebStandardStreamableHTTPServerTransport } from "../mcp/sdk.ts";

type Transport = WebStandardStreamableHTTPServerTransport;
type Id = string | number;

/** Per session transport: the requests in flight that each came alone in their POST. */
const alone = new WeakMap<Transport, Set<Id>>();

/** Call once the session's server is connected to `transport` (it sets `onmessage`). */
export function endCancelledStreams(transport: Transport): void {
  const ids = new Set<Id>();
  alone.set(transport, ids);
  const deliver = transport.onmessage;
  transport.onmessage = (message, extra) => {
    deliver?.(message, extra);
    const cancelled = cancelledId(message);
    if (cancelled !== undefined && ids.delete(cancelled)) transport.closeSSEStream(cancelled);
  };
  const send = transport.send.bind(transport);
  transport.send = (message, options) => {
    const answered = (message as { id?: unknown }).id;
    if ((typeof answered === "string" || typeof answered === "number") && !("method" in message)) {
      ids.delete(answered);
    }
    return send(message, options);
  };
}

/** Records a POST's body before the transport handles it. */
export function noteRequest(transport: Transport, body: unknown): void {
  const message = body as { id?: unknown; method?: unknown } | null;
  if (!message || Array.isArray(message) || typeof message.method !== "string") return;
  if (typeof message.id === "string" || typeof message.id === "number") {
    alone.get(transport)?.add(message.id);
  }
}

function cancelledId(message: JSONRPCMessage): Id | undefined {
  if (!("method" in message) || message.method !== "notifications/cancelled") return undefined;
  const id = (message.params as { requestId?: unknown } | undefined)?.requestId;
  return typeof id === "string" || typeof id === "number" ? id : undefined;
}
