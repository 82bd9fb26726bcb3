/**
 * Attack: keeping the scopes a session was opened with. A key whose scopes shrank (auth
 * reloaded) calls what it lost on its old session; a session opened with an admin OAuth token
 * goes on with admin scopes when a later request carries a read-only token of the same subject;
 * tokens that name no subject share one identity and so each other's sessions.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from "jose";
import { hashKey } from "../../src/security/keys.ts";
import { FIXTURE_SERVER, freePort, type startGateway, waitFor, writeConfig } from "../helpers.ts";
import { connectWithKey, MCP_HEADERS, meta } from "./_helpers.ts";

setDefaultTimeout(30_000);

const ADMIN = "admin-key-0123456789abcdef";
const SHRINK = "shrink-key-0123456789abcdef";

const signer = await generateKeyPair("RS256");
const jwk = { ...(await exportJWK(signer.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
let ISSUER = "";
const issuerServer = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  fetch(request): Response {
    const path = new URL(request.url).pathname;
    if (path === "/.well-known/oauth-authorization-server") {
      return Response.json({ issuer: ISSUER, jwks_uri: `${ISSUER}/jwks` });
    }
    if (path === "/jwks") return Response.json({ keys: [jwk] });
    return new Response("not found", { status: 404 });
  },
});
ISSUER = `http://127.0.0.1:${issuerServer.port}`;

let gateway: Awaited<ReturnType<typeof startGateway>>;
let RESOURCE = "";
let file = "";

function config(shrinkTools: string[]): string {
  return `
capabilities: { enabled: false }
auth:
  enabled: true
  api_keys:
    - name: admin
      key: "${hashKey(ADMIN)}"
      admin: true
    - name: shrink
      key: "${hashKey(SHRINK)}"
      allowed_tools: ${JSON.stringify(shrinkTools)}
  oauth:
    issuer: ${ISSUER}
    resource: ${RESOURCE}
    scopes:
      "mcp:admin": { admin: true }
      "mcp:read": { allowed_tools: ["fixture:echo"] }
backends:
  fixture:
    command: ${process.execPath}
    args: ["${FIXTURE_SERVER}"]
`;
}

async function token(claims: JWTPayload): Promise<string> {
  return new SignJWT({ iss: ISSUER, aud: RESOURCE, ...claims })
    .setProtectedHeader({ alg: "RS256", kid: "k1" })
    .setIssuedAt()
    .setExpirationTime("5m")
    .sign(signer.privateKey);
}

beforeAll(async () => {
  const port = await freePort();
  RESOURCE = `http://127.0.0.1:${port}/mcp`;
  const { loadConfig } = await import("../../src/config/load.ts");
  const { runGateway } = await import("../../src/gateway/run.ts");
  file = writeConfig(config(["fixture:*"]));
  gateway = (await runGateway({
    config: loadConfig({ path: file, env: process.env }),
    port,
    memoryState: true,
  })) as Awaited<ReturnType<typeof startGateway>>;
  await waitFor(() => gateway.gateway.index.tools("fixture").length > 0);
});

afterAll(async () => {
  await gateway?.stop();
  issuerServer.stop(true);
});

/** One raw JSON-RPC POST; the message answering `id`, and the session id the gateway gave. */
async function post(
  path: string,
  bearer: string,
  body: Record<string, unknown>,
  session?: string,
): Promise<{ status: number; session: string; message: Record<string, unknown> }> {
  const headers: Record<string, string> = {
    ...MCP_HEADERS,
    authorization: `Bearer ${bearer}`,
    "mcp-protocol-version": "2025-11-25",
  };
  if (session) headers["mcp-session-id"] = session;
  const response = await fetch(`${gateway.url}${path}`, {
    method: "POST",
    headers,
    body: JSON.stringify(body),
  });
  const text = await response.text();
  const messages = text
    .split("\n")
    .filter((line) => line.startsWith("data: {") || line.startsWith("{"))
    .map((line) => JSON.parse(line.replace(/^data: /, "")) as Record<string, unknown>);
  return {
    status: response.status,
    session: response.headers.get("mcp-session-id") ?? session ?? "",
    message: messages.find((m) => m.id === body.id) ?? messages[0] ?? {},
  };
}

