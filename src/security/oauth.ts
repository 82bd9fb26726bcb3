import type { createRemoteJWKSet, JWTPayload } from "jose";
import type { Caller } from "../gateway/caller.ts";
import { presentedDigest } from "./keys.ts";
import type { OAuthConfig } from "./schema.ts";
import { createScopedCaller, type ScopeFields } from "./scopes.ts";

export type VerifyResult =
  | { ok: true; caller: Caller }
  | {
      ok: false;
      status: 401 | 403;
      error: "invalid_token" | "insufficient_scope";
      message: string;
    };

/**
 * The OAuth 2.1 resource-server side: RFC 9728 metadata and JWT access-token validation.
 *
 * `/mcp` and each `/mcp/{backend}` are resources of their own: RFC 9728 §3.3 has a client refuse
 * metadata whose `resource` is not the URL it called, and the MCP spec has it ask for a token for
 * that resource (RFC 8707). A token for `/mcp/{backend}` opens that endpoint alone; a token for
 * the gateway (`auth.oauth.resource`, or `audience`) opens every endpoint, as before.
 */
export interface OAuthVerifier {
  /** The metadata document served at a `/.well-known/oauth-protected-resource…` path, if any. */
  metadataAt(path: string): Record<string, unknown> | undefined;
  /** Where the metadata of the endpoint at `path` is, for `WWW-Authenticate: resource_metadata`. */
  metadataUrlFor(path: string): string;
  /** Scopes to name in an `insufficient_scope` challenge. */
  readonly scopeHint: string;
  /** Verifies `token` for a request to `path` (its audience must be that endpoint or the gateway). */
  verify(token: string, path?: string): Promise<VerifyResult>;
}

const WELL_KNOWN = "/.well-known/oauth-protected-resource";
/** A backend's name as a path segment (names are `[a-z0-9_-]`; aliases too). */
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/** A request to one backend's endpoint, and that backend's segment. */
const BACKEND_PATH = /^\/mcp\/([A-Za-z0-9][A-Za-z0-9_.-]*)\/?$/;

/** Only asymmetric signatures: a JWKS publishes public keys, and `none` is never acceptable. */
const ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "EdDSA",
];

export function createOAuthVerifier(config: OAuthConfig): OAuthVerifier {
  const resource = new URL(config.resource);
  // The public path of `/mcp` (a proxy may put it elsewhere), without a trailing '/'.
  const publicPath = resource.pathname.replace(/\/+$/, "");
  const base = `${resource.origin}${publicPath}`;
  const audience = config.audience ?? config.resource;
  const audiences = typeof audience === "string" ? [audience] : audience;
  const mapped = Object.keys(config.scopes);
  const scopeHint = [...new Set([...config.required_scopes, ...mapped])].join(" ");
  let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

  async function keySet(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    if (jwks) return jwks;
    const uri = config.jwks_uri ?? (await discoverJwksUri(config.issuer));
    // jose loads on the first token: a gateway without OAuth never pays for it.
    const { createRemoteJWKSet } = await import("jose");
    jwks = createRemoteJWKSet(new URL(uri), { timeoutDuration: 5000, cooldownDuration: 30_000 });
    return jwks;
  }

  const metadata = (resourceId: string, name: string) => ({
    resource: resourceId,
    authorization_servers: [config.issuer],
    bearer_methods_supported: ["header"],
    ...(scopeHint ? { scopes_supported: scopeHint.split(" ") } : {}),
    resource_name: name,
  });
  /** `/mcp/{backend}`'s own resource identifier: the gateway's, plus the backend's segment. */
  const backendResource = (path: string | undefined) => {
    const segment = path ? BACKEND_PATH.exec(path)?.[1] : undefined;
    return segment ? `${base}/${segment}` : undefined;
  };

  return {
    scopeHint,
    metadataUrlFor(path) {
      const own = backendResource(path);
      const suffix = own ? own.slice(resource.origin.length) : publicPath;
      return `${resource.origin}${WELL_KNOWN}${suffix}`;
    },
    metadataAt(path) {
      if (path !== WELL_KNOWN && !path.startsWith(`${WELL_KNOWN}/`)) return undefined;
      const suffix = path.slice(WELL_KNOWN.length).replace(/\/+$/, "");
      // The backend's document at the suffix its public URL gives (RFC 9728 §3.1), and at
      // `/mcp/{backend}` for a gateway whose public path is not `/mcp`. It is served for any
      // backend-like name: whether one exists is not told to a caller without a key.
      for (const prefix of new Set([publicPath, "/mcp"].filter(Boolean))) {
        const segment = suffix.startsWith(`${prefix}/`)
          ? suffix.slice(prefix.length + 1)
          : undefined;
        if (segment && SEGMENT.test(segment)) {
          return metadata(`${base}/${segment}`, `mcp-gateway: ${segment}`);
        }
      }
      return metadata(config.resource, "mcp-gateway");
    },
    async verify(token, path) {
      const own = backendResource(path);
      let payload: JWTPayload;
      try {
        const { jwtVerify } = await import("jose");
        ({ payload } = await jwtVerify(token, await keySet(), {
          issuer: config.issuer,
          audience: own ? [...audiences, own] : audiences,
          algorithms: ALGORITHMS,
          clockTolerance: config.clock_tolerance_seconds,
          requiredClaims: ["exp"],
        }));
      } catch (error) {
        return { ok: false, status: 401, error: "invalid_token", message: describe(error) };
      }
      const scopes = tokenScopes(payload);
      const missing = config.required_scopes.filter((scope) => !scopes.has(scope));
      if (missing.length) {
        return {
          ok: false,
          status: 403,
          error: "insufficient_scope",
          message: `the token lacks the scope ${missing.join(", ")}`,
        };
      }
      let grants: (ScopeFields & { admin: boolean })[] = [
        { backends: [], allowed_tools: [], denied_tools: [], admin: false },
      ];
      if (mapped.length) {
        grants = mapped.filter((scope) => scopes.has(scope)).map((scope) => config.scopes[scope]!);
        if (!grants.length) {
          return {
            ok: false,
            status: 403,
            error: "insufficient_scope",
            message: `the token carries none of the scopes ${mapped.join(", ")}`,
          };
        }
      }
      const named = payload.sub ?? payload.client_id ?? payload.azp;
      // A token that names no subject is its own identity: sharing one ("unknown") would let
      // any such token take over another's sessions and tasks.
      const subject =
        named !== undefined && named !== ""
          ? String(named)
          : `token-${presentedDigest(token).toString("hex").slice(0, 16)}`;
      const caller = createScopedCaller({
        id: `oauth:${subject}`,
        admin: grants.some((grant) => grant.admin),
        grants,
        label: `token of ${subject}`,
        credentials: stringClaims(payload),
      });
      const expiresAt = ((payload.exp ?? 0) + config.clock_tolerance_seconds) * 1000;
      return { ok: true, caller: expiring(caller, expiresAt) };
    },
  };
}

