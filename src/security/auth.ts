import { createHash } from "node:crypto";
import type { ClusterLink, SharedCounters } from "../cluster/link.ts";
import type { ResolvedConfig } from "../config/load.ts";
import { GatewayError } from "../errors.ts";
import { type Caller, LOCAL_ADMIN } from "../gateway/caller.ts";
import { type ClientCertificate, clientCertificateOf } from "../http/client-cert.ts";
import { isLoopbackAddress } from "../http/loopback.ts";
import { logger } from "../logger.ts";
import { presentedDigest, sameDigest, storedDigest } from "./keys.ts";
import { createLoginSessions, type LoginBinding } from "./logins.ts";
import { createOAuthVerifier } from "./oauth.ts";
import { createRateLimiter, type RateLimiter } from "./rate-limit.ts";
import type { AuthConfig } from "./schema.ts";
import { createScopedCaller } from "./scopes.ts";
import { addressKey, createFailureThrottle, type FailureThrottle } from "./throttle.ts";

/**
 * The UI's login cookie: HttpOnly, SameSite=Strict, never honoured on `/mcp`. It holds a random
 * login token (src/security/logins.ts), never the key.
 */
export const LOGIN_COOKIE = "mcp_gateway_session";

/**
 * Decides who is calling from an HTTP request: a `Caller` (whose `allows()` applies the key's
 * scopes), or a `Response` to send instead (401 with `WWW-Authenticate`, 403, 429).
 */
export interface Authenticator {
  /** True when requests must carry a key (anything but `/health` then needs one). */
  readonly required: boolean;
  /**
   * `address` is the client's (the TCP peer's, or X-Forwarded-For's from a trusted proxy):
   * after `auth.lockout.failures` wrong keys from it within `auth.lockout.window`, every request
   * from it that carries a key gets 429 until the window passes. Loopback clients only with
   * `auth.lockout.loopback`.
   */
  authenticate(
    request: Request,
    address?: string,
    options?: { uncharged?: boolean },
  ): Promise<Caller | Response>;
  /**
   * The dashboard's login form: checks `key` as a Bearer would be checked and returns a new
   * login token for the cookie (valid `maxAge` seconds), or the 401/429 to answer instead.
   */
  login(key: string, address?: string): Promise<{ token: string; maxAge: number } | Response>;
  /** Ends the login whose token the request's cookie holds (every copy of the cookie dies). */
  logout(request: Request): void;
  /**
   * Charges the JSON-RPC messages of a POST past its first (a batch) to the caller's rate limit,
   * which counts messages, not POSTs; a Response (429) when over it.
   */
  charge(caller: Caller, messages: number): Promise<Response | undefined>;
  /** Documents served to anyone (RFC 9728 protected-resource metadata), else undefined. */
  publicResponse(request: Request): Response | undefined;
  /** Applies a changed `auth` section (a key created or revoked) without a restart. */
  update(auth: AuthConfig): void;
  /**
   * Aborted (its reason a `POLICY_DENIED` that says why) when the key of `callerId` is revoked
   * by `update`: the key's calls in flight end then, at the backend too. Undefined for a caller
   * that is no key (auth off, an OAuth token).
   */
  revocation(callerId: string): AbortSignal | undefined;
  /** Calls `listener` with each key's caller id that `update` revoked. Returns an unsubscribe. */
  onRevoked(listener: (callerId: string) => void): () => void;
  /**
   * Counts rate limits and the wrong-key lockout in `counters`, shared by every instance of a
   * cluster (fixed one-minute and lockout windows); while they cannot be reached, locally.
   * When the store answers again, each key's count this instance last saw in the current
   * minute is put back (a store restarted empty must not hand out a second minute's worth).
   * Dashboard logins made with a key are kept there too, so that a login works on every instance
   * behind a load balancer, and a logout on one ends it on all.
   */
  share(
    counters:
      | (SharedCounters &
          Pick<ClusterLink, "onReconnect" | "get" | "set" | "del" | "connected" | "peers">)
      | undefined,
  ): void;
}

interface KeyEntry {
  digest: Buffer;
  /** `api_keys[].client_cert`: the certificate that stands for this key. */
  clientCert?: { subject_cn?: string; fingerprint_sha256?: string };
  caller: Caller;
  limiter?: RateLimiter;
}

/** Tagged at each use, so it follows `--log-level` set after import. */
const log = () => logger.withTag("auth");
const log401 = { last: 0, suppressed: 0 };

