import { addressKey } from "../security/throttle.ts";

export interface ConnectionLimits {
  /** `server.max_connections`: requests and streams open at once, in all. */
  max: number;
  /** `server.max_connections_per_address`: the same per client address (an IPv6 one by /64). */
  perAddress: number;
  /** `/health` requests allowed at once on top of the caps, so a probe always gets through. */
  healthHeadroom?: number;
}

/** Counts open requests and streams; `enter` admits one or says which cap refuses it. */
export interface ConnectionGate {
  /** A release function (call it once, when the request or its stream ends), or the refusal. */
  enter(address: string | undefined, health: boolean): (() => void) | { refused: string };
  /** Requests and streams open now, and `/health` requests admitted past the caps. */
  stats(): { open: number; health: number };
}

export function createConnectionGate(limits: ConnectionLimits): ConnectionGate {
  const byAddress = new Map<string, number>();
  const headroom = limits.healthHeadroom ?? 64;
  let total = 0;
  let health = 0;

  function admitHealth(): (() => void) | { refused: string } {
    // Within the caps a probe counts like any request; past them it has its own small budget.
    if (health >= headroom) {
      return { refused: `too many /health requests at once (${headroom}); try again shortly` };
    }
    health++;
    let open = true;
    return () => {
      if (open) health--;
      open = false;
    };
  }

  return {
    enter(address, isHealth) {
      const key = address ? addressKey(address) : "unknown";
      const mine = byAddress.get(key) ?? 0;
      if (total >= limits.max || mine >= limits.perAddress) {
        if (isHealth) return admitHealth();
        return {
          refused:
            total >= limits.max
              ? `the gateway has ${total} requests open (server.max_connections is ${limits.max}); try again shortly`
              : `${key} has ${mine} requests open (server.max_connections_per_address is ${limits.perAddress}); try again shortly`,
        };
      }
      total++;
      byAddress.set(key, mine + 1);
      let open = true;
      return () => {
        if (!open) return;
        open = false;
        total--;
        const left = (byAddress.get(key) ?? 1) - 1;
        if (left > 0) byAddress.set(key, left);
        else byAddress.delete(key);
      };
    },
    stats() {
      return { open: total, health };
    },
  };
}
