import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { lookupVariable, readDotenvFiles } from "../config/env.ts";
import { envFilePaths } from "../config/load.ts";
import type { Caller } from "../gateway/caller.ts";
import type { Gateway } from "../gateway/gateway.ts";
import { webhooksFor } from "../gateway/webhooks.ts";
import { type AuditLog, parseSince } from "../observe/audit.ts";
import type { CostGovernor } from "../observe/costs.ts";
import type { Labels } from "../observe/metrics.ts";
import type { Observer, RecentCall } from "../observe/observer.ts";
import {
  auditHistory,
  type CallSeries,
  createCallSeries,
  SERIES_WINDOWS,
  type SeriesWindow,
} from "../observe/timeseries.ts";
import { answerUsage, type UsageWindow, WINDOWS } from "../observe/usage-answers.ts";
import { evaluateFeedback, type FeedbackReport } from "../search/evaluate.ts";
import { LOGIN_COOKIE, loginCookie } from "../security/auth.ts";
import { redactValue } from "../security/redact.ts";
import { REDACTED, redactTree } from "../setup/secrets.ts";
import { ACTIONS_JS } from "../ui/actions-client.ts";
import { ACTIONS_CSS } from "../ui/actions-style.ts";
import { CHARTS_JS } from "../ui/charts.ts";
import { CLIENT_JS } from "../ui/client.ts";
import { PAGE_HTML } from "../ui/page.ts";
import { STYLE_CSS } from "../ui/style.ts";
import { VIEWS_JS } from "../ui/views.ts";
import { VERSION } from "../version.ts";
import { json, round, toolView } from "./_ui-reply.ts";
import { createUiActions } from "./ui-actions.ts";
import { isUiPath } from "./ui-lazy.ts";
import { createLiveFeed } from "./ui-live.ts";
import { createSavings, explainSearch } from "./ui-views.ts";

export interface UiOptions {
  /** Metrics, recent calls and usage; without one those answer empty. */
  observer?: Observer;
  audit?: AuditLog;
  costs?: CostGovernor;
  /** The call series the charts read (src/http/ui-lazy.ts starts it with the gateway). */
  series?: CallSeries;
}

/** The dashboard (`/ui`), its JSON API (`/api/*` but `/api/reload`) and `/metrics`. */
export interface UiHandler {
  /** Whether this handler answers `method path`. */
  handles(path: string): boolean;
  /**
   * Answers a request; `caller` is who authenticated, or the 401/403 the authenticator chose
   * (the page and its login form are served anyway; data and metrics are not). `address` is
   * the client's: failed logins count against it.
   */
  fetch(request: Request, caller: Caller | Response, address?: string): Promise<Response>;
  /** Ends the live streams (shutdown). */
  close(): void;
}

// The page loads only its own script and style: a tool description can never run as code.
const PAGE_HEADERS = {
  "Content-Security-Policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "X-Content-Type-Options": "nosniff",
  // Not `no-referrer`: under it a browser sends `Origin: null` with the page's own login and
  // logout forms, which the gateway refuses on POST. `same-origin` still tells other sites nothing.
  "Referrer-Policy": "same-origin",
  "Cache-Control": "no-store",
};

const ASSETS: Record<string, [type: string, body: string]> = {
  "/ui": ["text/html; charset=utf-8", PAGE_HTML],
  "/ui/": ["text/html; charset=utf-8", PAGE_HTML],
  // The original gateway's address of the same page.
  "/dashboard": ["text/html; charset=utf-8", PAGE_HTML],
  "/ui/app.js": ["text/javascript; charset=utf-8", CLIENT_JS],
  "/ui/actions.js": ["text/javascript; charset=utf-8", ACTIONS_JS],
  "/ui/charts.js": ["text/javascript; charset=utf-8", CHARTS_JS],
  "/ui/views.js": ["text/javascript; charset=utf-8", VIEWS_JS],
  "/ui/style.css": ["text/css; charset=utf-8", STYLE_CSS + ACTIONS_CSS],
};

