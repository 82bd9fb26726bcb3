import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { parseYAML } from "confbox";
import { readCapped } from "../security/body.ts";
import { ToolFailure } from "./request.ts";
import type { Capability } from "./resolve.ts";
import { type Fetch, fetchPinned, type Lookup } from "./ssrf.ts";
import { MissingEnvError } from "./template.ts";

/** The most a token endpoint's answer may be. */
const TOKEN_RESPONSE_MAX_BYTES = 64 * 1024;

export interface CredentialOptions {
  env: Record<string, string | undefined>;
  allowPrivateNetworks: boolean;
  lookup?: Lookup;
  fetch?: Fetch;
  signal?: AbortSignal;
  /** How long a token request may take, in ms (the capability's timeout). */
  timeout?: number;
}

/** Variables an `oauth:<name>` credential reads: `<NAME>_ACCESS_TOKEN`, else a token grant. */
export function oauthEnv(name: string) {
  const prefix = name.toUpperCase().replace(/[^A-Z0-9]+/g, "_");
  return {
    accessToken: `${prefix}_ACCESS_TOKEN`,
    clientId: `${prefix}_CLIENT_ID`,
    clientSecret: `${prefix}_CLIENT_SECRET`,
    refreshToken: `${prefix}_REFRESH_TOKEN`,
  };
}

/** Whether an OAuth credential has what it needs in `env`; else the variable to set. */
export function oauthMissing(
  name: string,
  env: Record<string, string | undefined>,
): string | undefined {
  const vars = oauthEnv(name);
  if (env[vars.accessToken] || (env[vars.clientId] && env[vars.clientSecret])) return undefined;
  return `${vars.accessToken} (or ${vars.clientId} + ${vars.clientSecret})`;
}

interface CachedToken {
  token: string;
  expires: number;
}
const tokens = new Map<string, CachedToken>();
/** Token requests in flight: calls that need the same token at once wait for one request. */
const pending = new Map<string, Promise<string>>();

/**
 * The secret a capability's `auth` sends, read at call time: an environment variable, a field
 * of a JSON/YAML file (`file:/path:field`), or an OAuth access token (from the environment, or
 * fetched from `token_endpoint` with a refresh token or client credentials, cached until it
 * expires). Undefined when an optional credential is absent.
 */
export async function readCredential(
  capability: Capability,
  options: CredentialOptions,
): Promise<string | undefined> {
  const { auth } = capability;
  if (auth.type === "none") return undefined;
  const absent = (what: string): undefined => {
    if (!auth.required) return undefined;
    throw new MissingEnvError(what);
  };
  if (auth.keyEnv) return options.env[auth.keyEnv] || absent(auth.keyEnv);
  if (auth.keyFile) return readFileField(capability.name, auth.keyFile, options.env, auth.required);
  if (!auth.oauth) return undefined;
  const vars = oauthEnv(auth.oauth.name);
  const direct = options.env[vars.accessToken];
  if (direct) return direct;
  const clientId = options.env[vars.clientId];
  const clientSecret = options.env[vars.clientSecret];
  if (!clientId || !clientSecret) return absent(oauthMissing(auth.oauth.name, options.env)!);
  if (!auth.oauth.tokenEndpoint) {
    throw new ToolFailure(
      "MISSING_SECRET",
      `${capability.name}: auth.token_endpoint is needed to fetch a token with ${vars.clientId}; or set ${vars.accessToken}`,
    );
  }
  const refresh = options.env[vars.refreshToken];
  const key = tokenKey(capability, options.env)!;
  const cached = tokens.get(key);
  if (cached && cached.expires > Date.now()) return cached.token;
  let request = pending.get(key);
  if (!request) {
    const grant = { clientId, clientSecret, refresh, vars, key };
    request = fetchToken(capability, grant, options).finally(() => pending.delete(key));
    pending.set(key, request);
  }
  return waitUnlessAborted(request, options.signal);
}

/** Where a token fetched for this capability is cached; undefined when it reads no endpoint. */
function tokenKey(
  capability: Capability,
  env: Record<string, string | undefined>,
): string | undefined {
  const { oauth } = capability.auth;
  if (!oauth?.tokenEndpoint) return undefined;
  const vars = oauthEnv(oauth.name);
  if (env[vars.accessToken]) return undefined;
  const refresh = env[vars.refreshToken];
  return `${oauth.tokenEndpoint}\0${env[vars.clientId]}\0${refresh ?? ""}\0${oauth.scopes.join(" ")}`;
}

/**
 * Drops the token fetched for this capability (the API refused it: revoked before it expired);
 * false when its credential is not a fetched token.
 */
