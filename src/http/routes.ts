import { type Caller, callerOf, toAuthInfo } from "../gateway/caller.ts";
import type { Gateway } from "../gateway/gateway.ts";
import { InputFlows } from "../gateway/input-flows.ts";
import { createBackendServer } from "../gateway/passthrough.ts";
import { createSessionServer } from "../gateway/server.ts";
import { SessionManager } from "../gateway/sessions.ts";
import { createMcpHandler, isLegacyRequest } from "../mcp/sdk.ts";
import type { AuditLog } from "../observe/audit.ts";
import type { CostGovernor } from "../observe/costs.ts";
import type { Observer } from "../observe/observer.ts";
import { readBodyLimited } from "../security/body.ts";
import { VERSION } from "../version.ts";
import { clientAddress, createTrustedProxies } from "./forwarded.ts";
import { LOOPBACK_HOSTS } from "./loopback.ts";
import { createUiHandler } from "./ui.ts";

/** The session scope of `/mcp?surface=flat` (backend names cannot start with `~`). */
const FLAT = "~flat";

/** Stateless (2026-07-28) requests share one session id, so `isolation: session` stays bounded. */
const STATELESS_SESSION = "stateless";

/** The default request body limit (413 above it). */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface Routes {
  /**
   * `peer`: the TCP peer's address, as the server saw it. From a `server.trusted_proxies` peer
   * the client's is taken from X-Forwarded-For; wrong keys are throttled per client address.
   */
  fetch(request: Request, peer?: string): Promise<Response>;
  /** Shutting down: new MCP requests get 503 while calls in flight finish. */
  drain(): void;
  sessions: SessionManager;
  close(): Promise<void>;
}

/** The gateway's HTTP surface as a plain `Request -> Response` function. */
export interface RoutesOptions {
  /** `POST /api/reload` (admins): re-read the config file and apply it. */
  reload?: () => Promise<unknown>;
  /** Feeds `/metrics`, and the dashboard's recent calls and usage. */
  observer?: Observer;
  /** The audit log and cost governance, for `/api/audit`, `/api/costs` and `/metrics`. */
  audit?: AuditLog;
  costs?: CostGovernor;
  /** The address bound (`serve --host` wins over `server.host`); a loopback one checks Host. */
  host?: string;
}

