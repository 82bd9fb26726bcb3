import type { ResolvedBackend } from "../../config/load.ts";
import { GatewayError } from "../../errors.ts";
import { extractWWWAuthenticateParams, runOAuth } from "../../mcp/sdk.ts";
import { defaultStateDir } from "../../state/store.ts";
import { BackendOAuth, guardedOAuthFetch } from "./provider.ts";

export interface LoginOptions {
  backend: ResolvedBackend;
  env?: Record<string, string | undefined>;
  /** Shows the authorization URL (and may open a browser on it). */
  onUrl(url: URL): void | Promise<void>;
  /** How long to wait for the browser to come back (default 5 minutes). */
  timeoutMs?: number;
}

export interface LoginResult {
  scope?: string;
  expiresAt?: number;
}

interface Callback {
  code: string;
  iss?: string;
}

/**
 * Logs the gateway in to one backend: authorization code with PKCE (S256), the browser sent
 * back to a loopback listener (`callback_host:callback_port/callback_path`), discovery by RFC
 * 9728 and RFC 8414 (OIDC as a fallback), registration by RFC 7591 when no `client_id` is
 * configured, and the backend's URL as the resource indicator (RFC 8707). The tokens land in
 * the state folder, where the serving gateway reads them on its next request.
 */
export async function loginBackend(options: LoginOptions): Promise<LoginResult> {
  const { backend } = options;
  if (!backend.url) {
    throw new GatewayError(
      "CONFIG_INVALID",
      `backends.${backend.name}: only HTTP backends (with \`url\`) log in with OAuth`,
    );
  }
  if (backend.oauth?.enabled === false) {
    throw new GatewayError(
      "CONFIG_INVALID",
      `backends.${backend.name}.oauth.enabled is false: set it to true to log in`,
    );
  }
  const stateDir = backend.stateDir ?? defaultStateDir(options.env);
  const probe = new BackendOAuth({
    name: backend.name,
    url: backend.url,
    stateDir,
    config: backend.oauth,
  });
  const { callback_host, callback_port, callback_path } = probe.config;

  let expectedState = "";
  let settle: { resolve(c: Callback): void; reject(e: Error): void } | undefined;
  const callback = new Promise<Callback>((resolve, reject) => {
    settle = { resolve, reject };
  });
  const listener = Bun.serve({
    hostname: callback_host,
    port: callback_port,
    fetch(request) {
      const url = new URL(request.url);
      if (url.pathname !== callback_path) return new Response("not found", { status: 404 });
      const error = url.searchParams.get("error");
      const code = url.searchParams.get("code");
      if (url.searchParams.get("state") !== expectedState) {
        return page(400, "This login link does not match the login in progress; start it again.");
      }
      if (error || !code) {
        const why = url.searchParams.get("error_description") ?? error ?? "no code";
        settle?.reject(
          new GatewayError(
            "BACKEND_UNAVAILABLE",
            `[backend:${backend.name}] login refused: ${why}`,
          ),
        );
        return page(400, `The login was refused: ${why}`);
      }
      settle?.resolve({ code, iss: url.searchParams.get("iss") ?? undefined });
      return page(200, `mcp-gateway is logged in to ${backend.name}. You can close this tab.`);
    },
  });
  try {
    const redirectUrl = `http://${hostForUrl(callback_host)}:${listener.port}${callback_path}`;
    const provider = new BackendOAuth({
      name: backend.name,
      url: backend.url,
      stateDir,
      config: backend.oauth,
      redirectUrl,
      onRedirect: async (url) => {
        expectedState = url.searchParams.get("state") ?? "";
        await options.onUrl(url);
      },
    });
    Object.assign(provider, { state: () => crypto.randomUUID() });
    const serverUrl = new URL(backend.url);
    const fetchFn = guardedOAuthFetch(backend.url);
    const challenge = await probeChallenge(backend, fetchFn);
    const first = await runOAuth(provider, {
      serverUrl,
      fetchFn,
      resourceMetadataUrl: challenge.resourceMetadataUrl,
      scope: provider.config.scopes.join(" ") || challenge.scope,
      forceReauthorization: true,
    });
    if (first === "REDIRECT") {
      const timeout = options.timeoutMs ?? 300_000;
      const timer = setTimeout(
        () =>
          settle?.reject(
            new GatewayError(
              "BACKEND_TIMEOUT",
              `[backend:${backend.name}] no answer from the browser within ${timeout / 1000}s; run the login again`,
            ),
          ),
        timeout,
      );
      const { code, iss } = await callback.finally(() => clearTimeout(timer));
      await runOAuth(provider, { serverUrl, fetchFn, authorizationCode: code, iss });
    }
    const record = provider.record();
    return { scope: record.tokens?.scope, expiresAt: record.expiresAt };
  } finally {
    listener.stop(true);
  }
}

/** A request without a token: a 401's `WWW-Authenticate` names the resource metadata and scope. */
async function probeChallenge(
  backend: ResolvedBackend,
  fetchFn: typeof fetch,
): Promise<{ resourceMetadataUrl?: URL; scope?: string }> {
  try {
    const response = await fetchFn(backend.url!, {
      method: "POST",
      headers: {
        ...backend.headers,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 0, method: "ping" }),
    });
    await response.body?.cancel();
    if (response.status !== 401) return {};
    const { resourceMetadataUrl, scope } = extractWWWAuthenticateParams(response);
    return { resourceMetadataUrl, scope };
  } catch {
    return {};
  }
}

function hostForUrl(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

function page(status: number, text: string): Response {
  const escaped = text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return new Response(`<!doctype html><title>mcp-gateway</title><p>${escaped}</p>`, {
    status,
    headers: { "content-type": "text/html; charset=utf-8" },
  });
}
