import { relayInput, shareInputFlows } from "../cluster/input.ts";
import type { ClusterLink } from "../cluster/link.ts";
import {
  isRelayed,
  noteClientAddress,
  relayedAddress,
  relayedCertificate,
} from "../cluster/relay.ts";
import { otherInstancesTasks, relayTask } from "../cluster/tasks.ts";
import { type Caller, callerOf, statelessSession, toAuthInfo } from "../gateway/caller.ts";
import type { Gateway, HealthReport } from "../gateway/gateway.ts";
import { FLOW_TTL_MS, InputFlows } from "../gateway/input-flows.ts";
import { createBackendServer } from "../gateway/passthrough.ts";
import { requestedProfile, withProfile } from "../gateway/profiles.ts";
import { createSessionServer } from "../gateway/server.ts";
import { SessionManager } from "../gateway/sessions.ts";
import { answerStatelessTask, isTaskCall } from "../gateway/stateless-tasks.ts";
import { webhooksFor } from "../gateway/webhooks.ts";
import { answerAsJson, checkAccept } from "../mcp/accept.ts";
import { unsafeIdRefusal } from "../mcp/ids.ts";
import { createMcpHandler, isLegacy } from "../mcp/sdk.ts";
import type { AuditLog } from "../observe/audit.ts";
import type { CostGovernor } from "../observe/costs.ts";
import type { Observer } from "../observe/observer.ts";
import { readBodyLimited } from "../security/body.ts";
import { skillsFor } from "../skills/serve.ts";
import { VERSION } from "../version.ts";
import { attachClientCertificate } from "./client-cert.ts";
import { corsFor } from "./cors.ts";
import { clientAddress, createTrustedProxies } from "./forwarded.ts";
import { LOOPBACK_HOSTS } from "./loopback.ts";
import { createLazyUiHandler } from "./ui-lazy.ts";

/** The session scope of `/mcp?surface=flat` (backend names cannot start with `~`). */
const FLAT = "~flat";
/** The session scope of `/mcp?codemode=search_and_execute` (the original gateway's parameter). */
const CODE_MODE = "~codemode";

/** The default request body limit (413 above it). */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface Routes {
  /**
   * `peer`: the TCP peer's address, as the server saw it. From a `server.trusted_proxies` peer
   * the client's is taken from X-Forwarded-For; wrong keys are throttled per client address.
   */
  fetch(request: Request, peer?: string): Promise<Response>;
  /** The client's address as `fetch` resolves it (connection caps count per client). */
  clientAddress(request: Request, peer?: string): string | undefined;
  /**
   * Shutting down, first step (`server.drain_delay`): requests are still served, `/health`
   * answers 503 `draining`, and every answer closes its connection after it.
   */
  leave(): void;
  /** Shutting down: new MCP requests get 503 while calls in flight finish. */
  drain(): void;
  sessions: SessionManager;
  close(): Promise<void>;
}

/** The gateway's HTTP surface as a plain `Request -> Response` function. */
export interface RoutesOptions {
  /** `POST /api/reload` (admins): re-read the config file and apply it. */
  reload?: (by: string) => Promise<unknown>;
  /** Feeds `/metrics`, and the dashboard's recent calls and usage. */
  observer?: Observer;
  /** The audit log and cost governance, for `/api/audit`, `/api/costs` and `/metrics`. */
  audit?: AuditLog;
  costs?: CostGovernor;
  /** The address bound (`serve --host` wins over `server.host`); a loopback one checks Host. */
  host?: string;
  /** Shared state with the other instances of a cluster (`cluster:`). */
  cluster?: ClusterLink;
  /** Cluster: this instance's config digest, and the instances heard running another. */
  configDrift?: () => { config: string; differing: { instance: string; config: string }[] };
}

