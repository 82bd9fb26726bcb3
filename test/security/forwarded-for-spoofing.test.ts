/**
 * Attack: guessing keys from behind a reverse proxy, and forging X-Forwarded-For to dodge the
 * lockout or to lock someone else out. With `server.trusted_proxies`, a trusted peer's
 * X-Forwarded-For names the client, so each client behind the proxy has its own count and a
 * proxy on loopback does not make everyone exempt; any other peer's header is ignored.
 * These tests reach the gateway from 127.0.0.1, playing the proxy (or a client forging headers).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { RunningGateway } from "../../src/gateway/run.ts";
import { startGateway } from "../helpers.ts";

const KEY = "right-key-0123456789abcdef";
const FAILURES = 3;

function config(server: string, lockout = `{ failures: ${FAILURES} }`): string {
  return `
server: ${server}
capabilities: { enabled: false }
auth:
  enabled: true
  lockout: ${lockout}
  api_keys:
    - { name: owner, key: ${KEY} }
`;
}

/** GET /api/status with `key`, as forwarded for `forwardedFor` (when given). */
function status(running: { url: string }, key: string, forwardedFor?: string): Promise<number> {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (forwardedFor !== undefined) headers["x-forwarded-for"] = forwardedFor;
  return fetch(`${running.url}/api/status`, { headers }).then((response) => response.status);
}

/** Sends FAILURES wrong keys for `forwardedFor`, each answered 401. */
async function guess(running: { url: string }, forwardedFor?: string): Promise<void> {
  for (let i = 0; i < FAILURES; i++) {
    expect(await status(running, `guess-${i}`, forwardedFor)).toBe(401);
  }
}

describe("behind a trusted proxy on loopback (trusted_proxies: [127.0.0.1])", () => {
  let running: RunningGateway & { url: string };
  beforeAll(async () => {
    running = await startGateway(config(`{ trusted_proxies: ["127.0.0.1"] }`));
  });
  afterAll(async () => {
    await running?.stop();
  });

  test("each forwarded client has its own count: one is locked out, the other still served", async () => {
    await guess(running, "203.0.113.10");
    expect(await status(running, KEY, "203.0.113.10")).toBe(429);
    expect(await status(running, KEY, "203.0.113.11")).toBe(200);
    expect(await status(running, "guess-x", "203.0.113.11")).toBe(401);
    // The proxy's own address is not the one locked out either.
    expect(await status(running, KEY)).toBe(200);
  });

  test("a public client forwarded by the loopback proxy is not exempt as loopback", async () => {
    // lockout.loopback is off: before trusted_proxies, every proxied client was exempt.
    await guess(running, "198.51.100.7");
    expect(await status(running, KEY, "198.51.100.7")).toBe(429);
  });

  test("a chain 'client, trusted proxy' resolves to the client", async () => {
    await guess(running, "192.0.2.20, 127.0.0.1");
    expect(await status(running, KEY, "192.0.2.20")).toBe(429);
    expect(await status(running, KEY, "192.0.2.21, 127.0.0.1")).toBe(200);
  });

  test("an IPv6 client is counted by its /64, whatever the form it is written in", async () => {
    await guess(running, "[2001:db8:5:6::1]:4711");
    expect(await status(running, KEY, "2001:db8:5:6:ffff::9")).toBe(429);
    expect(await status(running, KEY, "2001:db8:5:7::1")).toBe(200);
  });
});

describe("a forged X-Forwarded-For from a peer that is not a trusted proxy is ignored", () => {
  // lockout.loopback: the forger's own address (127.0.0.1) is counted, not exempt.
  const lockout = `{ failures: ${FAILURES}, loopback: true }`;
  test.each([
    ["trusted_proxies empty (the default)", "{}"],
    ["trusted_proxies not naming the peer", `{ trusted_proxies: ["10.0.0.0/8", "::1"] }`],
  ])("%s: rotating the header dodges nothing", async (_, server) => {
    const running = await startGateway(config(server, lockout));
    try {
      for (let i = 0; i < FAILURES; i++) {
        expect(await status(running, `guess-${i}`, `203.0.113.${100 + i}`)).toBe(401);
      }
      // Every guess counted against the peer, so a fresh forged address is locked out too.
      expect(await status(running, KEY, "203.0.113.200")).toBe(429);
      expect(await status(running, KEY)).toBe(429);
    } finally {
      await running.stop();
    }
  });
});