/** With auth off the gateway only listens on loopback, and the caller is the local admin. */
export function createAuthenticator(config: ResolvedConfig): Authenticator {
  let auth = config.auth;
  let keys = buildKeys(auth);
  let oauth = auth.oauth ? createOAuthVerifier(auth.oauth) : undefined;
  // Kept across reloads (revoking a key must not forgive a guesser) unless the lockout changed.
  let throttle = lockoutOf(auth);
  const logins = createLoginSessions();
  /** A login's entry in the cluster's store: named by the token's digest, never the token. */
  const sharedLogin = (token: string) =>
    `login:${createHash("sha256").update(token).digest("hex")}`;

  /**
   * The login a cookie holds. In a cluster the store decides (a login made on another instance,
   * or ended there); while it cannot be reached, this instance's own logins still count. A login
   * with an OAuth token stays on the instance that made it (the token is not put in the store).
   */
  async function loginOf(cookie: string): Promise<LoginBinding | undefined> {
    const local = logins.get(cookie);
    if (!shared?.connected || (local && "jwt" in local)) return local;
    const stored = await shared.get(sharedLogin(cookie));
    if (stored === undefined) return shared.connected ? undefined : local;
    const { digest } = JSON.parse(stored) as { digest: string };
    return { digest: Buffer.from(digest, "hex") };
  }

  /**
   * Logins ended while the cluster's store did not answer: deleted there once it does (it may
   * have kept them: paused, or cut off from this instance only), or the cookie worked again.
   */
  const missedLogouts = new Set<string>();

  /** Ends a login here and in the cluster's store. */
  function endLogin(cookie: string): void {
    logins.revoke(cookie);
    if (!shared) return;
    const key = sharedLogin(cookie);
    if (!shared.connected) missedLogouts.add(key);
    void shared.del(key);
  }
  /** Per key with a call in flight since it was last revoked or renamed: what `revocation` gave. */
  const revocations = new Map<string, AbortController>();
  const revokedListeners = new Set<(callerId: string) => void>();
  let shared: Parameters<Authenticator["share"]>[0];
  /** Per key: the shared count this instance last saw, and when its minute ends. */
  const lastSeen = new Map<string, { count: number; until: number }>();

  /** Per key, while the shared store is down: its share of the limit, and of how many. */
  const shares = new Map<string, { of: number; instances: number; limiter: RateLimiter }>();

  /**
   * The key's limiter while the shared counters cannot be reached (or without a cluster): in a
   * cluster, the limit divided among the instances counted last (each counts alone then, and N
   * instances each allowing the whole limit would allow N times it).
   */
  function outageLimiter(entry: KeyEntry): RateLimiter {
    const limiter = entry.limiter!;
    const instances = shared?.peers?.size() ?? 1;
    if (instances <= 1) return limiter;
    const id = entry.caller.id;
    const known = shares.get(id);
    if (known?.of === limiter.perMinute && known.instances === instances) return known.limiter;
    const share = createRateLimiter(Math.max(1, Math.floor(limiter.perMinute / instances)));
    shares.set(id, { of: limiter.perMinute, instances, limiter: share });
    return share;
  }

  /** Takes `count` messages from the key's limit: 0 when allowed, else ms to wait. */
  async function take(entry: KeyEntry, count: number): Promise<number> {
    const limiter = entry.limiter!;
    const window = shared ? await shared.hit(`rate:${entry.caller.id}`, count, 60_000) : undefined;
    if (!window) return outageLimiter(entry).take(count);
    // One entry per configured key with a limit: bounded by the config.
    lastSeen.set(entry.caller.id, {
      count: Math.min(window.count, limiter.perMinute),
      until: Date.now() + window.resetMs,
    });
    if (window.count <= limiter.perMinute) return 0;
    void shared!.hit(`rate:${entry.caller.id}`, -count, 60_000);
    return count > limiter.perMinute ? Number.POSITIVE_INFINITY : Math.max(1, window.resetMs);
  }

  /** While the shared count is down: the lockout's share of failures, and of how many. */
  let outage: { instances: number; of: FailureThrottle; throttle: FailureThrottle } | undefined;

  /**
   * In a cluster, a throttle of the lockout's failures divided among the instances counted last
   * (rounded up): while Redis is down each instance counts alone, and N instances each allowing
   * all the failures let a guesser spread N times as many over them.
   */
  function outageThrottle(): FailureThrottle | undefined {
    const instances = shared?.peers?.size() ?? 1;
    if (instances <= 1 || !throttle) return undefined;
    if (outage?.instances !== instances || outage.of !== throttle) {
      const { failures, window } = auth.lockout;
      const limit = Math.ceil(failures / instances);
      outage = {
        instances,
        of: throttle,
        throttle: createFailureThrottle({ limit, windowMs: window }),
      };
    }
    return outage.throttle;
  }

  async function lockedFor(address: string): Promise<number> {
    if (!throttle) return 0;
    const window = shared ? await shared.peek(`lockout:${address}`) : undefined;
    const here = throttle.wait(address);
    if (!window) return Math.max(here, outageThrottle()?.wait(address) ?? 0);
    // This instance's own count holds too: a Redis restarted empty must not forgive a guesser.
    const everywhere = window.count >= auth.lockout.failures ? Math.max(1, window.resetMs) : 0;
    return Math.max(here, everywhere);
  }

  /** A 401/403 for a request to `path`, pointing at that endpoint's own OAuth metadata. */
  function challenge(
    path: string,
    status: 401 | 403,
    error?: string,
    description?: string,
  ): Response {
    const params = [`realm="mcp-gateway"`];
    if (oauth) params.push(`resource_metadata="${oauth.metadataUrlFor(path)}"`);
    if (error) params.push(`error="${error}"`);
    if (description) params.push(`error_description="${description.replace(/["\\]/g, "'")}"`);
    if (error === "insufficient_scope" && oauth?.scopeHint) {
      params.push(`scope="${oauth.scopeHint}"`);
    }
    const message =
      description ??
      "this gateway needs a key: send `Authorization: Bearer <key>` (mcp-gateway keys create makes one)";
    return Response.json(
      { jsonrpc: "2.0", error: { code: -32001, message }, id: null },
      { status, headers: { "WWW-Authenticate": `Bearer ${params.join(", ")}` } },
    );
  }

  /** Every entry is compared, so the time taken does not say which key came close. */
  function findKey(digest: Buffer): KeyEntry | undefined {
    let found: KeyEntry | undefined;
    for (const entry of keys) {
      if (sameDigest(entry.digest, digest) && !found) found = entry;
    }
    return found;
  }

  function findByCertificate(certificate: ClientCertificate): KeyEntry | undefined {
    return keys.find(({ clientCert: wanted }) => {
      if (!wanted) return false;
      if (wanted.subject_cn && wanted.subject_cn !== certificate.subjectCn) return false;
      return (
        !wanted.fingerprint_sha256 || wanted.fingerprint_sha256 === certificate.fingerprintSha256
      );
    });
  }

  return {
    get required() {
      return auth.enabled;
    },
    async authenticate(request, address, options) {
      if (!auth.enabled) return LOCAL_ADMIN;
      const path = new URL(request.url).pathname;
      const bearer = bearerToken(request);
      const cookie = bearer || isMcpPath(path) ? undefined : cookieToken(request);
      if (!bearer && !cookie) {
        // A verified client certificate mapped to a key entry is that key; any other gets none.
        const certificate = clientCertificateOf(request);
        const found = certificate ? findByCertificate(certificate) : undefined;
        if (!found) return challenge(path, 401);
        if (request.method === "POST" && found.limiter && !options?.uncharged) {
          const wait = await take(found, 1);
          if (wait > 0) return tooMany(found.caller.id, wait);
        }
        return found.caller;
      }
      // Checked before the key, so that a blocked guesser cannot tell a right key from a wrong one.
      const counted =
        address && (auth.lockout.loopback || !isLoopbackAddress(address))
          ? addressKey(address)
          : undefined;
      const blocked = counted ? await lockedFor(counted) : 0;
      if (blocked > 0) return guessing(counted!, blocked);
      const failed = () => {
        if (!counted || !throttle) return;
        throttle.fail(counted);
        outageThrottle()?.fail(counted);
        void shared?.hit(`lockout:${counted}`, 1, auth.lockout.window);
      };
      let binding: LoginBinding;
      if (cookie) {
        const login = await loginOf(cookie);
        if (!login) {
          return challenge(
            path,
            401,
            "invalid_token",
            "the dashboard login expired or was revoked",
          );
        }
        binding = login;
      } else {
        binding =
          bearer!.split(".").length === 3 ? { jwt: bearer! } : { digest: presentedDigest(bearer!) };
      }
      const digest = "digest" in binding ? binding.digest : presentedDigest(binding.jwt);
      const found = findKey(digest);
      if (found) {
        if (request.method === "POST" && found.limiter && !options?.uncharged) {
          const wait = await take(found, 1);
          if (wait > 0) return tooMany(found.caller.id, wait);
        }
        return found.caller;
      }
      if (cookie && "digest" in binding) {
        // The key this login used is gone (revoked): so is the login.
        endLogin(cookie);
        return challenge(path, 401, "invalid_token", "the key of this dashboard login was revoked");
      }
      if (oauth && "jwt" in binding) {
        const result = await oauth.verify(binding.jwt, path);
        if (result.ok) return result.caller;
        if (cookie) logins.revoke(cookie);
        else if (result.status === 401) failed();
        noteRejected(`${request.method} ${path}: ${result.message}`);
        return challenge(path, result.status, result.error, result.message);
      }
      failed();
      noteRejected(`${request.method} ${path}: unknown key`);
      return challenge(path, 401, "invalid_token", "the key is not valid (unknown or revoked)");
    },
    async login(key, address) {
      const probe = new Request("http://gateway/ui/login", {
        headers: { authorization: `Bearer ${key}` },
      });
      const caller = await this.authenticate(probe, address);
      if (caller instanceof Response) return caller;
      const digest = presentedDigest(key);
      const binding: LoginBinding = findKey(digest) ? { digest } : { jwt: key };
      const ttl = auth.ui_session_ttl;
      const token = logins.issue(binding, ttl);
      if ("digest" in binding) {
        const stored = JSON.stringify({ digest: binding.digest.toString("hex") });
        await shared?.set(sharedLogin(token), stored, ttl);
      }
      return { token, maxAge: Math.floor(ttl / 1000) };
    },
    logout(request) {
      const cookie = cookieToken(request);
      if (cookie) endLogin(cookie);
    },
    async charge(caller, messages) {
      // By id too: a session's routing profile wraps the key's caller in one of its own.
      const entry = keys.find(
        (candidate) => candidate.caller === caller || candidate.caller.id === caller.id,
      );
      const limiter = entry?.limiter;
      if (!limiter || messages < 1) return undefined;
      const wait = await take(entry, messages);
      if (wait === Number.POSITIVE_INFINITY) {
        return tooMany(
          caller.id,
          60_000,
          `a batch of ${messages + 1} messages is more than the rate limit of ${caller.id} (${limiter.perMinute}/min); send fewer at once`,
        );
      }
      return wait > 0 ? tooMany(caller.id, wait) : undefined;
    },
    publicResponse(request) {
      const path = new URL(request.url).pathname;
      if (!oauth || request.method !== "GET") return undefined;
      const metadata = oauth.metadataAt(path);
      if (!metadata) return undefined;
      return Response.json(metadata, { headers: { "Cache-Control": "max-age=300" } });
    },
    update(next) {
      // The config reload and the security watcher both pass each edit on: say it once, when it changed.
      const changed = JSON.stringify(next) !== JSON.stringify(auth);
      if (JSON.stringify(next.lockout) !== JSON.stringify(auth.lockout)) throttle = lockoutOf(next);
      auth = next;
      const before = keys;
      keys = buildKeys(next);
      // A caller outlives the request that authenticated it (a running script or playbook): a
      // key's caller object stays the same across reloads and takes the reloaded scopes, and
      // a revoked key's may do nothing more.
      for (const entry of keys) {
        const old = before.find((kept) => sameDigest(kept.digest, entry.digest));
        if (!old) continue;
        // Nor does a reload refill its rate limit: what it spent this minute carries over (a
        // lowered limit may leave it nothing until the bucket refills).
        if (entry.limiter && old.limiter) {
          entry.limiter =
            entry.limiter.perMinute === old.limiter.perMinute
              ? old.limiter
              : createRateLimiter(entry.limiter.perMinute, Date.now, old.limiter.spent());
        }
        Object.assign(old.caller, entry.caller);
        entry.caller = old.caller;
      }
      for (const old of before) {
        if (!keys.some((entry) => entry.caller === old.caller)) {
          const id = old.caller.id;
          Object.assign(old.caller, revokedCaller(id));
          revocations
            .get(id)
            ?.abort(
              new GatewayError(
                "POLICY_DENIED",
                `the key of ${id} was revoked (taken out of auth.api_keys) while this call ran: the call was cancelled`,
              ),
            );
          revocations.delete(id);
          for (const listener of revokedListeners) listener(id);
        }
      }
      // A key renamed (the same key under a new name) keeps its calls; its old id is no key's.
      for (const id of revocations.keys()) {
        if (!keys.some((entry) => entry.caller.id === id)) revocations.delete(id);
      }
      oauth = next.oauth ? createOAuthVerifier(next.oauth) : undefined;
      if (changed) log().info(`auth reloaded: ${next.api_keys.length} key(s)`);
    },
    revocation(callerId) {
      if (!keys.some((entry) => entry.caller.id === callerId)) return undefined;
      let controller = revocations.get(callerId);
      if (!controller) {
        controller = new AbortController();
        revocations.set(callerId, controller);
      }
      return controller.signal;
    },
    onRevoked(listener) {
      revokedListeners.add(listener);
      return () => revokedListeners.delete(listener);
    },
    share(counters) {
      shared = counters;
      counters?.onReconnect(() => {
        for (const key of missedLogouts) void counters.del(key);
        missedLogouts.clear();
        const now = Date.now();
        for (const [id, seen] of lastSeen) {
          if (seen.until > now) void counters.atLeast(`rate:${id}`, seen.count, seen.until - now);
        }
      });
    },
  };
}

