import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";

/** Resolves a host name to every address it has. */
export type Lookup = (hostname: string) => Promise<string[]>;

export const defaultLookup: Lookup = async (hostname) => {
  const answers = await dnsLookup(hostname, { all: true, verbatim: true });
  return answers.map((answer) => answer.address);
};

/** IPv4 ranges that are not the public internet, as [first octets, prefix length, kind]. */
const V4_RANGES: [number[], number, string][] = [
  [[0], 8, "an unspecified (this-network)"],
  [[10], 8, "a private"],
  [[100, 64], 10, "a shared (carrier-grade NAT)"],
  [[127], 8, "a loopback"],
  [[169, 254], 16, "a link-local"],
  [[172, 16], 12, "a private"],
  [[192, 0, 0], 24, "a reserved (IETF)"],
  [[192, 0, 2], 24, "a documentation"],
  [[192, 168], 16, "a private"],
  [[198, 18], 15, "a benchmarking"],
  [[198, 51, 100], 24, "a documentation"],
  [[203, 0, 113], 24, "a documentation"],
  [[224], 4, "a multicast"],
  [[240], 4, "a reserved"],
];

function v4ToInt(octets: number[]): number {
  return ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
}

function classifyV4(octets: number[]): string | undefined {
  const value = v4ToInt(octets);
  for (const [prefix, bits, kind] of V4_RANGES) {
    const base = v4ToInt([...prefix, 0, 0, 0, 0].slice(0, 4));
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    if ((value & mask) >>> 0 === (base & mask) >>> 0) return kind;
  }
  return undefined;
}

/** Eight 16-bit groups of an IPv6 address (with an embedded dotted IPv4 tail allowed). */
function parseV6(address: string): number[] | undefined {
  let text = address.replace(/%.*$/, "");
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const octets = tail[1]!.split(".").map(Number);
    text = `${text.slice(0, -tail[1]!.length)}${((octets[0]! << 8) | octets[1]!).toString(16)}:${((octets[2]! << 8) | octets[3]!).toString(16)}`;
  }
  const [head, rest] = text.split("::");
  const left = head ? head.split(":") : [];
  const right = rest ? rest.split(":") : [];
  const fill = text.includes("::") ? 8 - left.length - right.length : 0;
  const groups = [...left, ...Array(fill).fill("0"), ...right].map((group) => parseInt(group, 16));
  return groups.length === 8 && groups.every((g) => g >= 0 && g <= 0xffff) ? groups : undefined;
}

function classifyV6(groups: number[]): string | undefined {
  const [a, b] = groups as [number, number];
  const embedded = (i: number) => [
    groups[i]! >> 8,
    groups[i]! & 0xff,
    groups[i + 1]! >> 8,
    groups[i + 1]! & 0xff,
  ];
  if (groups.every((g) => g === 0)) return "an unspecified";
  if (groups.slice(0, 7).every((g) => g === 0) && groups[7] === 1) return "a loopback";
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d)
  // reach the IPv4 address inside them.
  if (groups.slice(0, 5).every((g) => g === 0) && (groups[5] === 0xffff || groups[5] === 0)) {
    return classifyV4(embedded(6));
  }
  if (a === 0x64 && b === 0xff9b && groups.slice(2, 6).every((g) => g === 0)) {
    return classifyV4(embedded(6));
  }
  if (a === 0x2002) return classifyV4(embedded(1));
  if ((a & 0xfe00) === 0xfc00) return "a private (unique local)";
  if ((a & 0xffc0) === 0xfe80) return "a link-local";
  if ((a & 0xffc0) === 0xfec0) return "a site-local";
  if ((a & 0xff00) === 0xff00) return "a multicast";
  if (a === 0x2001 && b === 0x0db8) return "a documentation";
  return undefined;
}

/** What kind of non-public address this is (`a loopback`), or undefined for a public one. */
export function classifyAddress(address: string): string | undefined {
  const bare = address.replace(/^\[|\]$/g, "");
  const family = isIP(bare);
  if (family === 4) return classifyV4(bare.split(".").map(Number));
  if (family === 6) {
    const groups = parseV6(bare);
    return groups ? classifyV6(groups) : "an unparseable";
  }
  return undefined;
}

export interface TargetCheckOptions {
  allowPrivateNetworks: boolean;
  lookup?: Lookup;
}

/** The `fetch` that sends a pinned request (a seam: tests cannot reach a public address). */
export type Fetch = (
  url: URL,
  init: RequestInit & { tls?: { serverName?: string } },
) => Promise<Response>;

/**
 * Refuses a URL whose host is, or resolves to, a non-public address: the SSRF guard, run before
 * the first request and again on every redirect. Returns why it refused, or undefined.
 */
export async function checkTarget(
  url: URL,
  options: TargetCheckOptions,
): Promise<string | undefined> {
  const resolved = await resolveTarget(url, options);
  return "refused" in resolved ? resolved.refused : undefined;
}

/**
 * Resolves `url`'s host once and checks every address it has. Returns the address to connect
 * to (undefined when the host is an address already, or private networks are allowed), or why
 * the target is refused.
 */
export async function resolveTarget(
  url: URL,
  options: TargetCheckOptions,
): Promise<{ address?: string } | { refused: string }> {
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return { refused: `${url.protocol} URLs are not allowed; only http and https` };
  }
  if (options.allowPrivateNetworks) return {};
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const literal = isIP(host) !== 0;
  const addresses = literal ? [host] : await (options.lookup ?? defaultLookup)(host);
  if (!addresses.length) return { refused: `${host} does not resolve to any address` };
  for (const address of addresses) {
    const kind = classifyAddress(address);
    if (kind) {
      const via = address === host ? "" : ` (${host} resolves to ${address})`;
      return {
        refused: `${address} is ${kind} address${via}; set capabilities.allow_private_networks: true to allow it`,
      };
    }
  }
  if (literal) return {};
  // IPv4 first, as Node's resolver long did: a host without IPv6 routes must still connect.
  return { address: addresses.find((address) => isIP(address) === 4) ?? addresses[0]! };
}

/**
 * One HTTP request to `url` through the SSRF guard, pinned to the address the guard checked: the
 * URL's host is replaced by that address, and the name goes in the Host header (and as the TLS
 * server name, which the certificate is verified against). A second lookup by `fetch` itself
 * could answer differently (DNS rebinding) and reach an address never checked. Redirects are
 * not followed: the caller checks every hop with this again.
 */
export async function fetchPinned(
  url: URL,
  init: RequestInit,
  options: TargetCheckOptions & { fetch?: Fetch },
): Promise<Response | { refused: string }> {
  const resolved = await resolveTarget(url, options);
  if ("refused" in resolved) return resolved;
  const send: Fetch = options.fetch ?? ((target, request) => fetch(target, request));
  if (!resolved.address) return send(url, { ...init, redirect: "manual" });
  const pinned = new URL(url);
  pinned.hostname = isIP(resolved.address) === 6 ? `[${resolved.address}]` : resolved.address;
  const headers = new Headers(init.headers);
  headers.set("host", url.host);
  return send(pinned, {
    ...init,
    headers,
    redirect: "manual",
    ...(url.protocol === "https:" ? { tls: { serverName: url.hostname } } : {}),
  });
}
