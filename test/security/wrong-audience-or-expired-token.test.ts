/**
 * Attack: OAuth access tokens that must not be accepted (another audience, expired, another
 * issuer, forged, unsigned, missing scopes), against a real JWKS served on loopback; and the
 * token passthrough the MCP spec forbids (a client's token must never reach a backend).
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT, UnsecuredJWT } from "jose";
import {
  type ConnectedClient,
  MEMORY,
  startEverythingHttp,
  type startGateway,
  waitFor,
} from "../helpers.ts";
import { connectWithKey, initializeBody, MCP_HEADERS, meta } from "./_helpers.ts";

setDefaultTimeout(30_000);

const signer = await generateKeyPair("RS256");
const forger = await generateKeyPair("RS256");
const jwk = { ...(await exportJWK(signer.publicKey)), kid: "k1", alg: "RS256", use: "sig" };

// The authorization server: RFC 8414 metadata and its JWKS, on loopback.
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

// A backend behind a recording proxy: every Authorization header the gateway sends is kept.
const upstream = await startEverythingHttp("streamableHttp");
const seenAuthorization: string[] = [];
const proxy = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  async fetch(request) {
    seenAuthorization.push(request.headers.get("authorization") ?? "");
    const target = new URL(upstream.url);
    const headers = new Headers(request.headers);
    headers.delete("host");
    return fetch(target, {
      method: request.method,
      headers,
      body:
        request.method === "GET" || request.method === "HEAD"
          ? undefined
          : await request.arrayBuffer(),
    });
  },
});

let gateway: Awaited<ReturnType<typeof startGateway>>;
let RESOURCE: string;

async function token(
  claims: JWTPayload = {},
  options: { key?: CryptoKey; expires?: string | number; kid?: string } = {},
): Promise<string> {
  return new SignJWT({ scope: "tools:read", iss: ISSUER, sub: "alice", aud: RESOURCE, ...claims })
    .setProtectedHeader({ alg: "RS256", kid: options.kid ?? "k1" })
    .setIssuedAt()
    .setExpirationTime(options.expires ?? "5m")
    .sign(options.key ?? signer.privateKey);
}

beforeAll(async () => {
  const port = await (await import("../helpers.ts")).freePort();
  RESOURCE = `http://127.0.0.1:${port}/mcp`;
  const { loadConfig } = await import("../../src/config/load.ts");
  const { runGateway } = await import("../../src/gateway/run.ts");
  const { writeConfig } = await import("../helpers.ts");
  const file = writeConfig(`
capabilities: { enabled: false }
auth:
  enabled: true
  oauth:
    issuer: ${ISSUER}
    resource: ${RESOURCE}
    scopes:
      "tools:read":
        allowed_tools: ["memory:read_graph", "everything:echo"]
      "tools:admin":
        admin: true
backends:
  memory:
    command: node
    args: ["${MEMORY}"]
  everything:
    url: http://127.0.0.1:${proxy.port}/mcp
    headers:
      Authorization: Bearer backend-own-credential
`);
  const running = await runGateway({ config: loadConfig({ path: file }), port, memoryState: true });
  gateway = running as typeof gateway;
  await waitFor(() => gateway.gateway.index.tools("everything").length > 0);
  await waitFor(() => gateway.gateway.index.tools("memory").length > 0);
});

afterAll(async () => {
  await gateway?.stop();
  issuerServer.stop(true);
  proxy.stop(true);
  upstream.stop();
});

function post(bearer?: string): Promise<Response> {
  const headers: Record<string, string> = { ...MCP_HEADERS };
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  return fetch(`${gateway.url}/mcp`, { method: "POST", headers, body: initializeBody() });
}

describe("protected-resource metadata (RFC 9728)", () => {
  test("is public, at the well-known path and at the path-suffixed one", async () => {
    for (const path of [
      "/.well-known/oauth-protected-resource/mcp",
      "/.well-known/oauth-protected-resource",
    ]) {
      const response = await fetch(`${gateway.url}${path}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        resource: RESOURCE,
        authorization_servers: [ISSUER],
        bearer_methods_supported: ["header"],
        scopes_supported: ["tools:read", "tools:admin"],
      });
    }
  });

  test("a 401 points clients at it", async () => {
    const response = await post();
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain(
      `resource_metadata="${gateway.url}/.well-known/oauth-protected-resource/mcp"`,
    );
  });
});

describe("tokens that are refused", () => {
  const cases: [string, () => Promise<string>, RegExp][] = [
    ["another audience", () => token({ aud: "https://other.example/mcp" }), /another audience/],
    ["expired", () => token({}, { expires: Math.floor(Date.now() / 1000) - 120 }), /expired/],
    ["another issuer", () => token({ iss: "https://evil.example" }), /another issuer/],
    ["signed by another key", () => token({}, { key: forger.privateKey }), /signature/],
    ["an unknown key id", () => token({}, { key: forger.privateKey, kid: "k2" }), /not signed by/],
    [
      "unsigned (alg none)",
      async () =>
        new UnsecuredJWT({ scope: "tools:read" })
          .setIssuer(ISSUER)
          .setAudience(RESOURCE)
          .setExpirationTime("5m")
          .encode(),
      /not valid|algorithm/,
    ],
  ];
  for (const [name, make, reason] of cases) {
    test(`${name}: 401 invalid_token with the reason`, async () => {
      const response = await post(await make());
      expect(response.status).toBe(401);
      const challenge = response.headers.get("www-authenticate") ?? "";
      expect(challenge).toContain('error="invalid_token"');
      expect(challenge).toMatch(reason);
    });
  }

  test("a token with none of the mapped scopes: 403 insufficient_scope naming them", async () => {
    const response = await post(await token({ scope: "profile email" }));
    expect(response.status).toBe(403);
    const challenge = response.headers.get("www-authenticate") ?? "";
    expect(challenge).toContain('error="insufficient_scope"');
    expect(challenge).toContain('scope="tools:read tools:admin"');
  });
});

describe("a valid token", () => {
  let session: ConnectedClient;
  beforeAll(async () => {
    session = await connectWithKey(gateway.url, await token());
  });
  afterAll(async () => session?.close());

  test("works, with the tool scopes its OAuth scopes map to", async () => {
    const listed = await meta(session.client, "gateway_list_tools");
    const names = (listed.data.tools as { server: string; tool: string }[]).map(
      (t) => `${t.server}:${t.tool}`,
    );
    expect(names.sort()).toEqual(["everything:echo", "memory:read_graph"]);
    const denied = await meta(session.client, "gateway_invoke", {
      server: "memory",
      tool: "create_entities",
      arguments: { entities: [] },
    });
    expect(denied.text).toContain("denied by policy (rule allowed_tools of token of alice");
  });

  test("is never passed on to a backend: the backend sees only its own credential", async () => {
    seenAuthorization.length = 0;
    const bearer = await token();
    const own = await connectWithKey(gateway.url, bearer);
    const result = await meta(own.client, "gateway_invoke", {
      server: "everything",
      tool: "echo",
      arguments: { message: "through the gateway" },
    });
    await own.close();
    expect(result.text).toContain("through the gateway");
    expect(seenAuthorization.length).toBeGreaterThan(0);
    for (const header of seenAuthorization) {
      expect(header).toBe("Bearer backend-own-credential");
      expect(header).not.toContain(bearer);
    }
  });
});
