/**
 * Failed-authentication throttle per client address: after `limit` failures within `windowMs`,
 * the address must wait until the oldest of them leaves the window. Keys cannot be guessed at
 * full speed, through the UI's login form or a Bearer header alike.
 */
export interface FailureThrottle {
  /** Milliseconds until `address` may try again; 0 when it may now. */
  wait(address: string): number;
  /** Records a failed attempt from `address`. */
  fail(address: string): void;
}

export interface FailureThrottleOptions {
  /** Failures allowed within the window (default 10). */
  limit?: number;
  /** The window in milliseconds (default 5 minutes). */
  windowMs?: number;
  /** Addresses remembered at most; past it the one that failed longest ago is dropped. */
  maxAddresses?: number;
  now?: () => number;
}

export function createFailureThrottle(options: FailureThrottleOptions = {}): FailureThrottle {
  const limit = options.limit ?? 10;
  const windowMs = options.windowMs ?? 5 * 60_000;
  const maxAddresses = options.maxAddresses ?? 10_000;
  const now = options.now ?? Date.now;
  /** address -> times of its recent failures, oldest first (at most `limit`); oldest entry first. */
  const failures = new Map<string, number[]>();

  function recent(address: string, at: number): number[] {
    const times = (failures.get(address) ?? []).filter((time) => time > at - windowMs);
    if (!times.length) failures.delete(address);
    return times;
  }

  return {
    wait(address) {
      const at = now();
      const times = recent(address, at);
      return times.length >= limit ? times[times.length - limit]! + windowMs - at : 0;
    },
    fail(address) {
      const at = now();
      const times = [...recent(address, at), at].slice(-limit);
      // Re-inserted last, so the first entry of the map is always the one failed longest ago.
      failures.delete(address);
      failures.set(address, times);
      if (failures.size > maxAddresses) failures.delete(failures.keys().next().value!);
    },
  };
}

/**
 * The part of a client address that one client controls: an IPv4 address whole, an IPv6 one by
 * its /64 (a single host usually gets a whole /64 and could rotate through it).
 */
export function addressKey(address: string): string {
  if (!address.includes(":") || address.startsWith("::ffff:")) return address;
  const [head = "", tail] = address.toLowerCase().split("%")[0]!.split("::") as [string, string?];
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  return `${groups
    .slice(0, 4)
    .map((group) => Number.parseInt(group || "0", 16).toString(16))
    .join(":")}::/64`;
}