/** What a revoked key's caller may still do: nothing. */
function revokedCaller(id: string): Caller {
  const why = () => `the key of ${id} was revoked`;
  return {
    id,
    admin: false,
    allows: () => false,
    allowsCatalog: () => false,
    denial: why,
  };
}

function lockoutOf(auth: AuthConfig): FailureThrottle | undefined {
  const { failures, window } = auth.lockout;
  return failures > 0 ? createFailureThrottle({ limit: failures, windowMs: window }) : undefined;
}

function buildKeys(auth: AuthConfig): KeyEntry[] {
  const entries: KeyEntry[] = auth.api_keys.map((key) => ({
    digest: storedDigest(key.key),
    caller: createScopedCaller({
      id: `key:${key.name}`,
      admin: key.admin,
      grants: [key],
      label: `key "${key.name}"`,
      credentials: key.credentials,
    }),
    limiter: key.rate_limit > 0 ? createRateLimiter(key.rate_limit) : undefined,
    clientCert: key.client_cert,
  }));
  if (auth.bearer_token) {
    entries.push({
      digest: storedDigest(auth.bearer_token),
      caller: { id: "bearer", admin: true, allows: () => true, allowsCatalog: () => true },
    });
  }
  return entries;
}

function isMcpPath(path: string): boolean {
  return path === "/mcp" || path.startsWith("/mcp/");
}