/**
 * `caller` until `expiresAt` (the token's `exp`), then a caller that may do nothing. A request
 * is verified when it arrives, but what outlives it acts for its credential: a session's GET
 * stream (its backends' notifications), a script or playbook still running. Before, a stream
 * opened with a token went on relaying every backend's notifications after the token expired.
 */
function expiring(caller: Caller, expiresAt: number): Caller {
  const expired = () => Date.now() >= expiresAt;
  const why = `the token of ${caller.id} expired`;
  return {
    ...caller,
    get admin() {
      return caller.admin && !expired();
    },
    allows: (server, tool) => !expired() && caller.allows(server, tool),
    allowsCatalog: (server, kind) => !expired() && caller.allowsCatalog(server, kind),
    denial: (server, tool) => (expired() ? why : caller.denial?.(server, tool)),
    denies: (server, tool) => (expired() ? why : caller.denies?.(server, tool)),
  };
}

/** A token's string claims (`sub`, `email`, …), for backends' `per_caller` templates. */
function stringClaims(payload: JWTPayload): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    if (typeof value === "string") out[name] = value;
  }
  return out;
}

/** `scope` (space-separated, RFC 8693/9068) or `scp` (a list, as some servers write it). */
function tokenScopes(payload: JWTPayload): Set<string> {
  const raw = payload.scope ?? payload.scp;
  if (Array.isArray(raw)) return new Set(raw.map(String));
  if (typeof raw === "string") return new Set(raw.split(/\s+/).filter(Boolean));
  return new Set();
}

function describe(error: unknown): string {
  const code = (error as { code?: string }).code;
  const claim = (error as { claim?: string }).claim;
  if (code === "ERR_JWT_EXPIRED") return "the token has expired";
  if (code === "ERR_JWT_CLAIM_VALIDATION_FAILED" && claim === "aud")
    return "the token is for another audience";
  if (code === "ERR_JWT_CLAIM_VALIDATION_FAILED" && claim === "iss")
    return "the token is from another issuer";
  if (code === "ERR_JWT_CLAIM_VALIDATION_FAILED") return `the token's ${claim} claim is not valid`;
  if (code === "ERR_JWS_SIGNATURE_VERIFICATION_FAILED") return "the token's signature is not valid";
  if (code === "ERR_JWKS_NO_MATCHING_KEY") return "the token is not signed by the issuer's keys";
  if (code === "ERR_JOSE_ALG_NOT_ALLOWED") return "the token's signing algorithm is not allowed";
  return `the token is not valid: ${error instanceof Error ? error.message : String(error)}`;
}

/** The issuer's `jwks_uri`, from its RFC 8414 metadata, else its OpenID configuration. */
async function discoverJwksUri(issuer: string): Promise<string> {
  const url = new URL(issuer);
  const path = url.pathname === "/" ? "" : url.pathname.replace(/\/$/, "");
  const candidates = [
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
    `${url.origin}${path}/.well-known/openid-configuration`,
  ];
  for (const candidate of candidates) {
    const response = await fetch(candidate, { signal: AbortSignal.timeout(5000) }).catch(
      () => undefined,
    );
    if (!response?.ok) continue;
    const metadata = (await response.json().catch(() => ({}))) as {
      issuer?: string;
      jwks_uri?: string;
    };
    // RFC 8414 §3.3: the metadata must name the same issuer it was fetched for.
    if (metadata.issuer === issuer && metadata.jwks_uri) return metadata.jwks_uri;
  }
  throw new Error(`cannot find the jwks_uri of ${issuer}; set auth.oauth.jwks_uri`);
}
