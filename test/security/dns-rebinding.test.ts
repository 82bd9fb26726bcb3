/**
 * Attack: a web page driving the gateway from the user's browser (DNS rebinding, or a page on a
 * foreign origin). A foreign Origin gets 403, with or without a valid key; on a loopback bind a
 * foreign Host header does too.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { loadConfig } from "../../src/config/load.ts";
import { runGateway } from "../../src/gateway/run.ts";
import { hashKey } from "../../src/security/keys.ts";
import { MEMORY, startGateway, waitFor, writeConfig } from "../helpers.ts";
import { initializeBody, MCP_HEADERS } from "./_helpers.ts";

setDefaultTimeout(30_000);

const KEY = "rebinding-test-key-0123456789";
let open: Awaited<ReturnType<typeof startGateway>>;
let locked: Awaited<ReturnType<typeof startGateway>>;

const BACKENDS = `
capabilities: { enabled: false }
backends:
  memory:
    command: node
    args: ["${MEMORY}"]
`;

beforeAll(async () => {
  open = await startGateway(
    `${BACKENDS}server: { allowed_origins: ["https://console.example.com"] }\n`,
  );
  locked = await startGateway(
    `${BACKENDS}auth: { enabled: true, api_keys: [{ name: k, key: "${hashKey(KEY)}" }] }\n`,
  );
  await waitFor(() => open.gateway.index.tools("memory").length > 0);
});

afterAll(async () => {
  await open?.stop();
  await locked?.stop();
});

function post(url: string, headers: Record<string, string>, body = initializeBody()) {
  return fetch(`${url}/mcp`, { method: "POST", headers: { ...MCP_HEADERS, ...headers }, body });
}

describe("foreign Origin", () => {
  test("is refused with 403 on every path, before anything runs", async () => {
    for (const origin of ["http://evil.example", "http://127.0.0.1.evil.example", "null.example"]) {
      expect((await post(open.url, { origin })).status).toBe(403);
      const health = await fetch(`${open.url}/health`, { headers: { origin } });
      expect(health.status).toBe(403);
    }
  });

  test("is refused even with a valid key (a stolen cookie or key must not help a page)", async () => {
    const response = await post(locked.url, {
      origin: "http://evil.example",
      authorization: `Bearer ${KEY}`,
    });
    expect(response.status).toBe(403);
  });

  test("the gateway's own origin (any loopback name) and configured allowed_origins pass", async () => {
    const port = new URL(open.url).port;
    for (const origin of [
      `http://localhost:${port}`,
      `http://127.0.0.1:${port}`,
      "https://console.example.com",
    ]) {
      expect((await post(open.url, { origin })).status).toBe(200);
    }
  });

  test("a loopback origin on another port is another site", async () => {
    for (const origin of ["http://localhost:5173", "http://127.0.0.1:8080"]) {
      expect((await post(open.url, { origin })).status).toBe(403);
    }
  });
});

describe("foreign Host on a loopback bind", () => {
  test("a rebound name in Host is refused", async () => {
    for (const host of ["evil.example", "evil.example:39400", "attacker.127.0.0.1.nip.io"]) {
      const response = await post(open.url, { host });
      expect(`${host} ${response.status}`).toBe(`${host} 403`);
    }
  });

  test("a wider bind given on the command line (serve --host) lifts the check", async () => {
    const file = writeConfig(
      `${BACKENDS}auth: { enabled: true, api_keys: [{ name: k, key: "${hashKey(KEY)}" }] }\n`,
    );
    const wide = await runGateway({
      config: loadConfig({ path: file, env: process.env }),
      host: "0.0.0.0",
      port: 0,
      memoryState: true,
    });
    try {
      const url = `http://127.0.0.1:${wide.port}`;
      const response = await post(url, {
        host: "gateway.internal:39400",
        authorization: `Bearer ${KEY}`,
      });
      expect(response.status).toBe(200);
    } finally {
      await wide.stop();
    }
  });

  test("a simple (no-preflight) cross-site POST cannot run a tool", async () => {
    // What a page can send without CORS preflight: text/plain, from a sandboxed frame (Origin null).
    const response = await fetch(`${open.url}/mcp`, {
      method: "POST",
      headers: { "content-type": "text/plain", origin: "null", accept: "*/*" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: "gateway_invoke", arguments: { server: "memory", tool: "read_graph" } },
      }),
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });
});
