import type { ClusterLink } from "./link.ts";

/** The shared list each instance adds `<tag> <url>` to. */
const PEERS_KEY = "peers";
/** The set of instances that beat lately (by the store's clock), to count them. */
const MEMBERS_KEY = "members";
/** How many entries the list keeps (the newest of each instance wins when read). */
const MAX_ENTRIES = 256;

/**
 * Where the instances of a cluster are, remembered for when Redis is down. Every instance adds
 * its tag and URL to a shared list now and then and reads the list back; its 2025-11-25
 * session ids start with its tag, so while Redis cannot say who holds a session, a request that
 * a load balancer sent to another instance is still relayed to the one the id names. Only
 * URLs read from the store are ever relayed to: a client cannot name one.
 */
export interface Peers {
  /** This instance's tag, what its session ids start with (`<tag>.<uuid>`). */
  readonly tag: string;
  /**
   * The URL of the instance that made session `id`, as last read; undefined when unknown, or
   * with `recent`, when the list has not had it for over two beats (gone, most likely).
   */
  ownerOf(id: string, recent?: boolean): string | undefined;
  /**
   * How many instances the cluster has, this one included: those that beat within the last two
   * beats, as last counted while the store answered (1 before the first count). Limits that
   * must hold across the cluster divide by it.
   */
  size(): number;
  /** Adds this instance to the list and reads it (also every `everyMs`). */
  beat(): Promise<void>;
  close(): void;
}

export function trackPeers(link: ClusterLink, everyMs = 15_000): Peers {
  const tag = crypto.randomUUID().slice(0, 8);
  /** Tag → URL and when the list last had it. */
  const known = new Map<string, { url: string; seen: number }>();
  /** As long as an entry lives in the list (a Redis that restarted empty has lost them all). */
  const keepMs = 10 * everyMs;
  let timer: ReturnType<typeof setInterval> | undefined;

  /** The instances counted at the last beat that reached the store. */
  let size = 1;

  async function beat(): Promise<void> {
    if (!link.url) return;
    await link.append(PEERS_KEY, `${tag} ${link.url}`, MAX_ENTRIES, keepMs);
    // Two beats and a half: one late beat does not drop a live instance from the count.
    const present = await link.present(MEMBERS_KEY, tag, 2.5 * everyMs);
    if (present !== undefined) size = Math.max(1, present);
    const entries = await link.list(PEERS_KEY);
    // Unreachable: keep what was last read, which is what the list is for.
    if (!entries) return;
    const now = Date.now();
    for (const entry of entries) {
      const space = entry.indexOf(" ");
      if (space > 0) known.set(entry.slice(0, space), { url: entry.slice(space + 1), seen: now });
    }
    // One missing from the list is kept as long as the list would have kept it: after Redis
    // restarts empty, the others add themselves again only at their next beat.
    for (const [peer, { seen }] of known) if (now - seen > keepMs) known.delete(peer);
  }
  // Back from an outage: this instance is in the (maybe emptied) list again at once.
  link.onReconnect(() => void beat().catch(() => {}));

  return {
    tag,
    size: () => size,
    ownerOf(id, recent = false) {
      const dot = id.indexOf(".");
      const peer = dot > 0 ? known.get(id.slice(0, dot)) : undefined;
      return peer && (!recent || Date.now() - peer.seen <= 2 * everyMs) ? peer.url : undefined;
    },
    beat() {
      timer ??= setInterval(() => void beat().catch(() => {}), everyMs);
      (timer as { unref?: () => void }).unref?.();
      return beat().catch(() => {});
    },
    close() {
      clearInterval(timer);
    },
  };
}
