import type { ResolvedConfig } from "../config/load.ts";
import { type Caller, LOCAL_ADMIN } from "../gateway/caller.ts";

/**
 * Decides who is calling from an HTTP request: a `Caller` (whose `allows()` applies the key's
 * scopes), or a `Response` to send instead (401 with `WWW-Authenticate`, 403).
 */
export interface Authenticator {
  /** True when requests must carry a key (anything but `/health` then needs one). */
  readonly required: boolean;
  authenticate(request: Request): Promise<Caller | Response>;
}

/** With auth off the gateway only listens on loopback, and the caller is the local admin. */
export function createAuthenticator(_config: ResolvedConfig): Authenticator {
  return {
    required: false,
    async authenticate() {
      return LOCAL_ADMIN;
    },
  };
}
