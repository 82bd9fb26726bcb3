import { BlockList, isIP } from "node:net";

/**
 * The real client behind trusted reverse proxies (`server.trusted_proxies`). Matching is
 * node:net's `BlockList` over addresses `isIP` accepts: no home-made address parser.
 */

/** True when `address` (as the server or a proxy reported it) is one of the trusted proxies. */
export type TrustedProxies = (address: string) => boolean;

/** One `server.trusted_proxies` entry, checked at load: an address or a CIDR range. */
export type ProxyEntryCheck =
  | { ok: true; address: string; prefix: number | undefined }
  | { ok: false; message: string };

/** The same address however it was written: no zone, lower case, IPv4-mapped IPv6 as IPv4. */
function canonical(address: string): string {
  const bare = address.replace(/%.*$/, "").toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
  return mapped ? mapped[1]! : bare;
}

const familyOf = (address: string) => (isIP(address) === 4 ? "ipv4" : "ipv6");

export function checkProxyEntry(entry: string): ProxyEntryCheck {
  const [written = "", bits, extra] = entry.trim().split("/");
  const expected = `"${entry}" is not an IP address or CIDR range (e.g. 10.0.0.0/8, fd00::/8)`;
  if (extra !== undefined || !isIP(written)) return { ok: false, message: expected };
  const address = canonical(written);
  if (bits === undefined) return { ok: true, address, prefix: undefined };
  // ::ffff:10.0.0.0/104 is 10.0.0.0/8: addresses are matched in their IPv4 form.
  const mapped = isIP(written) === 6 && isIP(address) === 4 ? 96 : 0;
  const max = isIP(address) === 4 ? 32 : 128;
  const prefix = (/^\d{1,3}$/.test(bits) ? Number(bits) : Number.NaN) - mapped;
  if (!(prefix >= 0 && prefix <= max)) {
    const range = mapped ? "96 to 128" : `0 to ${max}`;
    return { ok: false, message: `${expected}: the prefix length must be ${range}` };
  }
  return { ok: true, address, prefix };
}

/** The matcher for a validated `server.trusted_proxies` list (an empty list trusts nobody). */
export function createTrustedProxies(entries: readonly string[]): TrustedProxies {
  if (entries.length === 0) return () => false;
  const list = new BlockList();
  for (const entry of entries) {
    const checked = checkProxyEntry(entry);
    if (!checked.ok) throw new Error(checked.message);
    const family = familyOf(checked.address);
    if (checked.prefix === undefined) list.addAddress(checked.address, family);
    else list.addSubnet(checked.address, checked.prefix, family);
  }
  return (address) => {
    const bare = canonical(address);
    return isIP(bare) !== 0 && list.check(bare, familyOf(bare));
  };
}

/**
 * One X-Forwarded-For entry as an address: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`,
 * `[2001:db8::1]` or `[2001:db8::1]:443`. Undefined for anything else (`unknown`, a name, junk).
 */
export function parseForwardedEntry(entry: string): string | undefined {
  const text = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(text);
  if (bracketed) return isIP(bracketed[1]!) === 6 ? canonical(bracketed[1]!) : undefined;
  if (isIP(text)) return canonical(text);
  const withPort = /^(\d+\.\d+\.\d+\.\d+):\d{1,5}$/.exec(text);
  return withPort && isIP(withPort[1]!) === 4 ? withPort[1] : undefined;
}

/**
 * The client's address for this request. From a trusted proxy, X-Forwarded-For is walked from
 * the right (the entry the nearest proxy appended) past every trusted proxy: the first address
 * that is not one is the client. All trusted: the left-most. A malformed entry stops the walk at
 * the last good address, since nothing left of it can be vouched for. From any other peer the
 * header is ignored, so a client cannot choose the address its wrong keys count against.
 */
export function clientAddress(
  request: Request,
  peer: string | undefined,
  trusted: TrustedProxies,
): string | undefined {
  if (peer === undefined || !trusted(peer)) return peer;
  // Several X-Forwarded-For lines arrive joined by ", ", in order: one list.
  const header = request.headers.get("x-forwarded-for");
  if (!header?.trim()) return peer;
  let client = peer;
  const entries = header.split(",");
  for (let i = entries.length - 1; i >= 0; i--) {
    const address = parseForwardedEntry(entries[i]!);
    if (address === undefined) break;
    client = address;
    if (!trusted(address)) break;
  }
  return client;
}
