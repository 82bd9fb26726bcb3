import { createHash } from "node:crypto";

/**
 * What a dashboard login is bound to: the digest of the API key that logged in (checked against
 * the keys in force on every use, so revoking the key ends the login), or an OAuth access token
 * (verified again on every use, so its expiry holds).
 */
export type LoginBinding = { digest: Buffer } | { jwt: string };

/**
 * Dashboard logins held on the server. The browser's cookie holds only a random token: cookies
 * are not scoped by port, so every service on the host receives it, and it must be worth less
 * than the key (it expires, and logout or revoking the key kills every copy of it).
 */
export interface LoginSessions {
  /** A new random token for `binding`, valid for `ttlMs`. */
  issue(binding: LoginBinding, ttlMs: number): string;
  /** The binding of a live token; undefined when unknown, expired or revoked. */
  get(token: string): LoginBinding | undefined;
  revoke(token: string): void;
}

interface Login {
  binding: LoginBinding;
  expires: number;
}

export function createLoginSessions(
  options: { max?: number; now?: () => number } = {},
): LoginSessions {
  const max = options.max ?? 10_000;
  const now = options.now ?? Date.now;
  // Keyed by the token's digest: a heap dump shows no usable token.
  const logins = new Map<string, Login>();
  const keyOf = (token: string) => createHash("sha256").update(token).digest("hex");

  return {
    issue(binding, ttlMs) {
      const bytes = crypto.getRandomValues(new Uint8Array(32));
      const token = Buffer.from(bytes).toString("base64url");
      for (const [key, login] of logins) if (login.expires <= now()) logins.delete(key);
      // Past the cap the oldest login goes (Map order is issue order).
      if (logins.size >= max) logins.delete(logins.keys().next().value!);
      logins.set(keyOf(token), { binding, expires: now() + ttlMs });
      return token;
    },
    get(token) {
      const key = keyOf(token);
      const login = logins.get(key);
      if (!login) return undefined;
      if (login.expires <= now()) {
        logins.delete(key);
        return undefined;
      }
      return login.binding;
    },
    revoke(token) {
      logins.delete(keyOf(token));
    },
  };
}