export function forgetFetchedToken(
  capability: Capability,
  env: Record<string, string | undefined>,
): boolean {
  const key = tokenKey(capability, env);
  return key !== undefined && tokens.delete(key);
}

/** What one token request sends. */
interface Grant {
  clientId: string;
  clientSecret: string;
  refresh?: string;
  vars: ReturnType<typeof oauthEnv>;
  key: string;
}

/**
 * Asks the token endpoint for a token and caches it. Bounded by the capability's timeout, not
 * by one caller's cancellation: other calls may be waiting for the same token.
 */
async function fetchToken(
  capability: Capability,
  { clientId, clientSecret, refresh, vars, key }: Grant,
  options: CredentialOptions,
): Promise<string> {
  const auth = capability.auth as Capability["auth"] & {
    oauth: NonNullable<Capability["auth"]["oauth"]>;
  };
  const timeout = options.timeout ?? 30_000;
  const signal = AbortSignal.timeout(timeout);
  const form = new URLSearchParams(
    refresh
      ? { grant_type: "refresh_token", refresh_token: refresh }
      : { grant_type: "client_credentials" },
  );
  form.set("client_id", clientId);
  form.set("client_secret", clientSecret);
  if (auth.oauth.scopes.length && !refresh) form.set("scope", auth.oauth.scopes.join(" "));
  let response: Response | { refused: string };
  let bytes: Uint8Array;
  let complete: boolean;
  try {
    response = await fetchPinned(
      new URL(auth.oauth.tokenEndpoint!),
      {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          accept: "application/json",
        },
        body: form.toString(),
        signal,
      },
      options,
    );
    if (!(response instanceof Response)) {
      throw new ToolFailure(
        "PRIVATE_NETWORK_BLOCKED",
        `token endpoint refused: ${response.refused}`,
      );
    }
    // A token answer is a few hundred bytes; a token endpoint is not let fill memory.
    ({ bytes, complete } = await readCapped(response, TOKEN_RESPONSE_MAX_BYTES));
  } catch (error) {
    if (!signal.aborted) throw error;
    throw new ToolFailure(
      "UPSTREAM_TIMEOUT",
      `${capability.name}: the token endpoint ${auth.oauth.tokenEndpoint} did not answer within ${timeout % 1000 === 0 ? `${timeout / 1000}s` : `${timeout}ms`}`,
      true,
    );
  }
  let body: { access_token?: string; expires_in?: number; error?: string } = {};
  try {
    if (complete) body = JSON.parse(new TextDecoder().decode(bytes));
  } catch {}
  if (!complete) {
    throw new ToolFailure(
      "UPSTREAM_AUTH_FAILED",
      `${capability.name}: ${auth.oauth.tokenEndpoint} answered more than ${TOKEN_RESPONSE_MAX_BYTES} bytes; not a token response`,
    );
  }
  if (!response.ok || typeof body.access_token !== "string") {
    throw new ToolFailure(
      "UPSTREAM_AUTH_FAILED",
      `${capability.name}: ${auth.oauth.tokenEndpoint} gave no access token (HTTP ${response.status}${body.error ? `, ${body.error}` : ""}); check ${vars.clientId}, ${vars.clientSecret}${refresh ? ` and ${vars.refreshToken}` : ""}`,
    );
  }
  // Refreshed a minute early, so a token never expires between here and the API.
  const lifetime = Math.max(0, (body.expires_in ?? 3600) - 60) * 1000;
  tokens.set(key, { token: body.access_token, expires: Date.now() + lifetime });
  return body.access_token;
}

/** The shared request's outcome, or this caller's cancellation, whichever comes first. */
function waitUnlessAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** `file:/path:field`: the field (dotted) of a JSON or YAML file, read at call time. */
function readFileField(
  name: string,
  ref: { path: string; field: string },
  env: Record<string, string | undefined>,
  required: boolean,
): string | undefined {
  const path = ref.path.startsWith("~/")
    ? join(env.HOME || homedir(), ref.path.slice(2))
    : ref.path;
  let value: unknown;
  try {
    let node: unknown = parseYAML(readFileSync(path, "utf8"));
    for (const part of ref.field.split(".")) {
      node = node && typeof node === "object" ? (node as Record<string, unknown>)[part] : undefined;
    }
    value = node;
  } catch (error) {
    if (!required) return undefined;
    throw new ToolFailure(
      "MISSING_SECRET",
      `${name} reads its key from ${path}, which cannot be read: ${(error as Error).message}`,
    );
  }
  if (typeof value === "string" && value) return value;
  if (typeof value === "number") return String(value);
  if (!required) return undefined;
  throw new ToolFailure("MISSING_SECRET", `${name}: ${path} has no field "${ref.field}"`);
}
