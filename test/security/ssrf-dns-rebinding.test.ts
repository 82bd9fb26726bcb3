/**
 * Attack: SSRF by DNS rebinding. A capability's API host answers the SSRF guard's lookup with a
 * public address, then `fetch`'s own lookup with a loopback one, and the call reaches a service
 * on the gateway's machine. The gateway now resolves once, checks every address, and connects
 * to the checked one (the name goes in the Host header and TLS server name); every redirect hop
 * is checked and pinned the same way.
 *
 * The two faults that cannot be caused here are stood in for: a DNS server whose answers
 * alternate public and loopback (the lookup seam), and a public host (a `fetch` that carries
 * requests for the public address to a local stand-in). Requests for anything else go out as
 * they are, so a request that was not pinned reaches the loopback service and is counted.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fetchPinned, resolveTarget } from "../../src/capabilities/ssrf.ts";
import { loadConfig } from "../../src/config/load.ts";
import { type RunningGateway, runGateway } from "../../src/gateway/run.ts";
import { type ConnectedClient, connectHttp, firstText, tempDir, writeConfig } from "../helpers.ts";

setDefaultTimeout(60_000);

const PUBLIC = "93.184.215.14";
const CALLS = 150;

let internalHits = 0;
const publicHosts: string[] = [];
let internal: ReturnType<typeof Bun.serve>;
let stand: ReturnType<typeof Bun.serve>;
let running: RunningGateway & { url: string };
let session: ConnectedClient;
let lookups = 0;

beforeAll(async () => {
  // The service an attacker wants: only reachable from the gateway's own machine.
  internal = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request) {
      const path = new URL(request.url).pathname;
      if (path === "/secret") internalHits++;
      return Response.json({ secret: "internal-only" });
    },
  });
  // The public API, as reached through the address the guard checked.
  stand = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request) {
      const url = new URL(request.url);
      publicHosts.push(request.headers.get("host") ?? "");
      if (url.pathname === "/hop") {
        // A redirect to the rebinding name again: the next hop is checked and pinned too.
        return new Response(null, {
          status: 302,
          headers: { location: `http://localhost:${internal.port}/secret` },
        });
      }
      return Response.json({ public: true });
    },
  });
  const dir = tempDir("mcpgw-rebind-");
  mkdirSync(join(dir, "caps"));
  for (const [name, path] of [
    ["fetch_secret", "/secret"],
    ["fetch_hop", "/hop"],
  ]) {
    writeFileSync(
      join(dir, "caps", `${name}.yaml`),
      `name: ${name}\ndescription: Reads a value.\nrest:\n  base_url: http://localhost:${internal.port}\n  path: ${path}\n`,
    );
  }
  const file = writeConfig(
    `capabilities: { builtin: false, directories: ["${join(dir, "caps")}"] }\n`,
  );
  const config = loadConfig({ path: file, env: process.env });
  running = (await runGateway({
    config,
    port: 0,
    memoryState: true,
    env: process.env,
    network: {
      // The rebinding name server: public, loopback, public, loopback, ...
      lookup: async () => (lookups++ % 2 === 0 ? [PUBLIC] : ["127.0.0.1"]),
      fetch: (url, init) => {
        const target = new URL(url);
        if (target.hostname === PUBLIC) {
          target.hostname = "127.0.0.1";
          target.port = String(stand.port);
        }
        return globalThis.fetch(target, init);
      },
    },
  })) as typeof running;
  session = await connectHttp(running.url);
});

afterAll(async () => {
  await session?.close();
  await running?.stop();
  internal?.stop(true);
  stand?.stop(true);
});

async function invoke(tool: string): Promise<string> {
  const result = await session.client.callTool({
    name: "gateway_invoke",
    arguments: { server: "capabilities", tool },
  });
  return firstText(result);
}

describe("a rebinding name never reaches a loopback service", () => {
  test(`${CALLS} concurrent calls: each is refused or sent to the checked public address`, async () => {
    const answers: string[] = [];
    for (let batch = 0; batch < CALLS / 15; batch++) {
      answers.push(
        ...(await Promise.all(Array.from({ length: 15 }, () => invoke("fetch_secret")))),
      );
    }
    expect(internalHits).toBe(0);
    const refused = answers.filter((a) => a.startsWith("[PRIVATE_NETWORK_BLOCKED]"));
    const served = answers.filter((a) => a.includes('"public":true'));
    expect(refused.length + served.length).toBe(CALLS);
    expect(refused.length).toBeGreaterThan(0);
    expect(served.length).toBeGreaterThan(0);
    expect(refused[0]).toContain("(localhost resolves to 127.0.0.1)");
    // The API was asked by its name, on the checked address.
    expect(new Set(publicHosts)).toEqual(new Set([`localhost:${internal.port}`]));
  });

  test("every redirect hop is checked and pinned the same way", async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => invoke("fetch_hop")));
    expect(internalHits).toBe(0);
    for (const answer of answers) {
      expect(
        answer.startsWith("[PRIVATE_NETWORK_BLOCKED]") || answer.includes('"public":true'),
      ).toBe(true);
    }
    expect(answers.some((a) => a.includes("(redirect 1)"))).toBe(true);
  });
});

const openssl = Bun.which("openssl");

describe.skipIf(!openssl)("https: pinned to the checked address, verified against the name", () => {
  test("the certificate must name the host the capability used", async () => {
    const dir = tempDir("mcpgw-rebind-tls-");
    const made = Bun.spawnSync(
      [openssl!, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        .concat(["-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")])
        .concat(["-subj", "/CN=api.test", "-addext", "subjectAltName=DNS:api.test"]),
      { stdout: "ignore", stderr: "ignore" },
    );
    expect(made.exitCode).toBe(0);
    const cert = readFileSync(join(dir, "cert.pem"), "utf8");
    const server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      tls: { cert, key: readFileSync(join(dir, "key.pem"), "utf8") },
      fetch: (request) => Response.json({ host: request.headers.get("host") }),
    });
    try {
      const seen: (string | undefined)[] = [];
      const options = {
        allowPrivateNetworks: false,
        lookup: async () => [PUBLIC],
        // The stand-in public host trusts the test certificate; the server name is the gateway's.
        fetch: (url: URL, init: RequestInit & { tls?: { serverName?: string } }) => {
          seen.push(init.tls?.serverName);
          const target = new URL(url);
          expect(target.hostname).toBe(PUBLIC);
          target.hostname = "127.0.0.1";
          target.port = String(server.port);
          return globalThis.fetch(target, { ...init, tls: { ...init.tls, ca: cert } });
        },
      };
      const good = await fetchPinned(new URL("https://api.test/x"), {}, options);
      expect(good).toBeInstanceOf(Response);
      expect(await (good as Response).json()).toEqual({ host: "api.test" });
      // A name the certificate does not carry fails verification, though the address is the same.
      await expect(fetchPinned(new URL("https://other.test/x"), {}, options)).rejects.toThrow(
        /CERT|certificate/i,
      );
      expect(seen).toEqual(["api.test", "other.test"]);
    } finally {
      server.stop(true);
    }
  });
});

describe("the address a request is pinned to", () => {
  const target = (answers: string[]) =>
    resolveTarget(new URL("https://api.test/"), {
      allowPrivateNetworks: false,
      lookup: async () => answers,
    });

  test("one private answer among public ones refuses the name", async () => {
    expect(await target([PUBLIC, "10.0.0.7"])).toEqual({
      refused:
        "10.0.0.7 is a private address (api.test resolves to 10.0.0.7); set capabilities.allow_private_networks: true to allow it",
    });
  });

  test("IPv4 first (a host without IPv6 routes still connects); no answer is refused", async () => {
    expect(await target(["2606:2800:21f:cb07:6820:80da:af6b:8b2c", PUBLIC])).toEqual({
      address: PUBLIC,
    });
    expect(await target([])).toEqual({ refused: "api.test does not resolve to any address" });
  });
});
