import { existsSync } from "node:fs";
import { isIP } from "node:net";
import {
  checkTarget,
  classifyAddress,
  defaultLookup,
  type Lookup,
} from "../../capabilities/ssrf.ts";
import type { BackendOAuthConfig } from "../../config/schema.ts";
import { GatewayError } from "../../errors.ts";
import { logger } from "../../logger.ts";
import type {
  OAuthClientMetadata,
  OAuthClientProvider,
  OAuthDiscoveryState,
  StoredOAuthClientInformation,
  StoredOAuthTokens,
} from "../../mcp/sdk.ts";
import {
  type OAuthRecord,
  oauthFile,
  readOriginalLogin,
  readRecord,
  writeRecord,
} from "./store.ts";

/** The defaults of `backends.<n>.oauth`, for a backend found to need a login without one. */
export const DEFAULT_OAUTH: BackendOAuthConfig = {
  enabled: true,
  scopes: [],
  callback_host: "127.0.0.1",
  callback_port: 0,
  callback_path: "/oauth/callback",
  token_refresh_buffer_secs: 300,
};

export interface BackendOAuthOptions {
  name: string;
  url: string;
  stateDir: string;
  config?: BackendOAuthConfig;
  /** Where the authorization server sends the browser back (the login's loopback listener). */
  redirectUrl?: string;
  /** Shows the authorization URL; absent (the serving gateway), a redirect means a login is due. */
  onRedirect?: (url: URL) => void | Promise<void>;
  /**
   * The original gateway's token folder (`~/.mcp-gateway/oauth`): a backend with no login of its
   * own here takes the one the original kept for it, so a switch needs no new login.
   */
  originalDir?: string;
}

/** Thrown when the backend cannot be reached until someone runs `mcp-gateway auth login`. */
export function needsLoginError(name: string, detail = "it needs a login"): GatewayError {
  return new GatewayError(
    "BACKEND_UNAVAILABLE",
    `[backend:${name}] ${detail}: run \`mcp-gateway auth login ${name}\``,
    { data: { needsLogin: true } },
  );
}

/** Whether `error` (or one of its causes) says the backend waits for a login. */
export function isNeedsLogin(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; depth++) {
    if (e instanceof GatewayError && e.data?.needsLogin) return true;
    if ((e as Error).name === "UnauthorizedError") return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * The SDK's OAuth client provider for one backend, backed by the state folder: tokens, the
 * registered client, the PKCE verifier and discovery results survive restarts and are shared
 * by the serving gateway and `mcp-gateway auth login` (both read the file each time).
 */
export class BackendOAuth implements OAuthClientProvider {
  readonly config: BackendOAuthConfig;

  constructor(private readonly options: BackendOAuthOptions) {
    this.config = options.config ?? DEFAULT_OAUTH;
  }

  get redirectUrl(): string {
    const { callback_host, callback_port, callback_path } = this.config;
    return this.options.redirectUrl ?? `http://${callback_host}:${callback_port}${callback_path}`;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: `mcp-gateway (${this.options.name})`,
      redirect_uris: [this.redirectUrl],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: this.config.client_secret ? "client_secret_basic" : "none",
      ...(this.config.scopes.length ? { scope: this.config.scopes.join(" ") } : {}),
    };
  }

  record(): OAuthRecord {
    const { stateDir, name, url, originalDir } = this.options;
    const record = readRecord(stateDir, name, url);
    if (record.tokens || !originalDir || existsSync(oauthFile(stateDir, name))) return record;
    const imported = readOriginalLogin(originalDir, name, url);
    if (!imported) return record;
    writeRecord(stateDir, name, imported);
    logger
      .withTag(`backend:${name}`)
      .info(`took the original gateway's login from ${originalDir} (no new login needed)`);
    return imported;
  }

  private update(change: (record: OAuthRecord) => void): void {
    const record = this.record();
    change(record);
    writeRecord(this.options.stateDir, this.options.name, record);
  }

  clientInformation(): StoredOAuthClientInformation | undefined {
    const { client_id, client_secret } = this.config;
    const record = this.record();
    if (client_id) {
      // The configured client carries the issuer it was first used with (SEP-2352), no secret.
      const issuer = record.clientIssuer;
      return {
        client_id,
        ...(client_secret ? { client_secret } : {}),
        ...(issuer ? { issuer } : {}),
      };
    }
    const client = record.client;
    // A registration made for another callback address cannot finish this login: register anew.
    const uris = (client as { redirect_uris?: string[] } | undefined)?.redirect_uris;
    if (client && this.options.onRedirect && uris && !uris.includes(this.redirectUrl)) {
      return undefined;
    }
    return client;
  }

  saveClientInformation(client: StoredOAuthClientInformation): void {
    this.update((record) => {
      if (this.config.client_id) record.clientIssuer = client.issuer;
      else record.client = client;
    });
  }

  tokens(): StoredOAuthTokens | undefined {
    return this.record().tokens;
  }

  saveTokens(tokens: StoredOAuthTokens): void {
    const now = Date.now();
    this.update((record) => {
      record.tokens = tokens;
      record.savedAt = now;
      record.expiresAt = tokens.expires_in ? now + tokens.expires_in * 1000 : undefined;
    });
  }

  async redirectToAuthorization(url: URL): Promise<void> {
    if (!this.options.onRedirect) throw needsLoginError(this.options.name);
    await this.options.onRedirect(url);
  }

  saveCodeVerifier(verifier: string): void {
    this.update((record) => {
      record.verifier = verifier;
    });
  }

  codeVerifier(): string {
    const verifier = this.record().verifier;
    if (!verifier) throw new Error(`no PKCE verifier saved for ${this.options.name}`);
    return verifier;
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.update((record) => {
      record.discovery = state;
    });
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.record().discovery;
  }

  invalidateCredentials(scope: "all" | "client" | "tokens" | "verifier" | "discovery"): void {
    this.update((record) => {
      if (scope === "all" || scope === "client") record.client = undefined;
      if (scope === "all" || scope === "tokens") {
        record.tokens = undefined;
        record.expiresAt = undefined;
      }
      if (scope === "all" || scope === "verifier") record.verifier = undefined;
      if (scope === "all" || scope === "discovery") record.discovery = undefined;
    });
  }
}

/**
 * The `fetch` for OAuth discovery, registration and token requests (docs/security.md): the
 * backend's own host is trusted (the operator configured it); any other host the metadata
 * names may be a private or loopback address only when the backend's own host is one too.
 */
export function guardedOAuthFetch(
  backendUrl: string,
  lookup: Lookup = defaultLookup,
): typeof fetch {
  const backend = new URL(backendUrl);
  const privateBackend = (async () => {
    const host = backend.hostname.replace(/^\[|\]$/g, "");
    const addresses = isIP(host) ? [host] : await lookup(host).catch(() => []);
    return addresses.some((address) => classifyAddress(address) !== undefined);
  })();
  const guarded = async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.host !== backend.host) {
      const allowPrivateNetworks = await privateBackend;
      const refused = await checkTarget(url, { allowPrivateNetworks, lookup });
      if (refused) {
        throw new GatewayError(
          "BACKEND_UNAVAILABLE",
          `OAuth metadata of ${backend.origin} points at ${url.origin}, refused: ${refused.replace(/; set .*$/, "")} (a backend on a public address may not send the gateway to a private one)`,
        );
      }
    }
    return fetch(input, init);
  };
  return guarded as typeof fetch;
}
