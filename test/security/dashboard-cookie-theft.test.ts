/**
 * Attack: stealing or riding the dashboard's login. Cookies are not scoped by port, so every
 * service on the host receives the gateway's cookie; it must not be the long-lived API key, and
 * it must die on logout, on key revocation and on its own. A page on another port of the same
 * host (or a sandboxed frame, `Origin: null`) must not be able to ride the cookie into
 * state-changing routes.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import type { RunningGateway } from "../../src/gateway/run.ts";
import { hashKey } from "../../src/security/keys.ts";
import { startGateway, waitFor } from "../helpers.ts";

setDefaultTimeout(30_000);

const ADMIN = "mgw_cookie-admin-key-0123456789abcdefghijklmnop";
const OTHER = "mgw_cookie-other-key-0123456789abcdefghijklmnop";

let locked: RunningGateway & { url: string };
let open: RunningGateway & { url: string };

beforeAll(async () => {
  locked = await startGateway(`
capabilities: { enabled: false }
auth:
  enabled: true
  ui_session_ttl: 2s
  api_keys:
    - { name: admin, key: "${hashKey(ADMIN)}", admin: true }
    - { name: other, key: "${hashKey(OTHER)}", admin: true }
`);
  open = await startGateway("capabilities: { enabled: false }\n");
});

afterAll(async () => {
  await locked?.stop();
  await open?.stop();
});

function send(
  url: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: BodyInit } = {},
) {
  return fetch(`${url}${path}`, { redirect: "manual", ...init });
}

async function login(key: string, headers: Record<string, string> = {}): Promise<string> {
  const response = await send(locked.url, "/ui/login", {
    method: "POST",
    body: new URLSearchParams({ key }),
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
  });
  expect(response.status).toBe(303);
  const set = response.headers.get("set-cookie");
  expect(set).toBeTruthy();
  return set!;
}

const status = (cookie: string) =>
  send(locked.url, "/api/status", { headers: { cookie } }).then((r) => r.status);

describe("the login cookie", () => {
  test("holds a random session token, not the key", async () => {
    const set = await login(ADMIN);
    const value = set.split(";")[0]!;
    const token = decodeURIComponent(value.slice(value.indexOf("=") + 1));
    expect(token).not.toContain(ADMIN);
    expect(token).not.toContain(ADMIN.slice(4, 20));
    expect(token.length).toBeGreaterThanOrEqual(32);
    // Two logins with the same key get different tokens.
    expect((await login(ADMIN)).split(";")[0]).not.toBe(value);
    expect(await status(value)).toBe(200);
    // The key itself in the cookie (what the old cookie held) opens nothing.
    const name = value.slice(0, value.indexOf("="));
    expect(await status(`${name}=${encodeURIComponent(ADMIN)}`)).toBe(401);
  });

  test("a forged cookie with a malformed escape is refused (401), not a server error", async () => {
    const name = (await login(ADMIN)).split("=")[0]!;
    expect(await status(`${name}=%E0%A4%A`)).toBe(401);
    const page = await send(locked.url, "/ui", { headers: { cookie: `${name}=%E0%A4%A` } });
    expect(page.status).toBeLessThan(500);
  });

  test("logout revokes it on the server, not just in the browser", async () => {
    const value = (await login(ADMIN)).split(";")[0]!;
    expect(await status(value)).toBe(200);
    const out = await send(locked.url, "/ui/logout", {
      method: "POST",
      headers: { cookie: value },
    });
    expect(out.status).toBe(303);
    // A copy kept elsewhere (another port's service received it) is dead too.
    expect(await status(value)).toBe(401);
  });

  test("expires: Max-Age matches auth.ui_session_ttl, and the server forgets it", async () => {
    const set = await login(ADMIN);
    expect(set).toContain("Max-Age=2");
    const value = set.split(";")[0]!;
    expect(await status(value)).toBe(200);
    await Bun.sleep(2300);
    expect(await status(value)).toBe(401);
  });

  test("dies when its key is revoked", async () => {
    const value = (await login(OTHER)).split(";")[0]!;
    expect(await status(value)).toBe(200);
    const file = locked.gateway.config.file!;
    const text = readFileSync(file, "utf8");
    writeFileSync(file, text.replace(/ {4}- \{ name: other.*\n/, ""));
    await waitFor(
      async () =>
        (await send(locked.url, "/api/status", { headers: { authorization: `Bearer ${OTHER}` } }))
          .status === 401,
    );
    expect(await status(value)).toBe(401);
  });
});

describe("Origin on state-changing routes", () => {
  test("a loopback page on another port cannot ride the cookie into POST /api/reload", async () => {
    const value = (await login(ADMIN)).split(";")[0]!;
    const port = new URL(locked.url).port;
    for (const origin of ["http://localhost:1234", "http://127.0.0.1:1234", "https://127.0.0.1"]) {
      const response = await send(locked.url, "/api/reload", {
        method: "POST",
        headers: { cookie: value, origin },
      });
      expect(`${origin} ${response.status}`).toBe(`${origin} 403`);
    }
    // The gateway's own origin (the dashboard itself) still may.
    for (const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`]) {
      const response = await send(locked.url, "/api/reload", {
        method: "POST",
        headers: { cookie: value, origin },
      });
      expect(`${origin} ${response.status}`).toBe(`${origin} 200`);
    }
  });

  for (const mode of ["auth on", "auth off"] as const) {
    test(`Origin: null cannot reload or log in (${mode})`, async () => {
      const url = mode === "auth on" ? locked.url : open.url;
      const headers: Record<string, string> = { origin: "null" };
      if (mode === "auth on") headers.cookie = (await login(ADMIN)).split(";")[0]!;
      const reload = await send(url, "/api/reload", { method: "POST", headers });
      expect(reload.status).toBe(403);
      const form = await send(url, "/ui/login", {
        method: "POST",
        body: new URLSearchParams({ key: ADMIN }),
        headers: { origin: "null", "content-type": "application/x-www-form-urlencoded" },
      });
      expect(form.status).toBe(403);
      expect(form.headers.get("set-cookie")).toBeNull();
    });
  }

  test("with auth off, the login form sets no cookie at all", async () => {
    const response = await send(open.url, "/ui/login", {
      method: "POST",
      body: new URLSearchParams({ key: "anything-at-all-0123456789" }),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(response.status).toBe(303);
    expect(response.headers.get("set-cookie")).toBeNull();
  });
});
