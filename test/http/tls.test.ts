import { afterAll, describe, expect, test } from "bun:test";
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { loadConfig } from "../../src/config/load.ts";
import { type RunningGateway, runGateway } from "../../src/gateway/run.ts";
import { clientCertificateOf } from "../../src/http/client-cert.ts";
import type { Routes } from "../../src/http/routes.ts";
import { serveHttp } from "../../src/http/serve.ts";
import { hashKey } from "../../src/security/keys.ts";
import { MEMORY, tempDir, waitFor, writeConfig } from "../helpers.ts";
import { CLIENT_EXT, certificates, SERVER_EXT } from "./_certs.ts";

const dir = tempDir("mcpgw-tls-");

const { makeCa, issue: signed, pem } = certificates(dir);
/** Certificates `ca` signs: servers for 127.0.0.1, clients by name. */
const issue = (ca: string, name: string, server: boolean) =>
  signed(ca, name, server ? SERVER_EXT : CLIENT_EXT);

makeCa("ca1");
makeCa("ca2");
issue("ca1", "server", true);
issue("ca2", "renewed", true);
issue("ca1", "alice", false);
issue("ca2", "mallory", false);
issue("ca1", "bob", false);
issue("ca1", "carol", false);
copyFileSync(join(dir, "server.crt"), join(dir, "live.crt"));
copyFileSync(join(dir, "server.key"), join(dir, "live.key"));
copyFileSync(join(dir, "server.crt"), join(dir, "front.crt"));
copyFileSync(join(dir, "server.key"), join(dir, "front.key"));
/** openssl's `AB:CD:...` SHA-256 fingerprint of a certificate. */
const fingerprintOf = (name: string) =>
  Bun.spawnSync(["openssl", "x509", "-in", `${name}.crt`, "-noout", "-fingerprint", "-sha256"], {
    cwd: dir,
  })
    .stdout.toString()
    .replace(/^.*=/, "")
    .trim();

const running: RunningGateway[] = [];
afterAll(async () => {
  await Promise.all(running.map((g) => g.stop()));
});

async function start(tls: string, more = ""): Promise<RunningGateway & { url: string }> {
  const file = writeConfig(`server:\n  tls:\n${tls}\n${more}`);
  const gateway = (await runGateway({
    config: loadConfig({ path: file }),
    port: 0,
    memoryState: true,
  })) as RunningGateway & { url: string };
  running.push(gateway);
  return gateway;
}