const SEARCH_LIMIT = 50;
const OUTCOMES = ["ok", "error", "failed", "refused"] as const;
/** Recorded searches replayed for the dashboard (the most recent), and misses shown. */
const REPORT_ROWS = 500;
const REPORT_MISSES = 20;
const REPORT_TTL_MS = 60_000;

export function createUiHandler(gateway: Gateway, options: UiOptions = {}): UiHandler {
  const { observer, audit, costs } = options;
  const reports = new Map<string, { stamp: string; at: number; report: FeedbackReport }>();
  const actions = createUiActions(gateway);
  // Charts: calls per backend over time, from the call hook (and the audit log's last day).
  const series =
    options.series ??
    createCallSeries({
      hooks: gateway.hooks,
      history: audit ? auditHistory(audit.query) : undefined,
    });
  const live = createLiveFeed({
    hooks: gateway.hooks,
    reauthenticate: (request) =>
      gateway.security.auth.authenticate(request, undefined, { uncharged: true }),
    // Under Bun's idle timeout (server.read_timeout + 4 s) even when nothing happens.
    keepAliveMs: Math.min(15_000, Math.max(1000, gateway.config.server.read_timeout / 2)),
  });
  const savings = createSavings(gateway, audit);

  /**
   * How search does on recorded searches (an admin sees every caller's, others their own),
   * replayed at most once a minute unless new choices were recorded or the tools changed.
   */
  function searchQuality(caller: Caller, allow: (server: string, tool: string) => boolean) {
    const feedback = gateway.feedback;
    if (!feedback) return { enabled: false, report: null };
    // Cached per caller: the replay ranks with that caller's scopes.
    const stamp = `${feedback.version}:${gateway.index.size()}`;
    const cached = reports.get(caller.id);
    if (cached && cached.stamp === stamp && Date.now() - cached.at < REPORT_TTL_MS) {
      return { enabled: true, report: cached.report };
    }
    const rows = feedback
      .rows(caller.admin ? undefined : caller.id)
      .sort((a, b) => b.lastAt - a.lastAt)
      .slice(0, REPORT_ROWS);
    const full = evaluateFeedback(gateway.index, rows, allow);
    const report = { ...full, misses: full.misses.slice(0, REPORT_MISSES) };
    if (reports.size > 1000) reports.clear();
    reports.set(caller.id, { stamp, at: Date.now(), report });
    return { enabled: true, report };
  }

  // Behind a proxy (`server.public_url`), redirects name the public URL, path prefix included.
  const publicBase = gateway.config.server.public_url?.replace(/\/+$/, "");
  const redirect = (location: string, headers: Record<string, string> = {}) =>
    redirectTo(publicBase ? `${publicBase}${location}` : location, headers);
  const secure = (request: Request) => isHttps(request) || !!publicBase?.startsWith("https:");

  async function login(request: Request, address?: string): Promise<Response> {
    // With auth off there is nothing to log in to, and no cookie to hand out.
    if (!gateway.security.auth.required) return redirect("/ui");
    const form = await request.formData().catch(() => undefined);
    const key = String(form?.get("key") ?? "").trim();
    if (!key) return redirect("/ui?login=failed");
    const login = await gateway.security.auth.login(key, address);
    // Too many wrong keys from this address: 429 with Retry-After, whatever this key is.
    if (login instanceof Response && login.status === 429) return login;
    if (login instanceof Response) return redirect("/ui?login=failed");
    const cookie = loginCookie(login.token, { maxAge: login.maxAge, secure: secure(request) });
    return redirect("/ui", { "Set-Cookie": cookie });
  }

  function api(path: string, url: URL, caller: Caller): Response {
    const allow = (server: string, tool: string) =>
      caller.admin ? caller.allows(server, tool) : gateway.router.visible(server, tool, caller);
    switch (path) {
      case "/api/status":
        return json(status(gateway, caller, allow, observer));
      case "/api/tools":
        return json({
          // An admin's allow skips the tool policy and quarantine: a view of its own.
          tools: tools(
            gateway,
            url,
            allow,
            caller.scope && `${caller.admin ? "admin:" : ""}${caller.scope()}`,
          ),
        });
      case "/api/calls": {
        // A key that is not an admin: its own calls, as the live feed and the charts show them.
        const mine = (c: RecentCall) => caller.admin || c.caller === caller.id;
        return json({
          calls: (observer?.recent() ?? []).filter((c) => allow(c.server, c.tool) && mine(c)),
        });
      }
      case "/api/usage": {
        const usage = observer?.usage(allow) ?? [];
        if (caller.admin) return json({ usage });
        // The counts of the tools it may reach; not who else called them, nor their errors.
        return json({
          usage: usage.map(({ lastError: _, ...entry }) => ({
            ...entry,
            callers: entry.callers.filter((c) => c.caller === caller.id),
          })),
        });
      }
      case "/api/audit":
        return auditRows(url, caller);
      case "/api/costs":
        // Without cost governance: real call counts at cost 0, with a note saying why.
        if (!costs || !gateway.config.cost_governance.enabled) {
          return json(callCounts(observer, caller, allow));
        }
        return json(
          costs.report({
            caller: caller.id,
            admin: caller.admin,
            includeAllKeys: true,
            includeAllSessions: true,
          }),
        );
      case "/api/search":
        return json(searchQuality(caller, allow));
      case "/api/webhooks": {
        // The endpoints are the capabilities backend's: its resources' grant shows them.
        const hub = webhooksFor(gateway);
        const granted = caller.allowsCatalog(hub.server, "resources");
        return json({ endpoints: granted ? hub.status() : [] });
      }
      case "/api/security":
        if (!caller.admin) return adminOnly();
        return json({
          ...(gateway.health().security ?? {}),
          resourceClashes: gateway.catalog.clashes,
        });
      case "/api/config":
        if (!caller.admin) return adminOnly();
        return json({ file: gateway.config.file ?? null, config: effectiveConfig(gateway) });
      default:
        return json({ error: `no route for GET ${path}` }, 404);
    }
  }

  /**
   * The audit log, newest first: `?since=24h&until=&caller=&server=&tool=&outcome=&before=<id>&limit=`; `format=jsonl`
   * exports JSON Lines. Non-admins see their own rows only.
   */
  function auditRows(url: URL, caller: Caller): Response {
    if (!audit) return json({ rows: [] });
    const params = url.searchParams;
    const sinceText = params.get("since");
    const since = sinceText ? parseSince(sinceText) : undefined;
    if (sinceText && since === undefined) {
      return json({ error: `since=${sinceText} is not an age (24h, 7d) or a date` }, 400);
    }
    const before = Number(params.get("before")) || undefined;
    const jsonl = params.get("format") === "jsonl";
    const limit = Math.min(
      Number(params.get("limit")) || (jsonl ? 100_000 : 100),
      jsonl ? 1_000_000 : 1000,
    );
    const untilText = params.get("until");
    const until = untilText ? parseSince(untilText) : undefined;
    if (untilText && until === undefined) {
      return json({ error: `until=${untilText} is not an age (1h, 2d) or a date` }, 400);
    }
    const outcome = params.get("outcome") || undefined;
    if (outcome && !(OUTCOMES as readonly string[]).includes(outcome)) {
      return json({ error: `outcome=${outcome}: use ${OUTCOMES.join(", ")}` }, 400);
    }
    const rows = audit.query({
      since,
      until,
      before,
      limit,
      caller: caller.admin ? params.get("caller") || undefined : caller.id,
      tool: params.get("tool") || undefined,
      server: params.get("server") || undefined,
      outcome: outcome as (typeof OUTCOMES)[number] | undefined,
    });
    if (!jsonl) return json({ rows });
    return new Response(rows.map((row) => `${JSON.stringify(row)}\n`).join(""), {
      headers: { "Content-Type": "application/jsonl; charset=utf-8", "Cache-Control": "no-store" },
    });
  }

  /** `?window=1h|24h`: calls, errors and latency per backend and time bucket (a non-admin: its own). */
  async function charts(url: URL, caller: Caller): Promise<Response> {
    const window = url.searchParams.get("window") ?? "1h";
    if (!(window in SERIES_WINDOWS)) return json({ error: `window=${window}: use 1h or 24h` }, 400);
    const own = caller.admin ? undefined : caller.id;
    const reach = (server: string) => caller.allows(server, "*");
    return json(await series.answer(window as SeriesWindow, own, reach));
  }

  /** `?window=24h|7d|30d`: top tools per key, searches that found nothing, tokens saved. */
  async function insights(url: URL, caller: Caller): Promise<Response> {
    const window = url.searchParams.get("window") ?? "24h";
    if (!(window in WINDOWS)) return json({ error: `window=${window}: use 24h, 7d or 30d` }, 400);
    if (!audit) return json({ error: "the audit log is off (audit.enabled)" }, 404);
    const reader = { queryAudit: audit.query, summarizeAudit: audit.summarize };
    return json(await answerUsage(gateway, reader, { window: window as UsageWindow, caller }));
  }

  return {
    handles: isUiPath,
    async fetch(request, caller, address) {
      const url = new URL(request.url);
      const path = url.pathname;
      if (request.method === "GET" && ASSETS[path]) {
        const [type, body] = ASSETS[path];
        return new Response(body, { headers: { ...PAGE_HEADERS, "Content-Type": type } });
      }
      if (path === "/ui/login" && request.method === "POST") return login(request, address);
      if (path === "/ui/logout" && request.method === "POST") {
        live.logout(request);
        gateway.security.auth.logout(request);
        const cleared = `${LOGIN_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`;
        return redirect("/ui", { "Set-Cookie": cleared });
      }
      if (caller instanceof Response) return caller;
      if (path === "/metrics" && request.method === "GET") {
        const keep = caller.admin ? undefined : metricsFor(caller);
        return new Response((observer?.metrics(keep) ?? "") + (costs?.metrics(keep) ?? ""), {
          headers: { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" },
        });
      }
      // The original gateway's dashboard API lives under /ui/api/: the same answers.
      const apiPath = path.startsWith("/ui/api/") ? path.slice(3) : path;
      // Restart, disable, revive, log in, stderr; tool detail, try it, approve, trust.
      const acted = await actions.fetch(request, apiPath, caller);
      if (acted) return acted;
      if (apiPath === "/api/insights" && request.method === "GET") return insights(url, caller);
      if (apiPath === "/api/charts" && request.method === "GET") return charts(url, caller);
      if (apiPath === "/api/live" && request.method === "GET")
        return live.subscribe(request, caller);
      if (apiPath === "/api/savings" && request.method === "GET") return savings(url, caller);
      if (apiPath === "/api/explain" && request.method === "GET") {
        return explainSearch(gateway, url, caller);
      }
      const instead = originalRoute(path);
      if (instead) {
        return json({ error: `${request.method} ${path} is not provided here: ${instead}` }, 404);
      }
      if (apiPath.startsWith("/api/") && request.method === "GET") return api(apiPath, url, caller);
      return json({ error: `no route for ${request.method} ${path}` }, 404);
    },
    close() {
      live.close();
      series.close();
    },
  };
}

function status(
  gateway: Gateway,
  caller: Caller,
  allow: (server: string, tool: string) => boolean,
  observer?: Observer,
) {
  const health = gateway.health();
  // A key that is not an admin: the tools it may list and their calls, as its Tools and Usage
  // tabs show them, not the gateway's count nor other tools' calls and errors on its backends.
  const perServer = new Map<string, { calls: number; errors: number }>();
  for (const row of observer?.usage(caller.admin ? undefined : allow) ?? []) {
    const entry = perServer.get(row.server) ?? { calls: 0, errors: 0 };
    entry.calls += row.calls;
    entry.errors += row.errors;
    perServer.set(row.server, entry);
  }
  const toolsOf = (name: string, listed: number) =>
    caller.admin ? listed : gateway.index.tools(name).filter((t) => allow(name, t.name)).length;
  const backends = gateway.pool
    .statuses()
    .filter((backend) => caller.allows(backend.name, "*"))
    .map((backend) => ({
      ...backend,
      tools: toolsOf(backend.name, backend.tools),
      ...(gateway.pool.killSwitch.get(backend.name) ? { disabled: true } : {}),
      breaker: gateway.pool.breakerState(backend.name),
      ...(perServer.get(backend.name) ?? { calls: 0, errors: 0 }),
    }));
  const security = health.security;
  // A key that is not an admin: degraded by the backends it reaches, not by one it may not know of.
  const status = caller.admin
    ? health.status
    : backends.some((b) => b.state === "failed" || b.state === "open" || b.disabled)
      ? "degraded"
      : "ok";
  return {
    version: VERSION,
    status,
    uptimeSeconds: health.uptimeSeconds,
    tools: caller.admin ? health.tools : backends.reduce((sum, b) => sum + b.tools, 0),
    sessions: observer?.sessions() ?? 0,
    // How many sessions got each tool surface (meta_mcp.clients; docs/protocol.md): every
    // key's clients, so for admins only (as /health shows them).
    ...(caller.admin ? { surfaces: Object.groupBy(health.surfaces ?? [], (s) => s.surface) } : {}),
    auth: gateway.security.auth.required,
    caller: { id: caller.id, admin: caller.admin },
    backends,
    ...(caller.admin && security
      ? {
          security: {
            findings: security.poisoning.findings.length,
            quarantined: security.quarantined.length,
            lockChanges: Object.keys(security.lock?.changes ?? {}).length,
          },
        }
      : {}),
  };
}

/**
 * `/api/costs` (the original's path) without cost governance: calls per key and per tool. No
 * prices apply, so every cost is 0 and the `note` says so; counts are real.
 */
function callCounts(
  observer: Observer | undefined,
  caller: Caller,
  allow: (server: string, tool: string) => boolean,
) {
  const usage = observer?.usage(allow) ?? [];
  const keys = new Map<string, number>();
  for (const row of usage) {
    for (const { caller: id, calls } of row.callers) {
      if (caller.admin || id === caller.id) keys.set(id, (keys.get(id) ?? 0) + calls);
    }
  }
  return {
    currency: "USD",
    total_cost: 0,
    note: "cost_governance is off: calls are counted, costs are 0 (set cost_governance.enabled to price them)",
    keys: [...keys].map(([key, calls]) => ({ key, calls, cost: 0 })),
    tools: usage.map(({ server, tool, calls, errors }) => ({
      server,
      tool,
      calls,
      errors,
      cost: 0,
    })),
  };
}

function tools(
  gateway: Gateway,
  url: URL,
  allow: (server: string, tool: string) => boolean,
  scope?: string,
) {
  const query = url.searchParams.get("q")?.trim();
  const server = url.searchParams.get("server") || undefined;
  const shown = (name: string, tool: { name: string }) => allow(name, tool.name);
  if (query) {
    return gateway.index
      .search(query, { limit: SEARCH_LIMIT, server, allow, scope })
      .map((hit) => ({ ...toolView(gateway, hit.server, hit.tool), score: round(hit.score) }));
  }
  return gateway.pool
    .names()
    .filter((name) => !server || name === server)
    .flatMap((name) =>
      gateway.index
        .tools(name)
        .filter((tool) => shown(name, tool))
        .map((tool) => toolView(gateway, name, tool)),
    );
}

/**
 * The config in force, shaped like a file (backends by name), with every secret redacted. Its
 * `${VAR}` references are resolved, so a backend's `env` and `headers` hold the credentials
 * themselves under any name (`SLACK_TEAM`, `X-Workspace`): their names are shown, never their
 * values (as the stderr view hides them).
 */
function effectiveConfig(gateway: Gateway): unknown {
  const { file: _file, warnings: _warnings, backends, ...rest } = gateway.config;
  const hidden = (values: Record<string, string>) =>
    Object.fromEntries(Object.keys(values).map((name) => [name, REDACTED]));
  const byName: Record<string, unknown> = {};
  for (const { name, configError: _error, env, headers, ...fields } of backends) {
    byName[name] = { ...fields, env: hidden(env), headers: hidden(headers) };
  }
  const redacted = redactValue(redactTree({ ...rest, backends: byName }));
  return asWritten(redacted, resolvedReferences(gateway));
}

/**
 * What the config file's `${VAR}` references resolved to (the process environment, then its
 * `env_files`), longest first: a secret URL (`.../s/${ZAPIER_TOKEN}/mcp`) has no secret-looking
 * name nor a token's shape, so the Config view shows each such value as its reference instead.
 */
function resolvedReferences(gateway: Gateway): [value: string, reference: string][] {
  const file = gateway.config.file;
  if (!file) return [];
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  const names = new Set([...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!));
  if (!names.size) return [];
  const files = envFilePaths({ env_files: gateway.config.env_files }, dirname(file), gateway.env);
  const env = { ...readDotenvFiles(files), ...gateway.env };
  const pairs: [string, string][] = [];
  for (const name of names) {
    let value: string | undefined;
    try {
      value = lookupVariable(name, env);
    } catch {
      // A `VAR_FILE` that cannot be read: nothing was substituted from it.
    }
    // Short values ("1", "on") would be replaced everywhere they occur, to no one's benefit.
    if (value && value.length >= 4) pairs.push([value, `\${${name}}`]);
  }
  return pairs.sort((a, b) => b[0].length - a[0].length);
}

/** `tree` with every occurrence of each value replaced by its reference. */
function asWritten(tree: unknown, references: [string, string][]): unknown {
  if (!references.length) return tree;
  if (typeof tree === "string") {
    return references.reduce((text, [value, reference]) => text.split(value).join(reference), tree);
  }
  if (Array.isArray(tree)) return tree.map((item) => asWritten(item, references));
  if (tree && typeof tree === "object") {
    return Object.fromEntries(
      Object.entries(tree).map(([key, value]) => [key, asWritten(value, references)]),
    );
  }
  return tree;
}

function adminOnly(): Response {
  return json({ error: "this needs an admin key" }, 403);
}

function redirectTo(location: string, headers: Record<string, string> = {}): Response {
  return new Response(null, { status: 303, headers: { Location: location, ...headers } });
}

/**
 * Believed from any peer, trusted proxy or not: it can only add `Secure` to the caller's own
 * cookie, and a TLS proxy not listed in `server.trusted_proxies` must still get a Secure cookie.
 */
function isHttps(request: Request): boolean {
  return (
    new URL(request.url).protocol === "https:" ||
    request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim() === "https"
  );
}

/**
 * The `/metrics` series a key that is not an admin may read, as `/health` shows it: the backends
 * its scopes reach, the tools it may call, its own costs and budget, and the gateway-wide counts.
 * Other backends' names, tools outside its scopes, other keys' names and spend are not its to see.
 */
function metricsFor(caller: Caller): (labels: Labels) => boolean {
  return (labels) =>
    (labels.server === undefined || caller.allows(labels.server, "*")) &&
    (labels.backend === undefined || caller.allows(labels.backend, "*")) &&
    // A tool's series (calls, errors, latency, cost) only for the tools it may call.
    (labels.tool === undefined ||
      caller.allows(labels.server ?? labels.backend ?? "", labels.tool)) &&
    (labels.caller === undefined || labels.caller === caller.id) &&
    (labels.budget === undefined || labels.budget === `per_key:${caller.id.replace(/^key:/, "")}`);
}

/**
 * The original gateway's dashboard API routes that have no counterpart here, and what to use
 * instead, so a script written against them is told rather than answered a bare 404.
 */
const ORIGINAL_ROUTES: [RegExp, string][] = [
  [
    /^\/ui\/api\/backends(\/[^/]+)?$/,
    "backends are added, changed and removed in the config file (mcp-gateway add NAME, mcp-gateway remove NAME); the running gateway reloads it (POST /api/reload). GET /api/status lists them",
  ],
  [
    /^\/ui\/api\/capabilities(\/.*)?$/,
    "capability files are edited in capabilities.directories (watched; mcp-gateway cap validate checks them); GET /api/tools lists what they serve",
  ],
  [
    /^\/ui\/api\/registry(\/search)?$/,
    "the built-in catalog is searched with mcp-gateway cap search WORDS",
  ],
  [
    /^\/ui\/api\/import\/openapi(\/preview)?$/,
    "OpenAPI documents are imported with mcp-gateway cap import SPEC",
  ],
  [/^\/ui\/api\/control-plane(\/.*)?$/, "the control plane is not implemented"],
];

function originalRoute(path: string): string | undefined {
  return ORIGINAL_ROUTES.find(([route]) => route.test(path))?.[1];
}