export function createRoutes(gateway: Gateway, options: RoutesOptions = {}): Routes {
  const sessions = new SessionManager(
    gateway,
    {
      ttl: gateway.config.server.session_ttl,
      maxSessions: gateway.config.server.max_sessions,
      maxSessionsPerCaller: gateway.config.server.max_sessions_per_caller,
    },
    async (scope, sessionId, caller) =>
      scope && scope !== FLAT
        ? createBackendServer(gateway, scope, { sessionId, caller, listen: true })
        : createSessionServer(gateway, {
            sessionId,
            caller,
            notifyListChanged: true,
            flat: scope === FLAT || undefined,
          }),
  );
  // Reverse requests during 2026-07-28 calls, held across the client's input_required retries.
  const flows = new InputFlows();
  // One stateless (2026-07-28) handler per backend behind /mcp/{backend}, made on first use.
  const modernBackends = new Map<string, ReturnType<typeof createMcpHandler>>();
  const modernFor = (backend: string) => {
    let handler = modernBackends.get(backend);
    if (!handler) {
      handler = createMcpHandler(
        (ctx) =>
          createBackendServer(gateway, backend, {
            sessionId: () => STATELESS_SESSION,
            caller: callerOf(ctx.authInfo),
            flows: ctx.era === "modern" ? flows : undefined,
          }),
        { legacy: "reject", maxRequestBodySize: MAX_BODY_BYTES },
      );
      modernBackends.set(backend, handler);
    }
    return handler;
  };
  const metaHandler = (flat: boolean | undefined) =>
    createMcpHandler(
      (ctx) =>
        createSessionServer(gateway, {
          sessionId: () => STATELESS_SESSION,
          caller: callerOf(ctx.authInfo),
          flows: ctx.era === "modern" ? flows : undefined,
          flat,
        }),
      { legacy: "reject", maxRequestBodySize: MAX_BODY_BYTES },
    );
  const modern = metaHandler(undefined);
  const modernFlat = metaHandler(true);
  const stopNotifying = gateway.onReachableToolsChanged(() => {
    modern.notify.toolsChanged();
    modernFlat.notify.toolsChanged();
  });
  const auth = gateway.security.auth;
  const allowedOrigins = new Set(gateway.config.server.allowed_origins);
  // Read once, like the rest of `server`: a change needs a restart.
  const trustedProxies = createTrustedProxies(gateway.config.server.trusted_proxies);
  const boundHost = options.host ?? gateway.config.server.host;
  const ui = createUiHandler(gateway, {
    observer: options.observer,
    audit: options.audit,
    costs: options.costs,
  });

  let draining = false;

  async function handleMcp(request: Request, caller: Caller, backend = ""): Promise<Response> {
    if (draining && request.method === "POST") {
      return jsonRpcError(503, -32603, "the gateway is shutting down; try again shortly");
    }
    let parsedBody: unknown;
    if (request.method === "POST") {
      const text = await readBodyLimited(request, MAX_BODY_BYTES);
      if (text === undefined) {
        return jsonRpcError(413, -32600, `request body too large (limit ${MAX_BODY_BYTES} bytes)`);
      }
      try {
        parsedBody = JSON.parse(text);
      } catch {
        return jsonRpcError(400, -32700, "parse error: the body is not valid JSON");
      }
      // A per-key rate limit counts messages: a batch pays for each one (the POST paid one).
      if (Array.isArray(parsedBody) && parsedBody.length > 1) {
        const over = auth.charge(caller, parsedBody.length - 1);
        if (over) return over;
      }
    }
    try {
      if (await isLegacyRequest(request, parsedBody)) {
        return await sessions.handle(request, parsedBody, backend, caller);
      }
      const authInfo = toAuthInfo(caller);
      const handler = backend === FLAT ? modernFlat : backend ? modernFor(backend) : modern;
      return await handler.fetch(request, { parsedBody, authInfo });
    } catch (error) {
      // A backend that cannot be reached fails the request that needed it, clearly.
      const message = error instanceof Error ? error.message : String(error);
      return jsonRpcError(502, -32603, message);
    }
  }

  /** DNS-rebinding protection: a browser page on a foreign origin may not drive the gateway. */
  function rejectForeign(request: Request): Response | undefined {
    const origin = request.headers.get("origin");
    if (origin && origin !== "null") {
      let host = "";
      try {
        host = new URL(origin).hostname;
      } catch {}
      const hostKey = host.includes(":") ? `[${host}]` : host;
      if (
        !LOOPBACK_HOSTS.has(host) &&
        !LOOPBACK_HOSTS.has(hostKey) &&
        !allowedOrigins.has(origin)
      ) {
        return Response.json({ error: `origin ${origin} is not allowed` }, { status: 403 });
      }
    }
    if (LOOPBACK_HOSTS.has(boundHost)) {
      const hostHeader = request.headers.get("host") ?? "";
      const hostname = hostHeader.replace(/:\d+$/, "");
      if (hostHeader && !LOOPBACK_HOSTS.has(hostname)) {
        return Response.json({ error: `host ${hostHeader} is not allowed` }, { status: 403 });
      }
    }
    return undefined;
  }

  /** `/health`: public; with auth on, an anonymous caller gets the status only. */
  async function health(request: Request, address?: string): Promise<Response> {
    const report = gateway.health();
    const serving = Object.values(report.backends).some((b) => b.state !== "failed");
    const status = serving || Object.keys(report.backends).length === 0 ? 200 : 503;
    // Throttled too: the full report would otherwise tell a right key from a wrong one.
    if (auth.required && (await auth.authenticate(request, address)) instanceof Response) {
      return Response.json({ status: report.status }, { status });
    }
    const { open, ...sessionLimits } = sessions.stats();
    return Response.json(
      { ...report, version: VERSION, sessions: open, sessionLimits },
      { status },
    );
  }

  return {
    sessions,
    drain() {
      draining = true;
    },
    async fetch(request, peer) {
      // Resolved once here: the lockout, its loopback exemption and the UI all see the client.
      const address = clientAddress(request, peer, trustedProxies);
      const url = new URL(request.url);
      const foreign = rejectForeign(request);
      if (foreign) return foreign;
      if (url.pathname === "/health" && request.method === "GET") return health(request, address);
      // RFC 9728 protected-resource metadata: public, so clients can find where to log in.
      const open = auth.publicResponse(request);
      if (open) return open;
      const caller = await auth.authenticate(request, address);
      // The dashboard serves its page and login form to anyone; its data needs the caller.
      if (ui.handles(url.pathname)) return ui.fetch(request, caller, address);
      if (caller instanceof Response) return caller;
      if (url.pathname === "/mcp" || url.pathname === "/mcp/") {
        // `?surface=flat`: this client gets every tool directly (flat mode) instead of meta tools.
        const flat = url.searchParams.get("surface") === "flat";
        return handleMcp(request, caller, flat ? FLAT : "");
      }
      if (url.pathname === "/api/reload" && request.method === "POST") {
        if (!caller.admin)
          return Response.json({ error: "reload needs an admin key" }, { status: 403 });
        if (!options.reload) return Response.json({ error: "nothing to reload" }, { status: 404 });
        try {
          return Response.json({ reloaded: true, ...((await options.reload()) as object) });
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          return Response.json({ reloaded: false, error: message }, { status: 422 });
        }
      }
      const backendRoute = /^\/mcp\/([^/]+)\/?$/.exec(url.pathname);
      if (backendRoute) {
        let backend: string;
        try {
          backend = decodeURIComponent(backendRoute[1]!);
        } catch {
          // A broken escape (`%E0%A4%A`) is the client's mistake: 400, never a 500.
          return jsonRpcError(400, -32600, `malformed percent-encoding in ${url.pathname}`);
        }
        // A backend the caller may not use at all is answered like one that does not exist.
        if (!gateway.pool.has(backend) || !caller.allows(gateway.pool.canonical(backend), "*")) {
          return jsonRpcError(404, -32601, `no backend named ${backend}; see /health`);
        }
        return handleMcp(request, caller, gateway.pool.canonical(backend));
      }
      return Response.json(
        { error: `no route for ${request.method} ${url.pathname}` },
        { status: 404 },
      );
    },
    async close() {
      stopNotifying();
      flows.close();
      await sessions.closeAll();
      await Promise.all([...modernBackends.values()].map((handler) => handler.close?.()));
      await modern.close?.();
      await modernFlat.close?.();
    },
  };
}

function jsonRpcError(status: number, code: number, message: string): Response {
  return Response.json({ jsonrpc: "2.0", error: { code, message }, id: null }, { status });
}
