import { describe, expect, test } from "bun:test";
import { loadConfig } from "../../src/config/load.ts";
import {
  checkProxyEntry,
  clientAddress,
  createTrustedProxies,
  parseForwardedEntry,
} from "../../src/http/forwarded.ts";
import { writeConfig } from "../helpers.ts";

const TRUSTED = ["127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8"];

describe("createTrustedProxies", () => {
  const trusted = createTrustedProxies(TRUSTED);
  test.each([
    ["127.0.0.1", true],
    ["127.0.0.2", false],
    ["10.200.3.4", true],
    ["11.0.0.1", false],
    ["::ffff:10.1.2.3", true],
    ["::1", true],
    ["0:0:0:0:0:0:0:1", true],
    ["fd12:3456::1", true],
    ["FD12:3456::1", true],
    ["fe80::1", false],
    ["2001:db8::1", false],
    ["unknown", false],
    ["", false],
  ])("%s trusted: %p", (address, expected) => {
    expect(trusted(address)).toBe(expected);
  });

  test("an empty list trusts nobody", () => {
    expect(createTrustedProxies([])("127.0.0.1")).toBe(false);
  });

  test("an IPv4-mapped range matches the IPv4 addresses inside it", () => {
    const mapped = createTrustedProxies(["::ffff:192.168.0.0/112"]);
    expect(mapped("192.168.7.8")).toBe(true);
    expect(mapped("192.169.0.1")).toBe(false);
  });
});

describe("parseForwardedEntry", () => {
  test.each([
    ["203.0.113.9", "203.0.113.9"],
    [" 203.0.113.9 ", "203.0.113.9"],
    ["203.0.113.9:51234", "203.0.113.9"],
    ["2001:DB8::1", "2001:db8::1"],
    ["[2001:db8::1]", "2001:db8::1"],
    ["[2001:db8::1]:443", "2001:db8::1"],
    ["::ffff:203.0.113.9", "203.0.113.9"],
    ["fe80::1%eth0", "fe80::1"],
    ["unknown", undefined],
    ["_hidden", undefined],
    ["example.com", undefined],
    ["", undefined],
    ["203.0.113.256", undefined],
    ["203.0.113.9:port", undefined],
    ["[203.0.113.9]", undefined],
    ["2001:db8::1:443", "2001:db8::1:443"],
    ["2001:db8:::1", undefined],
  ])("%p -> %p", (entry, expected) => {
    expect(parseForwardedEntry(entry)).toBe(expected);
  });
});

describe("clientAddress", () => {
  const trusted = createTrustedProxies(TRUSTED);
  const request = (...forwardedFor: string[]) => {
    const headers = new Headers();
    for (const value of forwardedFor) headers.append("x-forwarded-for", value);
    return new Request("http://gateway.test/mcp", { headers });
  };

  test.each([
    // [peer, X-Forwarded-For lines, client]
    ["127.0.0.1", [], "127.0.0.1"],
    ["127.0.0.1", [""], "127.0.0.1"],
    ["127.0.0.1", ["203.0.113.9"], "203.0.113.9"],
    ["127.0.0.1", ["203.0.113.9, 10.0.0.5"], "203.0.113.9"],
    // A client's own forged entries sit left of the real one: the walk stops before them.
    ["127.0.0.1", ["6.6.6.6, 203.0.113.9, 10.0.0.5"], "203.0.113.9"],
    ["127.0.0.1", ["6.6.6.6", "203.0.113.9"], "203.0.113.9"],
    // Every entry trusted: the left-most.
    ["10.0.0.1", ["10.0.0.2, 127.0.0.1, ::1"], "10.0.0.2"],
    // A malformed entry stops the walk at the last good address.
    ["127.0.0.1", ["203.0.113.9, unknown"], "127.0.0.1"],
    ["127.0.0.1", ["203.0.113.9, garbage, 10.0.0.5"], "10.0.0.5"],
    ["127.0.0.1", ["203.0.113.9,, 10.0.0.5"], "10.0.0.5"],
    // IPv6 peers and clients.
    ["::1", ["2001:db8::7, fd00::1"], "2001:db8::7"],
    ["::1", ["[2001:db8::7]:443"], "2001:db8::7"],
    ["::ffff:127.0.0.1", ["203.0.113.9"], "203.0.113.9"],
    // An untrusted peer's header changes nothing.
    ["203.0.113.50", ["198.51.100.1"], "203.0.113.50"],
    ["2001:db8::50", ["198.51.100.1"], "2001:db8::50"],
  ])("peer %s with %p -> %s", (peer, lines, expected) => {
    expect(clientAddress(request(...lines), peer, trusted)).toBe(expected);
  });

  test("with no trusted proxies, the header never counts, and no peer stays none", () => {
    const none = createTrustedProxies([]);
    expect(clientAddress(request("203.0.113.9"), "127.0.0.1", none)).toBe("127.0.0.1");
    expect(clientAddress(request("203.0.113.9"), undefined, trusted)).toBeUndefined();
  });
});

describe("server.trusted_proxies in the config", () => {
  test.each([
    ["10.0.0.0/8", { address: "10.0.0.0", prefix: 8 }],
    ["192.0.2.1", { address: "192.0.2.1", prefix: undefined }],
    ["FD00::/8", { address: "fd00::", prefix: 8 }],
    ["::ffff:10.0.0.0/104", { address: "10.0.0.0", prefix: 8 }],
  ])("%s is accepted", (entry, expected) => {
    expect(checkProxyEntry(entry)).toEqual({ ok: true, ...expected });
  });

  test("loads, and defaults to none", () => {
    const listed = loadConfig({
      path: writeConfig(`server: { trusted_proxies: ["127.0.0.1", "10.0.0.0/8", "fd00::/8"] }`),
      env: {},
    });
    expect(listed.server.trusted_proxies).toEqual(["127.0.0.1", "10.0.0.0/8", "fd00::/8"]);
    expect(loadConfig({ path: writeConfig("{}"), env: {} }).server.trusted_proxies).toEqual([]);
  });

  test.each([
    ["proxy.internal", ""],
    ["10.0.0.0/33", ": the prefix length must be 0 to 32"],
    ["fd00::/129", ": the prefix length must be 0 to 128"],
    ["10.0.0.0/", ": the prefix length must be 0 to 32"],
    ["10.0.0.0/8/8", ""],
    ["::ffff:10.0.0.0/8", ": the prefix length must be 96 to 128"],
  ])("%s is refused at load, naming the entry", (entry, reason) => {
    const file = writeConfig(`server: { trusted_proxies: ["127.0.0.1", "${entry}"] }`);
    expect(() => loadConfig({ path: file, env: {} })).toThrow(
      `${file}: server.trusted_proxies[1]: "${entry}" is not an IP address or CIDR range (e.g. 10.0.0.0/8, fd00::/8)${reason}`,
    );
  });
});
