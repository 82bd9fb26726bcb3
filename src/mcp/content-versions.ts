/**
 * Results in the terms of the client's protocol revision. The gateway speaks the latest revision
 * to its backends, so a backend never learns that a client negotiated an older one and sends it
 * content blocks that revision does not have: `audio` (2025-03-26) and `resource_link`
 * (2025-06-18). A client's schema refuses a result holding an unknown block (the SDK's own
 * clients of those revisions fail the whole call), so for such a client each becomes a text
 * block saying what it was.
 */
import type { JSONRPCMessage } from "./sdk.ts";

const AUDIO_SINCE = "2025-03-26";
const RESOURCE_LINK_SINCE = "2025-06-18";

type Block = { type?: unknown; [key: string]: unknown };

/** `message` as a client of `version` can read it (the same object when nothing changes). */
export function forClientVersion(
  version: string | undefined,
  message: JSONRPCMessage,
): JSONRPCMessage {
  if (!version || version >= RESOURCE_LINK_SINCE || !("result" in message)) return message;
  const content = (message.result as { content?: unknown }).content;
  if (!Array.isArray(content) || !content.some((block) => unknown(version, block))) return message;
  const readable = content.map((block: Block) =>
    unknown(version, block) ? { type: "text", text: describe(block) } : block,
  );
  return { ...message, result: { ...message.result, content: readable } } as JSONRPCMessage;
}

/** The revision an `initialize` answer settled on, if `message` is one. */
export function negotiatedVersion(message: JSONRPCMessage): string | undefined {
  if (!("result" in message)) return undefined;
  const result = message.result as { protocolVersion?: unknown; serverInfo?: unknown };
  return typeof result.protocolVersion === "string" && result.serverInfo
    ? result.protocolVersion
    : undefined;
}

function unknown(version: string, block: Block): boolean {
  if (block?.type === "resource_link") return version < RESOURCE_LINK_SINCE;
  if (block?.type === "audio") return version < AUDIO_SINCE;
  return false;
}

function describe(block: Block): string {
  if (block.type === "audio") {
    return `[audio (${String(block.mimeType ?? "unknown type")}) left out: this client's protocol version has no audio content]`;
  }
  const name = block.title ?? block.name ?? block.uri;
  const about = typeof block.description === "string" ? ` (${block.description})` : "";
  return `Resource link: ${String(name)} <${String(block.uri)}>${about}`;
}

/** Makes `transport` send every result in the terms of the revision its client negotiated. */
export function speakClientVersion(transport: {
  send(message: JSONRPCMessage, options?: never): Promise<void>;
}): void {
  let version: string | undefined;
  const send = transport.send.bind(transport);
  transport.send = (message, options) => {
    version ??= negotiatedVersion(message);
    return send(forClientVersion(version, message), options);
  };
}
