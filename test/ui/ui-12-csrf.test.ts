/**
 * CSRF against every state-changing endpoint the dashboard calls, from a real page in the same
 * Chromium the operator is logged in with. The attacker's page is on another port of
 * 127.0.0.1: the same *site* as the gateway, so the `SameSite=Strict` login cookie IS sent, and
 * only the gateway's Origin check stands between that page and the operator's session. It tries
 * `fetch` (no-cors, with credentials) and a plain form POST in a frame on each endpoint; the
 * gateway must do nothing at all: no admin action, no reload, no call, no login.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import type { RunningGateway } from "../../src/gateway/run.ts";
import { BUN, cleanupsAfterAll, FIXTURE_SERVER, startGateway, waitFor } from "../helpers.ts";
import { HAS_CHROMIUM, launchChromium, warnIfNoChromium } from "./_chromium.ts";

warnIfNoChromium("the dashboard CSRF tests");

const ADMIN = "mgw_admin-csrf-test-key-0123456789abcdefghijklmnopq";
const ENDPOINTS = [
  "/api/reload",
  "/ui/api/reload",
  "/api/backends/fx/restart",
  "/api/backends/fx/disable",
  "/api/backends/fx/enable",
  "/api/backends/fx/revive",
  "/api/backends/fx/login",
  "/ui/api/backends/fx/disable",
  "/api/tool/invoke?server=fx&tool=echo",
  "/api/tool/approve?server=fx&tool=echo",
  "/api/tool/trust?server=fx&tool=echo",
  "/api/tools/fx/echo/invoke",
  "/ui/api/tools/fx/echo/invoke",
  "/ui/logout",
  "/ui/login",
];

const cleanups = cleanupsAfterAll();
let browser: Browser;
let gateway: RunningGateway & { url: string };
let evil: string;
const happened: string[] = [];

beforeAll(async () => {
  if (!HAS_CHROMIUM) return;
  gateway = await startGateway(`capabilities: { enabled: false }
auth:
  enabled: true
  api_keys:
    - { name: ops, key: "${ADMIN}", admin: true }
backends:
  fx:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
`);
  cleanups.push(() => gateway.stop());
  await waitFor(() => gateway.gateway.index.tools("fx").length);
  const { hooks } = gateway.gateway;
  hooks.hook("admin:action", (action) => void happened.push(`admin ${action.action}`));
  hooks.hook("config:reload", () => void happened.push("reload"));
  hooks.hook("tool:call:before", (call) => void happened.push(`call ${call.tool}`));
  hooks.hook("tool:call:refused", (call) => void happened.push(`refused ${call.tool}`));
  // The attacker's page: another port on the same host, so the same site as the gateway.
  const target = gateway.url;
  const page = `<!doctype html><meta charset="utf-8"><body><script>
const endpoints = ${JSON.stringify(ENDPOINTS)};
const body = JSON.stringify({ arguments: { message: "csrf" } });
window.done = Promise.all(endpoints.map(async (path, i) => {
  await fetch(${JSON.stringify(target)} + path, { method: "POST", mode: "no-cors",
    credentials: "include", headers: { "content-type": "text/plain" }, body }).catch(() => {});
  const frame = document.createElement("iframe");
  frame.name = "f" + i;
  document.body.append(frame);
  const form = document.createElement("form");
  form.method = "POST";
  form.action = ${JSON.stringify(target)} + path;
  form.target = frame.name;
  form.enctype = "text/plain";
  const field = document.createElement("input");
  field.name = "key";
  field.value = ${JSON.stringify(ADMIN)};
  form.append(field);
  document.body.append(form);
  await new Promise((loaded) => { frame.onload = loaded; form.submit(); });
})).then(() => "sent");
</script>`;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: () => new Response(page, { headers: { "content-type": "text/html" } }),
  });
  cleanups.push(() => server.stop(true));
  evil = `http://127.0.0.1:${server.port}/`;
  browser = await launchChromium();
  cleanups.push(() => browser.close());
}, 30_000);

describe.skipIf(!HAS_CHROMIUM)("CSRF from another port of the same host", () => {
  test("a logged-in operator's browser on the attacker's page changes nothing", async () => {
    const context = await browser.newContext();
    cleanups.push(() => context.close());
    const page = await context.newPage();
    // The operator logs in: the cookie is in this browser.
    await page.goto(`${gateway.url}/ui`);
    await page.fill("#key", ADMIN);
    await page.click("#login button, #login [type=submit]");
    await page.locator('#backends tr[data-backend="fx"]').waitFor();
    const cookies = await context.cookies(gateway.url);
    expect(cookies.map((cookie) => cookie.sameSite)).toContain("Strict");
    // The page's own actions work: the Origin check lets the dashboard through.
    happened.length = 0;
    await page.evaluate(() =>
      fetch("/api/tool/invoke?server=fx&tool=pid", { method: "POST", body: "{}" }),
    );
    await waitFor(() => happened.includes("call pid"));

    happened.length = 0;
    const attacker = await context.newPage();
    await attacker.goto(evil);
    expect(
      await attacker.evaluate(() => (window as unknown as { done: Promise<string> }).done),
    ).toBe("sent");
    // Still logged in, still enabled, nothing done in the operator's name.
    const status = await page.evaluate(async () => (await fetch("/api/status")).status);
    expect(status).toBe(200);
    expect(gateway.gateway.pool.killSwitch.get("fx")).toBeUndefined();
    expect(happened).toEqual([]);
  }, 60_000);
});
