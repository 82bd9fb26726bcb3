/**
 * Attack: calling the gateway without a key, with a wrong one, or with one that was revoked.
 * Only /health (status only) is public; every other path needs a key, compared by hash.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { hashKey } from "../../src/security/keys.ts";
import { runCli } from "../cli/_run.ts";
import { MEMORY, startGateway, waitFor } from "../helpers.ts";
import { connectWithKey, initializeBody, MCP_HEADERS, meta } from "./_helpers.ts";

setDefaultTimeout(30_000);

const CI_KEY = "mgw_ci-key-used-by-the-test-suite-0123456789abcdef";
const PLAIN_KEY = "plaintext-key-for-tests-123";
const ADMIN_TOKEN = "admin-token-from-the-environment-42";
const LIMITED_KEY = "limited-key-from-a-variable-000111";

let gateway: Awaited<ReturnType<typeof startGateway>>;
let file: string;

beforeAll(async () => {
  gateway = await startGateway(
    `# keys for the test suite
capabilities: { enabled: false }
auth:
  enabled: true
  bearer_token: env:ADMIN_TOKEN
  lockout: { failures: 0 }  # this suite sends many wrong keys; key-guessing.test.ts covers lockout
  api_keys:
    - name: ci            # kept: a comment on a key
      key: "${hashKey(CI_KEY)}"
    - name: plain
      key: ${PLAIN_KEY}
    - name: limited
      key: "\${LIMITED_KEY}"
      rate_limit: 3
backends:
  memory:
    command: node
    args: ["${MEMORY}"]
`,
    { ...process.env, ADMIN_TOKEN, LIMITED_KEY },
  );
  file = gateway.gateway.config.file!;
});

afterAll(async () => {
  await gateway?.stop();
});

function post(path: string, key?: string, body = initializeBody()): Promise<Response> {
  const headers: Record<string, string> = { ...MCP_HEADERS };
  if (key) headers.authorization = `Bearer ${key}`;
  return fetch(`${gateway.url}${path}`, { method: "POST", headers, body });
}

describe("missing key", () => {
  test("/mcp answers 401 with a Bearer challenge and says how to get a key", async () => {
    const response = await post("/mcp");
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toStartWith("Bearer ");
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toContain("keys create");
  });

  test("every path but /health needs a key: /mcp/{backend}, /metrics, /api, unknown paths", async () => {
    for (const path of ["/mcp/memory", "/metrics", "/api/status", "/api/reload", "/nope", "/"]) {
      const response = await fetch(`${gateway.url}${path}`);
      expect(`${path} ${response.status}`).toBe(`${path} 401`);
    }
    expect((await post("/mcp/memory")).status).toBe(401);
    expect((await post("/api/reload")).status).toBe(401);
  });

  test("/ui without a key shows at most its login page, none of the gateway's data", async () => {
    const response = await fetch(`${gateway.url}/ui`);
    const page = await response.text();
    expect([200, 401]).toContain(response.status);
    expect(page).not.toContain("memory");
    expect(page).not.toContain("read_graph");
  });

  test("/health shows an anonymous caller the status only, a key holder everything", async () => {
    const anonymous = (await (await fetch(`${gateway.url}/health`)).json()) as object;
    expect(Object.keys(anonymous)).toEqual(["status"]);
    const full = (await (
      await fetch(`${gateway.url}/health`, { headers: { authorization: `Bearer ${CI_KEY}` } })
    ).json()) as { backends: object };
    expect(full.backends).toHaveProperty("memory");
  });

  test("the SDK client without a key cannot connect", async () => {
    await expect(connectWithKey(gateway.url, undefined)).rejects.toThrow();
  });
});

describe("wrong key", () => {
  test("an unknown key, a near miss, another scheme and a key in the query are all refused", async () => {
    for (const key of ["wrong", `${CI_KEY}x`, CI_KEY.slice(0, -1), hashKey(CI_KEY)]) {
      const response = await post("/mcp", key);
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toContain('error="invalid_token"');
    }
    const basic = await fetch(`${gateway.url}/mcp`, {
      method: "POST",
      headers: { ...MCP_HEADERS, authorization: `Basic ${btoa(`x:${CI_KEY}`)}` },
      body: initializeBody(),
    });
    expect(basic.status).toBe(401);
    const query = await fetch(`${gateway.url}/mcp?key=${CI_KEY}`, {
      method: "POST",
      headers: MCP_HEADERS,
      body: initializeBody(),
    });
    expect(query.status).toBe(401);
  });

  test("a session opened with one key cannot be used with another", async () => {
    const opened = await post("/mcp", CI_KEY);
    const session = opened.headers.get("mcp-session-id")!;
    expect(session).toBeTruthy();
    const hijack = await fetch(`${gateway.url}/mcp`, {
      method: "POST",
      headers: {
        ...MCP_HEADERS,
        authorization: `Bearer ${PLAIN_KEY}`,
        "mcp-session-id": session,
        "mcp-protocol-version": "2025-11-25",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
    });
    expect(hijack.status).toBe(403);
  });
});

describe("valid keys", () => {
  test("a sha256-stored key, a plaintext key and an env: bearer token all work", async () => {
    for (const key of [CI_KEY, PLAIN_KEY, ADMIN_TOKEN]) {
      const session = await connectWithKey(gateway.url, key);
      const listed = await meta(session.client, "gateway_list_servers");
      expect((listed.data.servers as { name: string }[]).map((s) => s.name)).toContain("memory");
      await session.close();
    }
  });

  test("the plaintext key is warned about, and no key is kept in memory unhashed", () => {
    expect(gateway.gateway.config.warnings.join("\n")).toContain(
      "auth.api_keys[1].key is a plaintext key",
    );
    const keys = gateway.gateway.config.auth.api_keys.map((key) => key.key);
    for (const key of keys) expect(key).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(gateway.gateway.config.auth.bearer_token).toBe(hashKey(ADMIN_TOKEN));
  });

  test("a key over its rate limit gets 429 with Retry-After", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await post("/mcp", LIMITED_KEY)).status);
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses[3]).toBe(429);
    const limited = await post("/mcp", LIMITED_KEY);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    // Other keys have no limit unless configured.
    for (let i = 0; i < 5; i++) expect((await post("/mcp", PLAIN_KEY)).status).toBe(200);
  });
});

describe("keys create, list and revoke", () => {
  const env = () => ({
    HOME: process.env.HOME ?? "/tmp",
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    ADMIN_TOKEN,
    LIMITED_KEY,
  });

  test("create prints the key once, stores its hash, keeps comments; the running gateway accepts it", async () => {
    const run = runCli(
      [
        "keys",
        "create",
        "newbie",
        "--config",
        file,
        "--allow",
        "memory:read_*",
        "--allow",
        "memory:search_nodes",
        "--deny",
        "memory:delete_*",
        "--rate-limit",
        "100",
      ],
      { env: env() },
    );
    expect(run.stderr).toContain("not shown again");
    expect(run.code).toBe(0);
    const key = run.stdout.trim();
    expect(key).toMatch(/^mgw_[A-Za-z0-9_-]{43}$/);
    const text = readFileSync(file, "utf8");
    expect(text).not.toContain(key);
    expect(text).toContain(hashKey(key));
    expect(text).toContain("# kept: a comment on a key");
    expect(text).toContain("# keys for the test suite");
    await waitFor(async () => (await post("/mcp", key)).status === 200, 15_000);
    const listed = runCli(["keys", "list", "--json", "--config", file], { env: env() });
    const rows = JSON.parse(listed.stdout).keys as { name: string; stored: string }[];
    expect(rows.find((row) => row.name === "newbie")).toMatchObject({
      stored: "hash",
      allowed_tools: ["memory:read_*", "memory:search_nodes"],
      denied_tools: ["memory:delete_*"],
      rate_limit: 100,
    });
    expect(rows.find((row) => row.name === "plain")!.stored).toBe("plaintext");
    expect(listed.stdout).not.toContain(key);
  });

  test("create refuses a name in use; revoke of an unknown name says so", () => {
    const again = runCli(["keys", "create", "ci", "--config", file], { env: env() });
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain("a key named ci exists");
    const unknown = runCli(["keys", "revoke", "nobody", "--config", file], { env: env() });
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain("no key named nobody");
  });

  test("a revoked key stops working on the running gateway, open sessions included", async () => {
    const session = await connectWithKey(gateway.url, CI_KEY);
    expect((await meta(session.client, "gateway_list_servers")).isError).toBeFalsy();
    const run = runCli(["keys", "revoke", "ci", "--config", file], { env: env() });
    expect(run.code).toBe(0);
    expect(readFileSync(file, "utf8")).not.toContain(hashKey(CI_KEY));
    await waitFor(async () => (await post("/mcp", CI_KEY)).status === 401, 15_000);
    await expect(meta(session.client, "gateway_list_servers")).rejects.toThrow();
    await session.close();
    // Keys not revoked still work.
    expect((await post("/mcp", PLAIN_KEY)).status).toBe(200);
  });
});