function bearerToken(request: Request): string | undefined {
  const header = request.headers.get("authorization");
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

function cookieToken(request: Request): string | undefined {
  const cookies = request.headers.get("cookie") ?? "";
  for (const part of cookies.split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name !== LOGIN_COOKIE || !value.length) continue;
    // Login tokens are URL-safe; a malformed escape is no token (401), never a 500.
    try {
      return decodeURIComponent(value.join("="));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The `Set-Cookie` value the UI's login form sends back: a login token, never the key. */
export function loginCookie(token: string, options: { maxAge: number; secure?: boolean }): string {
  const attributes = ["HttpOnly", "SameSite=Strict", "Path=/", `Max-Age=${options.maxAge}`];
  if (options.secure) attributes.push("Secure");
  return `${LOGIN_COOKIE}=${encodeURIComponent(token)}; ${attributes.join("; ")}`;
}

function tooMany(id: string, waitMs: number, why?: string): Response {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  const message = why ?? `${id} is over its rate limit; retry in ${seconds}s`;
  log().warn(message);
  return Response.json(
    {
      jsonrpc: "2.0",
      error: { code: -32000, message: `[RATE_LIMITED] ${message}` },
      id: null,
    },
    { status: 429, headers: { "Retry-After": String(seconds) } },
  );
}

function guessing(address: string, waitMs: number): Response {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  noteRejected(`a request from ${address}: too many wrong keys; blocked for ${seconds}s`);
  return Response.json(
    {
      jsonrpc: "2.0",
      error: {
        code: -32000,
        message: `[RATE_LIMITED] too many failed authentications from this address; retry in ${seconds}s`,
      },
      id: null,
    },
    { status: 429, headers: { "Retry-After": String(seconds) } },
  );
}

/** Logs rejected requests, at most one line a second (a scanner must not flood the log). */
function noteRejected(what: string): void {
  const now = Date.now();
  if (now - log401.last < 1000) {
    log401.suppressed++;
    return;
  }
  const more = log401.suppressed ? ` (and ${log401.suppressed} more rejected)` : "";
  log401.last = now;
  log401.suppressed = 0;
  log().warn(`rejected ${what}${more}`);
}
