/**
 * The one module that imports the MCP SDK. Everything else imports protocol types and classes
 * from here, so an SDK upgrade touches one place.
 */

import type { JSONRPCResponse } from "@modelcontextprotocol/client";
import { Client } from "@modelcontextprotocol/client";
import {
  isJSONRPCRequest,
  isLegacyRequest,
  PROTOCOL_VERSION_META_KEY,
  SUPPORTED_PROTOCOL_VERSIONS,
  type WebStandardStreamableHTTPServerTransport,
} from "@modelcontextprotocol/server";

export type {
  AuthProvider,
  CallToolResult,
  ClientCapabilities,
  JSONRPCMessage,
  ListToolsResult,
  OAuthClientMetadata,
  OAuthClientProvider,
  OAuthDiscoveryState,
  RequestMethod,
  ServerCapabilities,
  StoredOAuthClientInformation,
  StoredOAuthTokens,
  Tool,
  Transport,
} from "@modelcontextprotocol/client";
export {
  auth as runOAuth,
  extractWWWAuthenticateParams,
  ReadBuffer,
  SSEClientTransport,
  StreamableHTTPClientTransport,
  serializeMessage,
} from "@modelcontextprotocol/client";
export type {
  EventId,
  EventStore,
  InputRequest,
  InputRequiredResult,
  LoggingLevel,
  Prompt,
  Resource,
  ResourceTemplateType as ResourceTemplate,
  ServerContext,
  StreamId,
} from "@modelcontextprotocol/server";
export {
  createMcpHandler,
  createRequestStateCodec,
  inputRequired,
  isInitializeRequest,
  isLegacyRequest,
  ProtocolError,
  ProtocolErrorCode,
  Server,
  UriTemplate,
  WebStandardStreamableHTTPServerTransport,
} from "@modelcontextprotocol/server";

/**
 * The SDK client, with responses dispatched one microtask later so that a progress notification
 * read in the same chunk as its result is delivered first (the SDK handles notifications on a
 * microtask and responses synchronously, and drops the late progress otherwise).
 */
export class OrderedClient extends Client {
  protected override _onresponse(response: JSONRPCResponse): void {
    queueMicrotask(() => super._onresponse(response));
  }
}
export { AjvJsonSchemaValidator } from "@modelcontextprotocol/server/validators/ajv";

/** The SDK transport's name for a session's GET stream (the stream part of its event ids). */
export const STANDALONE_STREAM = "_GET_stream";

/**
 * Ends the connection that POST stream `streamId` has now, if any: a client resuming it with
 * Last-Event-ID takes it over. The SDK's transport refuses such a resume (409) while it believes
 * the old connection alive, and closes a stream only by the id of a request on it; that map is
 * private, so it is read here, in the one module that knows the SDK (a test covers it:
 * test/mcp/protocol-11-resume.test.ts).
 */
export function closeStream(
  transport: WebStandardStreamableHTTPServerTransport,
  streamId: string,
): void {
  const streams = (
    transport as unknown as { _requestToStreamMapping?: Map<string | number, string> }
  )._requestToStreamMapping;
  for (const [requestId, stream] of streams ?? []) {
    if (stream !== streamId) continue;
    transport.closeSSEStream(requestId);
    return;
  }
}

/** The 2025-era revisions (the `initialize` list: the SDK keeps 2026-07-28 and later apart). */
const LEGACY_VERSIONS = new Set(SUPPORTED_PROTOCOL_VERSIONS);

/**
 * `isLegacyRequest`, answered at once for the common 2025-era POST: a JSON-RPC request (the
 * SDK's own check) without the per-request envelope claim in `params._meta`, and with no
 * MCP-Protocol-Version header or a 2025-era one. The SDK routes exactly those to legacy too, but
 * only after trying the body as a response and as an error first; anything else is its call.
 */
export async function isLegacy(request: Request, parsedBody: unknown): Promise<boolean> {
  return plainLegacyRequest(request, parsedBody) || isLegacyRequest(request, parsedBody);
}

/** The quick half of `isLegacy`: true only where the SDK would say legacy too. */
export function plainLegacyRequest(request: Request, body: unknown): boolean {
  if (request.method !== "POST" || !isPlainObject(body)) return false;
  const version = request.headers.get("mcp-protocol-version");
  if (version !== null && !LEGACY_VERSIONS.has(version)) return false;
  const meta = isPlainObject(body.params) ? body.params._meta : undefined;
  if (isPlainObject(meta) && PROTOCOL_VERSION_META_KEY in meta) return false;
  return isJSONRPCRequest(body);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
