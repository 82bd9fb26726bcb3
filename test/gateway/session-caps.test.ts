import { describe, expect, test } from "bun:test";
import { LOCAL_ADMIN } from "../../src/gateway/caller.ts";
import { type CappedSession, capKeyOf, planRoom } from "../../src/gateway/session-caps.ts";

const NOW = 100_000;
const OPTIONS = { maxSessions: 4, maxPerCaller: 2, activeWindow: 1000 };
const NONE = { total: 0, byKey: new Map<string, number>() };

function session(capKey: string, idleMs: number, inFlight = 0): CappedSession {
  return { capKey, lastSeen: NOW - idleMs, inFlight: { size: inFlight } };
}

const initialize = (name?: string) => ({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name, version: "1" } },
});

describe("capKeyOf", () => {
  test("a key is one caller; a local client is its name and address", () => {
    const keyed = { id: "key:ci", admin: false, allows: () => true, allowsCatalog: () => true };
    expect(capKeyOf(keyed, initialize("cursor"), "10.0.0.1")).toBe("key:ci");
    expect(capKeyOf(LOCAL_ADMIN, initialize("cursor"), "127.0.0.1")).toBe("local:cursor@127.0.0.1");
    expect(capKeyOf(LOCAL_ADMIN, [initialize("claude")], "::1")).toBe("local:claude@::1");
    expect(capKeyOf(LOCAL_ADMIN, initialize(), "127.0.0.1")).toBe("local:unnamed client@127.0.0.1");
  });
});

describe("planRoom", () => {
  test.each([
    ["under both caps", [session("a", 5000)], { ok: true, evict: 0 }],
    [
      "the caller's idlest idle session goes",
      [session("a", 5000), session("a", 9000)],
      { ok: true, evict: 9000 },
    ],
    [
      "an active session (used within activeWindow) is never closed",
      [session("a", 5000), session("a", 500)],
      { ok: true, evict: 5000 },
    ],
    [
      "a session with a request in flight is never closed",
      [session("a", 9000, 1), session("a", 5000)],
      { ok: true, evict: 5000 },
    ],
    [
      "all active: refused, naming the setting",
      [session("a", 500), session("a", 9000, 1)],
      { ok: false, reason: "server.max_sessions_per_caller" },
    ],
    [
      "past the total: anyone's idle session",
      [session("b", 5000), session("c", 8000), session("d", 100), session("e", 7000)],
      { ok: true, evict: 8000 },
    ],
    [
      "past the total, none idle: refused",
      [session("b", 5, 1), session("c", 8), session("d", 100), session("e", 70)],
      { ok: false, reason: "server.max_sessions" },
    ],
  ] as const)("%s", (_name, sessions, expected) => {
    const plan = planRoom(sessions as unknown as CappedSession[], "a", NONE, OPTIONS, NOW);
    if (expected.ok) {
      expect(plan.ok).toBe(true);
      const evicted = plan.ok ? plan.evict.map((s) => NOW - s.lastSeen) : [];
      expect(evicted).toEqual(expected.evict ? [expected.evict] : []);
    } else {
      expect(plan.ok).toBe(false);
      expect(plan.ok ? "" : plan.reason).toContain(expected.reason);
    }
  });

  test("sessions still opening count against the caps", () => {
    const opening = { total: 1, byKey: new Map([["a", 1]]) };
    const plan = planRoom([session("a", 500)], "a", opening, OPTIONS, NOW);
    expect(plan.ok).toBe(false);
  });
});
