/**
 * The one module that imports the MCP SDK. Everything else imports protocol types and classes
 * from here, so an SDK upgrade touches one place.
 */

import type { JSONRPCResponse } from "@modelcontextprotocol/client";
import { Client } from "@modelcontextprotocol/client";

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