/** GET /health over TLS; the error message when the handshake fails. */
async function health(url: string, tls: Record<string, string>): Promise<string> {
  try {
    const response = await fetch(`${url}/health`, { tls, keepalive: false } as RequestInit);
    return String(response.status);
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

describe("server.tls", () => {
  test("serves HTTPS, MCP over it, and a renewed certificate without a restart", async () => {
    const gateway = await start(
      `    cert: ${join(dir, "live.crt")}\n    key: ${join(dir, "live.key")}`,
    );
    expect(gateway.url).toStartWith("https://127.0.0.1:");
    expect(await health(gateway.url, { ca: pem("ca1.crt") })).toBe("200");
    expect(await health(gateway.url, { ca: pem("ca2.crt") })).toStartWith("error:");

    const client = new Client({ name: "tls-test", version: "1.0.0" });
    // This client trusts both CAs: its session outlives the renewal.
    const ca = [pem("ca1.crt"), pem("ca2.crt")];
    const transport = new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp`), {
      requestInit: { tls: { ca } } as RequestInit,
    });
    await client.connect(transport);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain("gateway_search_tools");

    // The certificate is renewed in place (another CA here, to tell them apart).
    copyFileSync(join(dir, "renewed.crt"), join(dir, "live.crt"));
    copyFileSync(join(dir, "renewed.key"), join(dir, "live.key"));
    await waitFor(
      async () => (await health(gateway.url, { ca: pem("ca2.crt") })) === "200",
      15_000,
    );
    expect(await health(gateway.url, { ca: pem("ca1.crt") })).toStartWith("error:");
    // The session opened before the renewal goes on.
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    await client.close();
  }, 30_000);

  test("require_client_cert: a client without a certificate from client_ca is refused at the handshake", async () => {
    const gateway = await start(
      `    cert: ${join(dir, "server.crt")}\n    key: ${join(dir, "server.key")}\n    client_ca: ${join(dir, "ca1.crt")}\n    require_client_cert: true`,
    );
    const ca = pem("ca1.crt");
    expect(await health(gateway.url, { ca })).toStartWith("error:");
    expect(
      await health(gateway.url, { ca, cert: pem("mallory.crt"), key: pem("mallory.key") }),
    ).toStartWith("error:");
    expect(await health(gateway.url, { ca, cert: pem("alice.crt"), key: pem("alice.key") })).toBe(
      "200",
    );
  }, 30_000);

  test("a client certificate from client_ca maps to a key entry, whose scopes apply", async () => {
    const keyOf = (name: string) => hashKey(`${name}-unused-bearer-key-0123456789`);
    const gateway = await start(
      `    cert: ${join(dir, "server.crt")}\n    key: ${join(dir, "server.key")}\n    client_ca: ${join(dir, "ca1.crt")}`,
      `capabilities: { enabled: false }
backends:
  memory: { command: node, args: ["${MEMORY}"] }
auth:
  enabled: true
  api_keys:
    - name: alice
      key: "${keyOf("alice")}"
      allowed_tools: ["memory:*"]
      denied_tools: ["memory:read_graph"]
      client_cert: { subject_cn: alice }
    # carol by fingerprint, in openssl's colon form.
    - { name: carol, key: "${keyOf("carol")}", client_cert: { fingerprint_sha256: "${fingerprintOf("carol")}" } }
    # mallory's certificate is not from client_ca: naming its CN must not let it in.
    - { name: mallory, key: "${keyOf("mallory")}", admin: true, client_cert: { subject_cn: mallory } }
`,
    );
    await waitFor(() => gateway.gateway.index.tools("memory").length > 0);
    const ca = pem("ca1.crt");
    const connectAs = async (name: string) => {
      const client = new Client({ name: "mtls-test", version: "1.0.0" });
      const transport = new StreamableHTTPClientTransport(
        new URL(`${gateway.url}/mcp?surface=flat`),
        {
          requestInit: {
            tls: { ca, cert: pem(`${name}.crt`), key: pem(`${name}.key`) },
          } as RequestInit,
        },
      );
      await client.connect(transport);
      return client;
    };
    const alice = await connectAs("alice");
    const names = (await alice.listTools()).tools.map((t) => t.name);
    expect(names).toContain("memory__search_nodes");
    // The key's denied tool is neither listed nor callable.
    expect(names).not.toContain("memory__read_graph");
    const allowed = await alice.callTool({
      name: "memory__search_nodes",
      arguments: { query: "x" },
    });
    expect(allowed.isError).toBeFalsy();
    const denied = await alice
      .callTool({ name: "memory__read_graph", arguments: {} })
      .then((result) => JSON.stringify(result))
      .catch((error: Error) => error.message);
    expect(denied).toMatch(/not found|not allowed|denied/i);
    await alice.close();

    // bob's certificate is from client_ca but maps to no key: no key, 401.
    const status = async (name: string, bearer?: string) => {
      const response = await fetch(`${gateway.url}/mcp`, {
        method: "POST",
        headers: {
          ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
        tls: { ca, cert: pem(`${name}.crt`), key: pem(`${name}.key`) },
        keepalive: false,
      } as RequestInit);
      return response.status;
    };
    expect(await status("bob")).toBe(401);
    expect(await status("mallory")).toBe(401);
    expect(await status("alice")).not.toBe(401);
    expect(await status("carol")).not.toBe(401);
    // Without a mapped certificate a Bearer key still works.
    expect(await status("bob", "alice-unused-bearer-key-0123456789")).not.toBe(401);
  }, 30_000);

  test("the TLS front passes only verified certificates, and its loopback listener only its own connections", async () => {
    // Only the listener is under test here: routes that echo what a request arrived with.
    const routes = {
      fetch: async (request: Request, peer?: string) =>
        Response.json({ peer, url: request.url, cert: clientCertificateOf(request) ?? null }),
      clientAddress: (_request: Request, peer?: string) => peer,
    } as unknown as Routes;
    const server = serveHttp(routes, "127.0.0.1", 0, {
      readTimeout: 5_000,
      max: 100,
      perAddress: 100,
      tls: {
        cert: join(dir, "front.crt"),
        key: join(dir, "front.key"),
        client_ca: join(dir, "ca1.crt"),
        require_client_cert: false,
      },
    });
    try {
      const ca = pem("ca1.crt");
      const as = async (name?: string) => {
        const tls = name ? { ca, cert: pem(`${name}.crt`), key: pem(`${name}.key`) } : { ca };
        const response = await fetch(`${server.url}/x`, { tls, keepalive: false } as RequestInit);
        return (await response.json()) as {
          peer: string;
          url: string;
          cert: { subjectCn: string; fingerprintSha256: string } | null;
        };
      };
      const fingerprint = Bun.spawnSync(
        ["openssl", "x509", "-in", "alice.crt", "-noout", "-fingerprint", "-sha256"],
        { cwd: dir },
      )
        .stdout.toString()
        .replace(/^.*=/, "")
        .replace(/[:\s]/g, "")
        .toLowerCase();
      const alice = await as("alice");
      expect(alice.cert).toEqual({ subjectCn: "alice", fingerprintSha256: fingerprint });
      expect(alice.url).toStartWith("https://");
      expect(alice.peer).toMatch(/127\.0\.0\.1$/);
      // From another CA: the handshake goes through (not required) but it is no identity.
      expect((await as("mallory")).cert).toBeNull();
      expect((await as()).cert).toBeNull();
      // A renewed certificate is served by the front too, without a restart.
      copyFileSync(join(dir, "renewed.crt"), join(dir, "front.crt"));
      copyFileSync(join(dir, "renewed.key"), join(dir, "front.key"));
      await waitFor(
        async () => (await health(server.url, { ca: pem("ca2.crt") })) === "200",
        15_000,
      );
      expect(await health(server.url, { ca })).toStartWith("error:");
      // Straight to the loopback listener, skipping TLS: refused.
      expect(server.innerPort).toBeGreaterThan(0);
      const direct = await fetch(`http://127.0.0.1:${server.innerPort}/x`);
      expect(direct.status).toBe(403);
    } finally {
      await server.stop();
    }
  }, 30_000);

  test("config errors name the setting", () => {
    const file = writeConfig(
      "server:\n  tls:\n    cert: a.pem\n    key: b.pem\n    require_client_cert: true\n",
    );
    expect(() => loadConfig({ path: file })).toThrow(/server\.tls\.client_ca/);
  });
});
