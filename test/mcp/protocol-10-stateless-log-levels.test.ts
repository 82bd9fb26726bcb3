/**
 * `logging/setLevel` from a stateless (2026-07-28) client would be stored under its caller's
 * stateless id and never removed: no session closes to remove it, so the map would grow by one
 * entry per caller for good, and a client that asked for `debug` once would keep every backend
 * logging at `debug`. A stateless client's level now lasts `server.session_ttl` after it was last
 * set (as an idle session would), and at most 1000 of them are kept. (With the pinned SDK the
 * modern era refuses logging/setLevel before the gateway's handler: see the first test.)
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { statelessSession } from "../../src/gateway/caller.ts";
import { LogLevels } from "../../src/gateway/log-levels.ts";
import { cleanupsAfterAll, startFixtureGateway } from "../helpers.ts";

setDefaultTimeout(30_000);
const cleanups = cleanupsAfterAll();

describe("a stateless client's log level", () => {
  test("a 2026-07-28 client cannot set one today: the SDK refuses logging/setLevel (-32601)", async () => {
    // Why the bound below is guarded by a unit test: with the pinned SDK the modern era has no
    // logging/setLevel (each request carries its level in _meta), so the gateway's handler,
    // which would store it under the caller's stateless id, is not reached. An SDK that serves
    // it again makes that path live; the store must then not grow with every caller.
    const gateway = await startFixtureGateway();
    cleanups.push(() => gateway.stop());
    for (const path of ["/mcp", "/mcp/fixture"]) {
      const response = await fetch(`${gateway.url}${path}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "mcp-protocol-version": "2026-07-28",
          "mcp-method": "logging/setLevel",
        },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "logging/setLevel",
          params: {
            level: "debug",
            _meta: {
              "io.modelcontextprotocol/protocolVersion": "2026-07-28",
              "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" },
              "io.modelcontextprotocol/clientCapabilities": {},
            },
          },
        }),
      });
      expect(((await response.json()) as { error?: { code: number } }).error?.code).toBe(-32601);
    }
    expect(gateway.gateway.logLevels.size).toBe(0);
  });

  test("is forgotten session_ttl after it was last set; a session's level is not", () => {
    let now = 0;
    const levels = new LogLevels(
      () => 1500,
      () => now,
    );
    levels.set(statelessSession("local"), "debug");
    levels.set("a-session", "warning");
    now += 1000;
    expect(levels.get(statelessSession("local"))).toBe("debug");
    now += 1000;
    expect(levels.get(statelessSession("local"))).toBeUndefined();
    expect([...levels.values()]).toEqual(["warning"]);
    // Set again, it is back, for as long again.
    levels.set(statelessSession("local"), "info");
    now += 1000;
    expect(levels.get(statelessSession("local"))).toBe("info");
  });

  test("at most so many stateless clients' levels are kept; the least recently set go first", () => {
    let now = 0;
    const levels = new LogLevels(
      () => 60_000,
      () => now,
      3,
    );
    levels.set("session-1", "debug");
    for (let i = 0; i < 5; i++) {
      now += 1;
      levels.set(statelessSession(`key:${i}`), "info");
    }
    expect(levels.size).toBe(4);
    expect(levels.get(statelessSession("key:0"))).toBeUndefined();
    expect(levels.get(statelessSession("key:4"))).toBe("info");
    // Sessions' levels are theirs until they close, however long that is.
    now += 10 * 60_000;
    expect(levels.get("session-1")).toBe("debug");
    expect([...levels.values()]).toEqual(["debug"]);
  });
});
