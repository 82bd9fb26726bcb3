/**
 * CORS on the MCP endpoints for the browser origins `server.allowed_origins` lists: a web client
 * there (a browser-based MCP inspector connecting directly, a web agent) sends a preflight
 * before its first POST (JSON body, `Mcp-Session-Id` and `MCP-Protocol-Version` headers) and
 * may read an answer, and its `Mcp-Session-Id` header, only when the answer says so. Without
 * this the preflight got 405 and every answer was opaque to the page: listing an origin let it
 * through the Origin check and changed nothing else. Only `/mcp`, `/mcp/{backend}` and the
 * OAuth metadata are shared; the dashboard and `/api` stay same-origin. No credentials: the MCP
 * endpoints read a bearer token, never the dashboard's cookie.
 */

/** Response headers a browser client must read: the session, the revision, an auth challenge. */
const EXPOSED = "Mcp-Session-Id, Mcp-Protocol-Version, WWW-Authenticate, Retry-After";
/** Request headers an MCP client sends, allowed when a preflight names none. */
const ALLOWED =
  "Accept, Authorization, Content-Type, Last-Event-ID, Mcp-Session-Id, MCP-Protocol-Version, X-MCP-Profile";

/** Whether `path` is shared with the listed origins. */
function sharedPath(path: string): boolean {
  return (
    path === "/mcp" ||
    path.startsWith("/mcp/") ||
    path.startsWith("/.well-known/oauth-protected-resource")
  );
}

/**
 * The CORS side of a request from a listed origin to a shared path: its preflight answer, and
 * the headers every answer to it carries. Undefined for any other request (same-origin, no
 * Origin, an origin not listed, another path).
 */
export function corsFor(
  request: Request,
  url: URL,
  allowed: ReadonlySet<string>,
): { preflight(): Response; decorate(response: Response): Response } | undefined {
  const origin = request.headers.get("origin");
  if (!origin || !allowed.has(origin) || !sharedPath(url.pathname)) return undefined;
  return {
    preflight() {
      const asked = request.headers.get("access-control-request-headers");
      return new Response(null, {
        status: 204,
        headers: {
          "Access-Control-Allow-Origin": origin,
          "Access-Control-Allow-Methods": "GET, POST, DELETE, OPTIONS",
          "Access-Control-Allow-Headers": asked?.trim() ? asked : ALLOWED,
          "Access-Control-Max-Age": "600",
          Vary: "Origin",
        },
      });
    },
    decorate(response) {
      // Headers of a relayed answer (fetched from another instance) cannot be changed in place.
      const headers = new Headers(response.headers);
      headers.set("Access-Control-Allow-Origin", origin);
      headers.set("Access-Control-Expose-Headers", EXPOSED);
      headers.append("Vary", "Origin");
      return new Response(response.body, {
        status: response.status,
        statusText: response.statusText,
        headers,
      });
    },
  };
}
