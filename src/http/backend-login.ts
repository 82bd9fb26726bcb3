import { loginBackend } from "../backends/oauth/login.ts";
import { usesOAuth } from "../backends/oauth/transport-auth.ts";
import type { Gateway } from "../gateway/gateway.ts";

/**
 * The dashboard's "Log in" on a `needs_login` backend (admin only): starts the same login as
 * `mcp-gateway auth login NAME`, answers with the authorization URL for the browser to open, and
 * once the browser comes back to the loopback callback reconnects the backend.
 */
export function startBackendLogin(gateway: Gateway, name: string): Promise<Response> {
  const backend = gateway.config.backends.find((b) => b.name === name);
  if (!backend || !usesOAuth(backend)) {
    return Promise.resolve(
      Response.json(
        { error: `no HTTP backend named ${name} that logs in with OAuth` },
        { status: 404 },
      ),
    );
  }
  return new Promise((answer) => {
    loginBackend({ backend, onUrl: (url) => answer(Response.json({ url: String(url) })) })
      .then(() => gateway.pool.open(name))
      .catch((error: Error) => answer(Response.json({ error: error.message }, { status: 502 })));
  });
}