export function createRoutes(gateway: Gateway, options: RoutesOptions = {}): Routes {
  const sessions = new SessionManager(
    gateway,
    {
      ttl: gateway.config.server.session_ttl,
      maxSessions: gateway.config.server.max_sessions,
      maxSessionsPerCaller: gateway.config.server.max_sessions_per_caller,
      activeWindow: gateway.config.server.session_active_window,
      eventBufferBytes: gateway.config.server.event_buffer_bytes,
      cluster: options.cluster,
    },
    async (scope, sessionId, caller) =>
      scope && scope !== FLAT && scope !== CODE_MODE
        ? createBackendServer(gateway, scope, { sessionId, caller, listen: true })
        : createSessionServer(gateway, {
            sessionId,
            caller,
            notifyListChanged: true,
            flat: scope === FLAT || undefined,
            codeMode: scope === CODE_MODE,
          }),
  );
  // Reverse requests during 2026-07-28 calls, held across the client's input_required retries.
  const flows = new InputFlows();
  // A backend's sampling request reaches a modern client redacted, as it does an older one.
  flows.filter = (method, params) =>
    gateway.security.filterNotification(method, params) as typeof params;
  if (options.cluster) shareInputFlows(flows, options.cluster, FLOW_TTL_MS);
  // One stateless (2026-07-28) handler per backend behind /mcp/{backend}, made on first use.
  const modernBackends = new Map<string, ReturnType<typeof createMcpHandler>>();
  const modernFor = (backend: string) => {
    let handler = modernBackends.get(backend);
    if (!handler) {
      handler = createMcpHandler(
        (ctx) =>
          createBackendServer(gateway, backend, {
            sessionId: () => statelessSession(callerOf(ctx.authInfo).id),
            caller: callerOf(ctx.authInfo),
            flows: ctx.era === "modern" ? flows : undefined,
          }),
        { legacy: "reject", maxRequestBodySize: MAX_BODY_BYTES },
      );
      modernBackends.set(backend, handler);
    }
    return handler;
  };
  // The 2026-07-28 requests that are task-augmented tool calls (their server serves those apart).
  const taskCalls = new WeakSet<Request>();
  const metaHandler = (flat: boolean | undefined, codeMode = false) =>
    createMcpHandler(
      (ctx) =>
        createSessionServer(gateway, {
          sessionId: () => statelessSession(callerOf(ctx.authInfo).id),
          caller: callerOf(ctx.authInfo),
          flows: ctx.era === "modern" ? flows : undefined,
          flat,
          codeMode,
          taskCall: !!ctx.requestInfo && taskCalls.has(ctx.requestInfo),
        }),
      { legacy: "reject", maxRequestBodySize: MAX_BODY_BYTES },
    );
  const modern = metaHandler(undefined);
  const modernFlat = metaHandler(true);
  const modernCodeMode = metaHandler(undefined, true);
  const stopNotifying = gateway.onReachableToolsChanged(() => {
    modern.notify.toolsChanged();
    modernFlat.notify.toolsChanged();
    modernCodeMode.notify.toolsChanged();
  });
  // A skill added, changed or removed: stateless listeners re-list resources and prompts.
  const stopSkills = skillsFor(gateway)?.onChange(() => {
    for (const handler of [modern, modernFlat, modernCodeMode]) {
      handler.notify.resourcesChanged();
      handler.notify.promptsChanged();
    }
  });
  const auth = gateway.security.auth;
  const allowedOrigins = new Set(gateway.config.server.allowed_origins);
  // Behind a proxy, pages come from the public URL: its origin and host are the gateway's own.
  const publicUrl = gateway.config.server.public_url
    ? new URL(gateway.config.server.public_url)
    : undefined;
  if (publicUrl) allowedOrigins.add(publicUrl.origin);
  // Read once, like the rest of `server`: a change needs a restart.
  const trustedProxies = createTrustedProxies(gateway.config.server.trusted_proxies);
  const boundHost = options.host ?? gateway.config.server.host;
  const ui = createLazyUiHandler(gateway, {
    observer: options.observer,
    audit: options.audit,
    costs: options.costs,
  });

  let draining = false;
  let leaving = false;

  /**
   * The client of `request`: through `server.trusted_proxies`; for a request another instance
   * relayed, the client that instance resolved (not the instance itself).
   */
  function addressOf(request: Request, peer: string | undefined): string | undefined {
    return relayedAddress(request, options.cluster) ?? clientAddress(request, peer, trustedProxies);
  }

  async function handleMcp(
    request: Request,
    caller: Caller,
    backend: string,
    address: string | undefined,
  ): Promise<Response> {
    if (draining && request.method === "POST") {
      // Not run: safe to send again, to another instance (nginx: proxy_next_upstream http_503).
      const refused = jsonRpcError(503, -32603, "the gateway is shutting down; try again shortly");
      refused.headers.set("Retry-After", "1");
      return refused;
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
      const unsafe = unsafeIdRefusal(parsedBody, text);
      if (unsafe) return Response.json(unsafe, { status: 400 });
      // A per-key rate limit counts messages: a batch pays for each one (the POST paid one),
      // once: where it arrived, not again on the instance it is relayed to.
      if (
        Array.isArray(parsedBody) &&
        parsedBody.length > 1 &&
        !isRelayed(request, options.cluster)
      ) {
        const over = await auth.charge(caller, parsedBody.length - 1);
        if (over) return over;
      }
    }
    try {
      if (await isLegacy(request, parsedBody)) {
        const accept = checkAccept(request);
        if (accept instanceof Response) return accept;
        const response = await sessions.handle(request, parsedBody, backend, caller, address);
        return accept.jsonOnly ? await answerAsJson(response, parsedBody) : response;
      }
      // A retry with input for a call another instance holds goes on to that instance.
      const held = await relayInput(request, parsedBody, caller.id, options.cluster);
      if (held) return held;
      // A task another instance made is answered there (its backend process holds it).
      const relayed = await relayTask(
        request,
        parsedBody,
        caller.id,
        gateway.tasks,
        options.cluster,
      );
      if (relayed) return relayed;
      // tasks/result and tasks/list, which the SDK refuses on a 2026-07-28 request.
      const own = await answerStatelessTask(
        gateway,
        parsedBody,
        caller,
        backend && backend !== FLAT && backend !== CODE_MODE ? backend : undefined,
        request.signal,
        () => otherInstancesTasks(request, parsedBody, caller.id, options.cluster),
      );
      if (own) return own;
      // Stateless: the profile a request names (or the default) holds for that request alone.
      const asked = requestedProfile(gateway.config, request, parsedBody);
      if ("error" in asked) return jsonRpcError(400, -32602, asked.error);
      const binding = { name: asked.name, switchable: false };
      const authInfo = toAuthInfo(withProfile(caller, () => gateway.config, binding));
      const handler =
        backend === FLAT
          ? modernFlat
          : backend === CODE_MODE
            ? modernCodeMode
            : backend
              ? modernFor(backend)
              : modern;
      if (isTaskCall(parsedBody)) taskCalls.add(request);
      return await handler.fetch(request, { parsedBody, authInfo });
    } catch (error) {
      // A backend that cannot be reached fails the request that needed it, clearly.
      const message = error instanceof Error ? error.message : String(error);
      return jsonRpcError(502, -32603, message);
    }
  }

  /** `?codemode=`: only `search_and_execute`, and only with `code_mode.enabled`. */
  function refuseCodeMode(value: string): Response | undefined {
    if (value !== "search_and_execute") {
      return jsonRpcError(
        400,
        -32600,
        `unknown codemode "${value}"; use codemode=search_and_execute`,
      );
    }
    if (!gateway.config.code_mode.enabled) {
      return jsonRpcError(
        404,
        -32601,
        "code mode is off on this gateway; set code_mode.enabled: true in gateway.yaml",
      );
    }
    return undefined;
  }

  /**
   * DNS-rebinding and cross-origin protection: a browser page may drive the gateway only from
   * the gateway's own origin (a loopback host on the same scheme and port) or one listed in
   * `server.allowed_origins`. Another port is another site (a dev server, or anything else on the
   * host, receives the dashboard's cookie); `server.public_url`'s origin is the gateway's own too
   * (a TLS-terminating proxy in front). `Origin: null` (sandboxed frames, some redirects)
   * may not change anything.
   */
  function rejectForeign(request: Request, url: URL): Response | undefined {
    const origin = request.headers.get("origin");
    if (origin === "null") {
      if (!SAFE_METHODS.has(request.method)) {
        return Response.json(
          { error: `origin null may not ${request.method} ${url.pathname}` },
          { status: 403 },
        );
      }
    } else if (origin && !allowedOrigins.has(origin) && !isOwnOrigin(origin, request, url)) {
      return Response.json(
        {
          error: `origin ${origin} is not allowed (add it to server.allowed_origins to let a page there use the gateway)`,
        },
        { status: 403 },
      );
    }
    if (LOOPBACK_HOSTS.has(boundHost)) {
      const hostHeader = request.headers.get("host") ?? "";
      const hostname = hostHeader.replace(/:\d+$/, "");
      if (
        hostHeader &&
        !LOOPBACK_HOSTS.has(hostname) &&
        hostHeader.toLowerCase() !== publicUrl?.host
      ) {
        return Response.json({ error: `host ${hostHeader} is not allowed` }, { status: 403 });
      }
    }
    return undefined;
  }

  /** `/health`: public; with auth on, an anonymous caller gets the status only. */
  async function health(request: Request, address?: string): Promise<Response> {
    if (leaving) return Response.json({ status: "draining" }, { status: 503 });
    const report = gateway.health();
    const cluster = options.cluster?.status();
    if (cluster?.redis === "down") report.status = "degraded";
    const serving = Object.values(report.backends).some((b) => b.state !== "failed");
    const status = serving || Object.keys(report.backends).length === 0 ? 200 : 503;
    // Throttled too: the full report would otherwise tell a right key from a wrong one.
    const caller = auth.required ? await auth.authenticate(request, address) : undefined;
    if (caller instanceof Response) {
      return Response.json({ status: report.status }, { status });
    }
    const { open, ...sessionLimits } = sessions.stats();
    return Response.json(
      {
        ...(caller && !caller.admin ? scopedHealth(report, caller) : report),
        version: VERSION,
        sessions: open,
        sessionLimits,
        // Rate limits, the lockout and budgets count across the cluster only while Redis answers.
        ...(cluster
          ? {
              cluster: {
                ...cluster,
                counters: cluster.redis === "down" ? "local" : "shared",
                // Counted while Redis answers; limits counted locally divide by it meanwhile.
                instances: options.cluster?.peers?.size() ?? 1,
                ...configDriftEntry(options.configDrift?.()),
              },
            }
          : {}),
      },
      { status },
    );
  }

  /**
   * `/health` for a key that is not an admin: what concerns the backends its scopes reach (their
   * state, findings, lock changes, skills if granted), the firewall's counts by rule, not other
   * sessions' surfaces nor what the firewall last refused.
   */
  function scopedHealth(report: HealthReport, caller: Caller): HealthReport {
    const reach = (server: string) => caller.allows(server, "*");
    const { security, surfaces, skills, capabilities, resourceClashes, disabled, ...rest } = report;
    const kept = disabled?.filter((entry) => reach(entry.server));
    const clashes = resourceClashes?.filter((clash) => reach(clash.owner) && reach(clash.other));
    const backends = Object.entries(report.backends).filter(([name]) => reach(name));
    // Degraded by what this key reaches (and Redis), never by a backend it may not know of.
    const degraded =
      options.cluster?.status().redis === "down" ||
      !!kept?.length ||
      backends.some(([, backend]) => backend.state === "failed" || backend.state === "open");
    return {
      ...rest,
      status: degraded ? "degraded" : "ok",
      tools: backends.reduce((sum, [, backend]) => sum + backend.tools, 0),
      backends: Object.fromEntries(backends),
      ...(security
        ? {
            security: {
              ...security,
              poisoning: {
                ...security.poisoning,
                findings: security.poisoning.findings.filter((f) => reach(f.server)),
              },
              quarantined: security.quarantined.filter((entry) => reach(entry.split(":")[0]!)),
              // The counts by rule, not the last refusal's text: that is another key's
              // arguments, to a backend this key may not reach.
              firewall: {
                ...security.firewall,
                events: Object.fromEntries(
                  Object.entries(security.firewall.events).map(([rule, { blocked, warned }]) => [
                    rule,
                    { blocked, warned },
                  ]),
                ),
              },
              ...(security.lock
                ? {
                    lock: {
                      ...security.lock,
                      changes: Object.fromEntries(
                        Object.entries(security.lock.changes).filter(([name]) => reach(name)),
                      ),
                    },
                  }
                : {}),
            },
          }
        : {}),
      ...(skills && reach("skills") ? { skills } : {}),
      ...(capabilities && reach(capabilities.server) ? { capabilities } : {}),
      ...(clashes?.length ? { resourceClashes: clashes } : {}),
      ...(kept?.length ? { disabled: kept } : {}),
    };
  }

  /** Everything past the Origin check: health, webhooks, auth, the MCP endpoints, the API. */
  async function route(request: Request, url: URL, address: string | undefined): Promise<Response> {
    if (url.pathname === "/health" && request.method === "GET") return health(request, address);
    // Webhooks carry a signature, not an API key: they are checked in webhooks.ts.
    const hooks = gateway.config.webhooks;
    if (hooks.enabled && url.pathname.startsWith(`${hooks.base_path}/`)) {
      return webhooksFor(gateway).receive(request, url.pathname.slice(hooks.base_path.length + 1));
    }
    // RFC 9728 protected-resource metadata: public, so clients can find where to log in.
    const open = auth.publicResponse(request);
    if (open) return open;
    // Nothing else is published there: a client probing for OAuth or OpenID metadata on a
    // gateway without OAuth must hear "none" (404), not "authenticate" (401), which sends it
    // looking for an authorization server that does not exist.
    if (/(^|\/)\.well-known\//.test(url.pathname)) {
      return Response.json(
        {
          error: `${url.pathname} is not published here${gateway.config.auth.oauth ? "" : " (auth.oauth is not configured: clients authenticate with an API key)"}`,
        },
        { status: 404 },
      );
    }
    // A relayed request's client certificate is the one the relaying instance verified.
    const relayedCert = relayedCertificate(request, options.cluster);
    if (relayedCert !== undefined) attachClientCertificate(request, relayedCert ?? undefined);
    // A request another instance relayed was charged to the key's shared limit there.
    const caller = await auth.authenticate(request, address, {
      uncharged: isRelayed(request, options.cluster),
    });
    // The dashboard serves its page and login form to anyone; its data needs the caller.
    if (ui.handles(url.pathname)) return ui.fetch(request, caller, address);
    if (caller instanceof Response) return caller;
    if (url.pathname === "/mcp" || url.pathname === "/mcp/") {
      // `?surface=flat`: this client gets every tool directly (flat mode) instead of meta tools.
      const flat = url.searchParams.get("surface") === "flat";
      const codeMode = url.searchParams.get("codemode");
      if (codeMode !== null) {
        const refused = refuseCodeMode(codeMode);
        if (refused) return refused;
        return handleMcp(request, caller, CODE_MODE, address);
      }
      return handleMcp(request, caller, flat ? FLAT : "", address);
    }
    // `/ui/api/reload`: the original gateway's path.
    if (/^(\/ui)?\/api\/reload$/.test(url.pathname) && request.method === "POST") {
      if (!caller.admin)
        return Response.json({ error: "reload needs an admin key" }, { status: 403 });
      if (!options.reload) return Response.json({ error: "nothing to reload" }, { status: 404 });
      try {
        const summary = (await options.reload(caller.id)) as object;
        // Capability files that do not load are no reason to refuse it, but worth saying.
        const problems = gateway.health().capabilities?.problems;
        return Response.json({
          reloaded: true,
          ...summary,
          ...(problems ? { capabilityProblems: problems } : {}),
        });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return Response.json({ reloaded: false, error: message }, { status: 422 });
      }
    }
    // `/mcp/NAME/more`: the original routed it but its handler read only NAME, so it never reached
    // the backend (500). Named here as /mcp/NAME is, so the client hears the URL to use.
    const backendRoute = /^\/mcp\/([^/]+)(\/.*)?$/.exec(url.pathname);
    if (backendRoute) {
      let backend: string;
      try {
        backend = decodeURIComponent(backendRoute[1]!);
      } catch {
        // A broken escape (`%E0%A4%A`) is the client's mistake: 400, never a 500.
        return jsonRpcError(400, -32600, `malformed percent-encoding in ${url.pathname}`);
      }
      // A backend the caller may not use at all is answered like one that does not exist.
      // The profile the request names (or the default) hides a backend as scopes do.
      const asked = requestedProfile(gateway.config, request, undefined);
      const profiled =
        "error" in asked
          ? caller
          : withProfile(caller, () => gateway.config, { name: asked.name, switchable: false });
      if (!gateway.pool.has(backend) || !profiled.allows(gateway.pool.canonical(backend), "*")) {
        return jsonRpcError(404, -32601, `no backend named ${backend}; see /health`);
      }
      const rest = backendRoute[2];
      if (rest && rest !== "/") {
        const endpoint = new URL(`/mcp/${backendRoute[1]}`, publicUrl ?? url.origin).href;
        return jsonRpcError(
          404,
          -32601,
          `backend ${backend}'s MCP endpoint is ${endpoint}, not ${url.pathname}: point the client's URL at it (Streamable HTTP)`,
        );
      }
      return handleMcp(request, caller, gateway.pool.canonical(backend), address);
    }
    if (LEGACY_SSE_PATHS.has(url.pathname)) {
      return legacySseGone(url.pathname, new URL("/mcp", publicUrl ?? url.origin).href);
    }
    return Response.json(
      { error: `no route for ${request.method} ${url.pathname}` },
      { status: 404 },
    );
  }

  /** One request's answer (`fetch` adds what shutting down asks of it). */
  async function answer(request: Request, peer: string | undefined): Promise<Response> {
    // Resolved once here: the lockout, its loopback exemption and the UI all see the client.
    const address = addressOf(request, peer);
    // Only a relay to another instance reads it back.
    if (options.cluster) noteClientAddress(request, address);
    const url = new URL(request.url);
    const foreign = rejectForeign(request, url);
    if (foreign) return foreign;
    // A web client on a listed origin: its preflight, and answers its page may read.
    const cors = corsFor(request, url, allowedOrigins);
    if (!cors) return route(request, url, address);
    if (request.method === "OPTIONS") return cors.preflight();
    return cors.decorate(await route(request, url, address));
  }

  return {
    sessions,
    leave() {
      leaving = true;
    },
    drain() {
      leaving = draining = true;
    },
    clientAddress: addressOf,
    async fetch(request, peer) {
      const response = await answer(request, peer);
      if (!leaving) return response;
      // Shutting down: a keep-alive connection is closed by this answer, not later while idle
      // (a balancer that sends its next request on it as it closes gets a reset: a 502).
      try {
        response.headers.set("Connection", "close");
        return response;
      } catch {
        // Headers of a relayed answer are read-only: the same answer with its own.
        const headers = new Headers(response.headers);
        headers.set("Connection", "close");
        return new Response(response.body, { status: response.status, headers });
      }
    },
    async close() {
      ui.close();
      stopNotifying();
      stopSkills?.();
      flows.close();
      await sessions.closeAll();
      await Promise.all([...modernBackends.values()].map((handler) => handler.close?.()));
      await modern.close?.();
      await modernFlat.close?.();
      await modernCodeMode.close?.();
    },
  };
}

