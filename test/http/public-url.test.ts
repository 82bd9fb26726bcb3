/**
 * `server.public_url`: behind a TLS-terminating proxy, a page served from the public URL is the
 * gateway's own origin (and host), and the dashboard's redirects and cookie name the public URL.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { hashKey } from "../../src/security/keys.ts";
import { startGateway } from "../helpers.ts";
import { initializeBody, MCP_HEADERS } from "../security/_helpers.ts";

setDefaultTimeout(30_000);

const KEY = "public-url-test-key-0123456789";
const PUBLIC = "https://mcp.example.com/gw";
let proxied: Awaited<ReturnType<typeof startGateway>>;

beforeAll(async () => {
  proxied = await startGateway(
    `capabilities: { enabled: false }
server: { public_url: "${PUBLIC}/" }
auth: { enabled: true, api_keys: [{ name: k, key: "${hashKey(KEY)}" }] }
`,
  );
});

afterAll(async () => {
  await proxied?.stop();
});

function post(headers: Record<string, string>) {
  return fetch(`${proxied.url}/mcp`, {
    method: "POST",
    headers: { ...MCP_HEADERS, authorization: `Bearer ${KEY}`, ...headers },
    body: initializeBody(),
  });
}

describe("server.public_url", () => {
  test("a page on the public origin, sent through the proxy's Host, may drive the gateway", async () => {
    const response = await post({ origin: "https://mcp.example.com", host: "mcp.example.com" });
    expect(response.status).toBe(200);
  });

  test("another origin or host is still refused", async () => {
    expect((await post({ origin: "https://evil.example.com" })).status).toBe(403);
    expect((await post({ origin: "http://mcp.example.com" })).status).toBe(403);
    expect((await post({ host: "evil.example.com" })).status).toBe(403);
  });

  test("login and logout redirect to the public URL, with a Secure cookie", async () => {
    const login = await fetch(`${proxied.url}/ui/login`, {
      method: "POST",
      body: new URLSearchParams({ key: KEY }),
      redirect: "manual",
    });
    expect(login.status).toBe(303);
    expect(login.headers.get("location")).toBe(`${PUBLIC}/ui`);
    expect(login.headers.get("set-cookie")).toContain("Secure");
    const failed = await fetch(`${proxied.url}/ui/login`, {
      method: "POST",
      body: new URLSearchParams({ key: "wrong" }),
      redirect: "manual",
    });
    expect(failed.headers.get("location")).toBe(`${PUBLIC}/ui?login=failed`);
    const logout = await fetch(`${proxied.url}/ui/logout`, { method: "POST", redirect: "manual" });
    expect(logout.headers.get("location")).toBe(`${PUBLIC}/ui`);
  });
});