async function openSession(path: string, bearer: string): Promise<string> {
  const opened = await post(path, bearer, {
    jsonrpc: "2.0",
    id: 0,
    method: "initialize",
    params: {
      protocolVersion: "2025-11-25",
      capabilities: {},
      clientInfo: { name: "stale", version: "1" },
    },
  });
  expect(opened.status).toBe(200);
  await post(path, bearer, { jsonrpc: "2.0", method: "notifications/initialized" }, opened.session);
  return opened.session;
}

const invokeBody = (id: number, tool: string) => ({
  jsonrpc: "2.0",
  id,
  method: "tools/call",
  params: { name: "gateway_invoke", arguments: { server: "fixture", tool, arguments: {} } },
});

describe("a key whose scopes shrink loses them on its open sessions", () => {
  test("on /mcp and /mcp/{backend}, after auth reloads", async () => {
    const metaSession = await connectWithKey(gateway.url, SHRINK);
    const direct = await connectWithKey(gateway.url, SHRINK, "/mcp/fixture");
    try {
      expect(
        (await meta(metaSession.client, "gateway_invoke", invokeBody(0, "pid").params.arguments))
          .isError,
      ).toBeFalsy();
      expect((await direct.client.callTool({ name: "pid", arguments: {} })).isError).toBeFalsy();

      writeFileSync(file, config(["fixture:echo"]));
      const reload = await fetch(`${gateway.url}/api/reload`, {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN}` },
      });
      expect(reload.status).toBe(200);

      const lost = await meta(metaSession.client, "gateway_invoke", {
        server: "fixture",
        tool: "pid",
        arguments: {},
      });
      expect(lost.text).toContain("denied by policy");
      const lostDirect = await direct.client.callTool({ name: "pid", arguments: {} });
      expect(JSON.stringify(lostDirect.content)).toContain("denied by policy");
      const { tools } = await direct.client.listTools();
      expect(tools.map((t) => t.name)).toEqual(["echo"]);
      // What the key still has keeps working on the same sessions.
      const echo = await direct.client.callTool({ name: "echo", arguments: { message: "kept" } });
      expect(JSON.stringify(echo.content)).toContain("kept");
    } finally {
      await metaSession.close();
      await direct.close();
    }
  });
});

describe("OAuth: the token on each request decides, not the one that opened the session", () => {
  test("an admin token opens the session; a read-only token of the same subject gets read-only", async () => {
    const admin = await token({ sub: "carol", scope: "mcp:admin" });
    const readOnly = await token({ sub: "carol", scope: "mcp:read" });
    for (const path of ["/mcp", "/mcp/fixture"]) {
      const session = await openSession(path, admin);
      const body =
        path === "/mcp"
          ? invokeBody(1, "pid")
          : { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "pid", arguments: {} } };
      const asAdmin = await post(path, admin, body, session);
      expect(JSON.stringify(asAdmin.message.result)).not.toContain("denied by policy");
      const asReader = await post(path, readOnly, { ...body, id: 2 }, session);
      expect(JSON.stringify(asReader.message.result)).toContain("denied by policy");
    }
  });

  test("tokens without sub, client_id or azp do not share an identity", async () => {
    const first = await token({ scope: "mcp:admin" });
    const second = await token({ scope: "mcp:read" });
    const session = await openSession("/mcp", first);
    const hijack = await post("/mcp", second, invokeBody(3, "pid"), session);
    expect(hijack.status).toBe(403);
    expect(JSON.stringify(hijack.message)).toContain("another client");
    const own = await post("/mcp", first, invokeBody(4, "pid"), session);
    expect(own.status).toBe(200);
  });
});
