/**
 * Request ids past 2^53 - 1. JSON allows any integer, and MCP's schema says integer, but a
 * JavaScript number keeps 53 bits: `9007199254740993` parses as `9007199254740992`, and an answer
 * under that id would not match the client's request (a client that draws random 64-bit ids
 * sends such ids). The SDK refused them as "not a valid JSON-RPC message" under the rounded id,
 * which said nothing of why; this refusal names the id as sent and what to send instead.
 */

/** A JSON-RPC error refusing the first message of `body` with an integer id past 2^53 - 1. */
export function unsafeIdRefusal(
  body: unknown,
  text: string,
): { jsonrpc: "2.0"; id: null; error: { code: number; message: string } } | undefined {
  const messages = Array.isArray(body) ? body : [body];
  const unsafe = messages.some((message) => {
    const id = (message as { id?: unknown } | null)?.id;
    return typeof id === "number" && Number.isInteger(id) && !Number.isSafeInteger(id);
  });
  if (!unsafe) return undefined;
  const sent = /"id"\s*:\s*(-?\d{16,})/.exec(text)?.[1] ?? "an integer";
  const message =
    `Invalid Request: request id ${sent} is beyond ${Number.MAX_SAFE_INTEGER} (2^53 - 1), ` +
    "the largest integer id the gateway can answer under exactly; use a smaller integer or a string id";
  return { jsonrpc: "2.0", id: null, error: { code: -32600, message } };
}
