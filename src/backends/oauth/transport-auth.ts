import type { ResolvedBackend } from "../../config/load.ts";
import { GatewayError } from "../../errors.ts";
import { type AuthProvider, extractWWWAuthenticateParams, runOAuth } from "../../mcp/sdk.ts";
import { defaultStateDir } from "../../state/store.ts";
import { BackendOAuth, guardedOAuthFetch, needsLoginError } from "./provider.ts";
import { originalOAuthDir } from "./store.ts";

/** Whether a backend gets the OAuth client: HTTP, not turned off, no static Authorization header. */
export function usesOAuth(backend: ResolvedBackend): boolean {
  if (!backend.url || backend.oauth?.enabled === false) return false;
  return !Object.keys(backend.headers).some((name) => name.toLowerCase() === "authorization");
}

/**
 * What the serving gateway hands the SDK transport: the stored access token on every request,
 * refreshed `token_refresh_buffer_secs` before it expires, and on a 401 one refresh (the
 * transport then retries once). It never starts an interactive login: without a usable refresh
 * token it reports `onNeedsLogin` and fails, and the backend waits for `auth login`.
 */
export function createTransportAuth(
  backend: ResolvedBackend,
  env: Record<string, string | undefined>,
  onNeedsLogin: (message: string) => void,
): AuthProvider {
  const provider = new BackendOAuth({
    name: backend.name,
    url: backend.url!,
    stateDir: backend.stateDir ?? defaultStateDir(env),
    config: backend.oauth,
    originalDir: originalOAuthDir(env.HOME),
  });
  const serverUrl = new URL(backend.url!);
  const fetchFn = guardedOAuthFetch(backend.url!);
  const buffer = provider.config.token_refresh_buffer_secs * 1000;
  let refreshing: Promise<void> | undefined;

  const fail = (detail?: string): never => {
    const error = needsLoginError(backend.name, detail);
    onNeedsLogin(error.message);
    throw error;
  };
  const refresh = (resourceMetadataUrl?: URL): Promise<void> => {
    const record = provider.record();
    if (!record.tokens?.refresh_token || !provider.clientInformation()) {
      return Promise.resolve(fail(record.tokens ? "its token was refused" : undefined));
    }
    refreshing ??= runOAuth(provider, { serverUrl, resourceMetadataUrl, fetchFn })
      .then((result) => {
        if (result !== "AUTHORIZED") fail("its refresh token was refused");
      })
      .catch((error) => fail(`token refresh failed (${(error as Error).message})`))
      .finally(() => {
        refreshing = undefined;
      });
    return refreshing;
  };

  return {
    async token() {
      const record = provider.record();
      if (!record.tokens) return undefined;
      // A token shorter-lived than the buffer is refreshed at half its life, not at every use.
      const life = (record.expiresAt ?? 0) - (record.savedAt ?? 0);
      const margin = Math.min(buffer, life / 2);
      const due = record.expiresAt !== undefined && record.expiresAt - margin <= Date.now();
      if (due && record.tokens.refresh_token) await refresh();
      return provider.tokens()?.access_token;
    },
    async onUnauthorized(ctx) {
      // A 401 without a Bearer challenge, before any login, is not OAuth: a wrong header, say.
      const challenge = ctx.response.headers.get("www-authenticate") ?? "";
      if (!provider.record().tokens && !/^\s*bearer\b/i.test(challenge)) {
        throw new GatewayError(
          "BACKEND_UNAVAILABLE",
          `[backend:${backend.name}] answered 401 Unauthorized without an OAuth challenge: check its headers`,
        );
      }
      const { resourceMetadataUrl } = extractWWWAuthenticateParams(ctx.response);
      await refresh(resourceMetadataUrl);
    },
  };
}
