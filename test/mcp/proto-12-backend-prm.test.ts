/**
 * RFC 9728 on `/mcp/{backend}`: a client that checks the protected-resource metadata to the
 * letter (§3.3: its `resource` must be identical to the URL the client called) and asks its
 * authorization server for a token for that resource (RFC 8707), as the MCP spec has clients do.
 * Before, every endpoint's 401 pointed at the `/mcp` document, whose `resource` is `/mcp`: such a
 * client refused it on `/mcp/{backend}`, and a token for `/mcp/{backend}` was refused as "another
 * audience".
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from "jose";
import { loadConfig } from "../../src/config/load.ts";
import { runGateway } from "../../src/gateway/run.ts";
import { freePort, MEMORY, waitFor, writeConfig } from "../helpers.ts";
import { connectWithKey, initializeBody, MCP_HEADERS } from "../security/_helpers.ts";

setDefaultTimeout(30_000);

const signer = await generateKeyPair("RS256");
const jwk = { ...(await exportJWK(signer.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
let ISSUER = "";
const issuer = Bun.serve({
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
ISSUER = `http://127.0.0.1:${issuer.port}`;

let gateway: {
  url: string;
  stop(): Promise<void>;
  gateway: { index: { tools(s: string): unknown[] } };
};
let BASE = "";

/** What the authorization server issues for `resource` (RFC 8707: the audience is the resource). */
function tokenFor(resource: string, claims: JWTPayload = {}): Promise<string> {
  return new SignJWT({ scope: "mcp", iss: ISSUER, sub: "carol", aud: resource, ...claims })
    .setProtectedHeader({ alg: "RS256", kid: "k1" })
    .setIssuedAt()
    .setExpirationTime("5m")
    .sign(signer.privateKey);
}

beforeAll(async () => {
  const port = await freePort();
  BASE = `http://127.0.0.1:${port}`;
  const file = writeConfig(`
capabilities: { enabled: false }
auth:
  enabled: true
  oauth:
    issuer: ${ISSUER}
    resource: ${BASE}/mcp
backends:
  memory:
    command: node
    args: ["${MEMORY}"]
  notes:
    command: node
    args: ["${MEMORY}"]
`);
  const running = await runGateway({ config: loadConfig({ path: file }), port, memoryState: true });
  gateway = running as unknown as typeof gateway;
  await waitFor(() => gateway.gateway.index.tools("memory").length > 0);
});

afterAll(async () => {
  await gateway?.stop();
  issuer.stop(true);
});

/** A strict client's discovery: the 401's pointer, the document, and §3.3's identity check. */
async function discover(path: string): Promise<{ pointer: string; resource: string }> {
  const response = await fetch(`${BASE}${path}`, {
    method: "POST",
    headers: MCP_HEADERS,
    body: initializeBody(),
  });
  expect(response.status).toBe(401);
  const challenge = response.headers.get("www-authenticate") ?? "";
  const pointer = /resource_metadata="([^"]+)"/.exec(challenge)?.[1] ?? "";
  const document = (await (await fetch(pointer)).json()) as { resource: string };
  return { pointer, resource: document.resource };
}

describe("the metadata of each endpoint names that endpoint", () => {
  test("/mcp/{backend}: the 401 points at the path-suffixed document, whose resource is the URL called", async () => {
    const found = await discover("/mcp/memory");
    expect(found.pointer).toBe(`${BASE}/.well-known/oauth-protected-resource/mcp/memory`);
    expect(found.resource).toBe(`${BASE}/mcp/memory`);
  });

  test("without the header, a client builds the same URL (RFC 9728 §3.1) and finds the same document", async () => {
    const response = await fetch(`${BASE}/.well-known/oauth-protected-resource/mcp/notes`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { resource: string }).resource).toBe(`${BASE}/mcp/notes`);
  });

  test("/mcp keeps its own", async () => {
    const found = await discover("/mcp");
    expect(found.pointer).toBe(`${BASE}/.well-known/oauth-protected-resource/mcp`);
    expect(found.resource).toBe(`${BASE}/mcp`);
  });

  test("a backend that does not exist gets a document too, so the metadata tells no backend names", async () => {
    const response = await fetch(`${BASE}/.well-known/oauth-protected-resource/mcp/nothing-here`);
    expect(response.status).toBe(200);
  });
});

describe("tokens for the resource the client was given", () => {
  test("a token for /mcp/memory opens /mcp/memory", async () => {
    const session = await connectWithKey(BASE, await tokenFor(`${BASE}/mcp/memory`), "/mcp/memory");
    const { tools } = await session.client.listTools();
    expect(tools.map((tool) => tool.name)).toContain("read_graph");
    await session.close();
  });

  test("and nothing else: not /mcp (every backend), not another backend", async () => {
    const bearer = await tokenFor(`${BASE}/mcp/memory`);
    for (const path of ["/mcp", "/mcp/notes"]) {
      const response = await fetch(`${BASE}${path}`, {
        method: "POST",
        headers: { ...MCP_HEADERS, authorization: `Bearer ${bearer}` },
        body: initializeBody(),
      });
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate") ?? "").toContain("another audience");
    }
  });

  test("a token for the whole gateway (/mcp) still opens /mcp/memory", async () => {
    const session = await connectWithKey(BASE, await tokenFor(`${BASE}/mcp`), "/mcp/memory");
    expect((await session.client.listTools()).tools.length).toBeGreaterThan(0);
    await session.close();
  });
});
