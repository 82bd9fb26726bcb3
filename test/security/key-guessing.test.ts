/**
 * Attack: guessing API keys at full speed, through a Bearer header on any path or through the
 * UI's login form. After 10 wrong keys from one address within 5 minutes, every request from it
 * that carries a key gets 429 with Retry-After, a right key included (else the answer would
 * still tell a right guess from a wrong one).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { RunningGateway } from "../../src/gateway/run.ts";
import { addressKey, createFailureThrottle } from "../../src/security/throttle.ts";
import { startGateway } from "../helpers.ts";
import { connectWithKey, initializeBody, MCP_HEADERS } from "./_helpers.ts";

const KEY = "right-key-0123456789abcdef";
/** These tests reach the gateway from loopback, which is exempt unless `lockout.loopback`. */
const CONFIG = `
capabilities: { enabled: false }
auth:
  enabled: true
  lockout: { loopback: true }
  api_keys:
    - { name: owner, key: ${KEY} }
`;

function bearer(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}

describe("wrong Bearer keys", () => {
  let running: RunningGateway & { url: string };
  beforeAll(async () => {
    running = await startGateway(CONFIG);
  });
  afterAll(async () => {
    await running?.stop();
  });

  test("ten are answered 401; then every keyed request from the address gets 429", async () => {
    // The right key works, and does not count.
    expect((await fetch(`${running.url}/api/status`, { headers: bearer(KEY) })).status).toBe(200);
    for (let i = 0; i < 10; i++) {
      const path = i % 2 ? "/api/status" : "/mcp";
      const response = await fetch(`${running.url}${path}`, {
        method: path === "/mcp" ? "POST" : "GET",
        headers: { ...MCP_HEADERS, ...bearer(`guess-${i}`) },
        body: path === "/mcp" ? initializeBody() : undefined,
      });
      expect(response.status).toBe(401);
    }
    const blocked = await fetch(`${running.url}/api/status`, { headers: bearer("guess-10") });
    expect(blocked.status).toBe(429);
    const retryAfter = Number(blocked.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(300);
    expect(((await blocked.json()) as { error: { message: string } }).error.message).toContain(
      "too many failed authentications",
    );
    // The right key too: a blocked guesser learns nothing from its guesses.
    expect((await fetch(`${running.url}/api/status`, { headers: bearer(KEY) })).status).toBe(429);
    await expect(connectWithKey(running.url, KEY)).rejects.toThrow(
      "too many failed authentications",
    );
    // /health shows a blocked caller only the status, whatever the key.
    const health = await fetch(`${running.url}/health`, { headers: bearer(KEY) });
    expect(Object.keys((await health.json()) as object)).toEqual(["status"]);
    // Without a key nothing is guessed: the usual 401 challenge.
    expect((await fetch(`${running.url}/api/status`)).status).toBe(401);
  });
});

describe("the UI's login form", () => {
  let running: RunningGateway & { url: string };
  beforeAll(async () => {
    running = await startGateway(CONFIG);
  });
  afterAll(async () => {
    await running?.stop();
  });

  const login = (key: string) =>
    fetch(`${running.url}/ui/login`, {
      method: "POST",
      body: new URLSearchParams({ key }),
      redirect: "manual",
    });

  test("ten failed logins redirect back; the next gets 429 with Retry-After, right key or not", async () => {
    const ok = await login(KEY);
    expect(ok.status).toBe(303);
    expect(ok.headers.get("set-cookie")).toContain("mcp_gateway_session=");
    for (let i = 0; i < 10; i++) {
      const failed = await login(`guess-${i}`);
      expect(failed.status).toBe(303);
      expect(failed.headers.get("location")).toBe("/ui?login=failed");
    }
    for (const key of ["guess-10", KEY]) {
      const blocked = await login(key);
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(blocked.headers.get("set-cookie")).toBeNull();
    }
  });
});

describe("auth.lockout", () => {
  test("failures sets the limit; 0 turns the lockout off", async () => {
    for (const [failures, blockedAfter] of [
      [2, 2],
      [0, undefined],
    ] as const) {
      const running = await startGateway(
        CONFIG.replace(
          "lockout: { loopback: true }",
          `lockout: { failures: ${failures}, loopback: true }`,
        ),
      );
      try {
        for (let i = 0; i < 12; i++) {
          const response = await fetch(`${running.url}/api/status`, { headers: bearer(`x${i}`) });
          expect(response.status).toBe(blockedAfter !== undefined && i >= blockedAfter ? 429 : 401);
        }
        const right = await fetch(`${running.url}/api/status`, { headers: bearer(KEY) });
        expect(right.status).toBe(blockedAfter === undefined ? 200 : 429);
      } finally {
        await running.stop();
      }
    }
  });
});

describe("loopback clients", () => {
  test("are not locked out by default: one local client's stale key blocks no other", async () => {
    const running = await startGateway(CONFIG.replace("  lockout: { loopback: true }\n", ""));
    try {
      for (let i = 0; i < 12; i++) {
        const response = await fetch(`${running.url}/api/status`, { headers: bearer(`x${i}`) });
        expect(response.status).toBe(401);
      }
      const right = await fetch(`${running.url}/api/status`, { headers: bearer(KEY) });
      expect(right.status).toBe(200);
    } finally {
      await running.stop();
    }
  });
});

describe("addressKey", () => {
  test.each([
    ["203.0.113.9", "203.0.113.9"],
    ["::ffff:203.0.113.9", "::ffff:203.0.113.9"],
    ["2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"],
    ["2001:db8:1:2::1", "2001:db8:1:2::/64"],
    ["2001:DB8:0001:0002:0:0:0:ffff", "2001:db8:1:2::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
  ])("%s counts as %s", (address, key) => {
    expect(addressKey(address)).toBe(key);
  });
});

describe("createFailureThrottle", () => {
  test("blocks past the limit until the oldest failure leaves the window", () => {
    let now = 0;
    const throttle = createFailureThrottle({ limit: 3, windowMs: 1000, now: () => now });
    for (const at of [0, 100, 200]) {
      now = at;
      expect(throttle.wait("a")).toBe(0);
      throttle.fail("a");
    }
    expect(throttle.wait("a")).toBe(800);
    expect(throttle.wait("b")).toBe(0);
    now = 1000; // the failure at 0 left the window
    expect(throttle.wait("a")).toBe(0);
    throttle.fail("a");
    expect(throttle.wait("a")).toBe(100); // until the one at 100 leaves
  });

  test("remembers a bounded number of addresses, dropping the one that failed longest ago", () => {
    const throttle = createFailureThrottle({
      limit: 1,
      windowMs: 1000,
      maxAddresses: 2,
      now: () => 0,
    });
    throttle.fail("a");
    throttle.fail("b");
    throttle.fail("a"); // a failed again: b is now the oldest
    throttle.fail("c");
    expect(throttle.wait("a")).toBeGreaterThan(0);
    expect(throttle.wait("b")).toBe(0);
    expect(throttle.wait("c")).toBeGreaterThan(0);
  });
});
