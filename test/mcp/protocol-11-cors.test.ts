/**
 * A browser client on an origin listed in `server.allowed_origins` (docs/security.md: "to use the
 * gateway from a local web app, a browser-based MCP inspector say, list that app's origin"),
 * talking to the gateway directly as a browser does: a preflight, then requests whose answers
 * it may read only with CORS headers. The gateway sent none: the preflight got 405 and the page
 * could read neither an answer nor the Mcp-Session-Id header, so listing the origin changed
 * nothing for it. Checked in a real browser (Chromium) when one is installed, and at the
 * header level always.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { freePort, startFixtureGateway } from "../helpers.ts";
import { MCP_HEADERS } from "../security/_helpers.ts";
import { HAS_CHROMIUM, launchChromium, warnIfNoChromium } from "../ui/_chromium.ts";

setDefaultTimeout(60_000);

warnIfNoChromium("the browser half of protocol-11-cors");
let gateway: Awaited<ReturnType<typeof startFixtureGateway>>;
let page: ReturnType<typeof Bun.serve>;
let origin: string;

beforeAll(async () => {
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  // The web app: a page on its own origin (another port is another origin).
  page = Bun.serve({
    hostname: "127.0.0.1",
    port,
    fetch: () =>
      new Response("<!doctype html><title>app</title>", {
        headers: { "content-type": "text/html" },
      }),
  });
  gateway = await startFixtureGateway(`server:\n  allowed_origins: ["${origin}"]\n`);
});
afterAll(async () => {
  await gateway?.stop();
  page?.stop(true);
});

const INIT = {
  jsonrpc: "2.0",
  id: 0,
  method: "initialize",
  params: {
    protocolVersion: "2025-11-25",
    capabilities: {},
    clientInfo: { name: "web", version: "1" },
  },
};

describe("CORS for a listed origin", () => {
  test("the preflight of a POST to /mcp is allowed, naming what the client asked for", async () => {
    const preflight = await fetch(`${gateway.url}/mcp`, {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type, mcp-protocol-version, mcp-session-id",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(origin);
    expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");
    expect(preflight.headers.get("access-control-allow-headers")).toContain("mcp-session-id");
  });

  test("answers name the origin and expose Mcp-Session-Id", async () => {
    const opened = await fetch(`${gateway.url}/mcp/fixture`, {
      method: "POST",
      headers: { ...MCP_HEADERS, origin },
      body: JSON.stringify(INIT),
    });
    expect(opened.status).toBe(200);
    expect(opened.headers.get("access-control-allow-origin")).toBe(origin);
    expect(opened.headers.get("access-control-expose-headers")).toContain("Mcp-Session-Id");
    expect(opened.headers.get("mcp-session-id")).toBeTruthy();
    await opened.text();
  });

  test("an origin not listed still gets 403 and no CORS header; the dashboard is not shared", async () => {
    const foreign = await fetch(`${gateway.url}/mcp`, {
      method: "OPTIONS",
      headers: { origin: "http://127.0.0.1:1", "access-control-request-method": "POST" },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
    const ui = await fetch(`${gateway.url}/health`, { headers: { origin } });
    expect(ui.headers.get("access-control-allow-origin")).toBeNull();
  });

  test.skipIf(!HAS_CHROMIUM)(
    "a page on the listed origin initializes and calls a tool in a real browser",
    async () => {
      const browser = await launchChromium();
      try {
        const tab = await browser.newPage();
        await tab.goto(origin);
        const text = await tab.evaluate(
          async ({ url, init }) => {
            const headers = {
              "content-type": "application/json",
              accept: "application/json, text/event-stream",
            };
            const opened = await fetch(url, {
              method: "POST",
              headers,
              body: JSON.stringify(init),
            });
            const session = opened.headers.get("mcp-session-id") ?? "";
            await opened.text();
            const ready = {
              ...headers,
              "mcp-session-id": session,
              "mcp-protocol-version": "2025-11-25",
            };
            await fetch(url, {
              method: "POST",
              headers: ready,
              body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
            });
            const call = await fetch(url, {
              method: "POST",
              headers: ready,
              body: JSON.stringify({
                jsonrpc: "2.0",
                id: 1,
                method: "tools/call",
                params: { name: "echo", arguments: { message: "from the page" } },
              }),
            });
            return `${session ? "session" : "no session"}: ${await call.text()}`;
          },
          { url: `${gateway.url}/mcp/fixture`, init: INIT },
        );
        expect(text).toStartWith("session:");
        expect(text).toContain("from the page");
      } finally {
        await browser.close();
      }
    },
  );
});