/** The HTTP+SSE transport's endpoints (2024-11-05): the original gateway answers 410 on `/sse`. */
const LEGACY_SSE_PATHS = new Set(["/sse", "/sse/", "/message", "/messages"]);

/**
 * A client configured for the HTTP+SSE transport (`"type": "sse"`, a URL ending in `/sse`) got
 * a bare 404 "no route": 410 says the transport is not served and what to configure instead, as
 * the original gateway does.
 */
function legacySseGone(path: string, mcp: string): Response {
  const message =
    `this gateway does not serve the HTTP+SSE transport of protocol 2024-11-05 at ${path}: ` +
    `point the client at ${mcp} with the Streamable HTTP transport ("type": "http" or ` +
    `"streamable-http"); a client that speaks only SSE can start \`mcp-gateway serve --stdio\` instead`;
  return Response.json(
    { jsonrpc: "2.0", error: { code: -32600, message, data: { url: mcp } }, id: null },
    { status: 410 },
  );
}

/** Methods that change nothing: `Origin: null` may use them. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Whether `origin` is the gateway's own: a loopback host (any of its names) with the scheme and
 * port this request was sent to.
 */
function isOwnOrigin(origin: string, request: Request, url: URL): boolean {
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  const host = parsed.hostname;
  if (!LOOPBACK_HOSTS.has(host) && !LOOPBACK_HOSTS.has(`[${host}]`)) return false;
  const forwarded = request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim();
  const schemes = new Set([url.protocol, forwarded ? `${forwarded}:` : url.protocol]);
  return schemes.has(parsed.protocol) && portOf(parsed) === portOf(url);
}

function portOf(url: URL): string {
  return url.port || (url.protocol === "https:" ? "443" : "80");
}

function jsonRpcError(status: number, code: number, message: string): Response {
  return Response.json({ jsonrpc: "2.0", error: { code, message }, id: null }, { status });
}

/** `/health`'s word on the cluster's configs: this one's digest, and any instance apart. */
function configDriftEntry(
  drift: { config: string; differing: { instance: string; config: string }[] } | undefined,
): Record<string, unknown> {
  if (!drift) return {};
  return {
    config: drift.config,
    ...(drift.differing.length ? { configDrift: drift.differing } : {}),
  };
}
