import type { ClusterLink } from "./link.ts";

/** The channel each new total is announced on, so every instance ranks with it at once. */
const USAGE_CHANNEL = "usage";
/** The hash of successful calls per caller and tool, across the cluster. */
const USAGE_KEY = "usage";
/** How long the hash outlives its latest change. */
const KEEP_MS = 30 * 24 * 60 * 60_000;
/** Caller and tool pairs held here at most (a new pair past it counts only in Redis). */
const MAX_PAIRS = 100_000;

const fieldOf = (caller: string, server: string, tool: string) =>
  `${caller}\u0000${server}\u0000${tool}`;

/**
 * Successful calls per caller and tool counted across a cluster, for search's "used before"
 * lift: a client's calls on one instance count on every other. Each success is added to a hash
 * in Redis and its new total announced; every instance keeps the totals in memory, since
 * ranking reads them for each tool of each search (no round trip there), and reads the whole
 * hash at start and when Redis answers again after an outage, first raising each total there to
 * the one held here (a Redis restarted empty forgot them all). While Redis is down, nothing is
 * added: each instance ranks by its own counts, as a single instance does (its state store
 * keeps them).
 */
export class SharedUsage {
  private readonly totals = new Map<string, number>();

  constructor(private readonly link: ClusterLink) {
    link.subscribe(USAGE_CHANNEL, (text) => {
      try {
        const [field, total] = JSON.parse(text) as [string, number];
        if (typeof field === "string" && typeof total === "number") this.merge(field, total);
      } catch {}
    });
    // A Redis restarted empty forgot every total: the ones held here go back before reading.
    link.onReconnect(async () => {
      await link.raise(USAGE_KEY, this.totals, KEEP_MS);
      await this.load();
    });
  }

  /** Reads every total from Redis (at start; after an outage). */
  async load(): Promise<void> {
    const all = await this.link.tallies(USAGE_KEY);
    for (const [field, total] of all ?? []) this.merge(field, total);
  }

  /** Counts one successful call, in Redis, and announces the new total. */
  async record(caller: string, server: string, tool: string): Promise<void> {
    const field = fieldOf(caller, server, tool);
    const total = await this.link.tally(USAGE_KEY, field, 1, KEEP_MS);
    if (total === undefined) return;
    this.merge(field, total);
    await this.link.publish(USAGE_CHANNEL, JSON.stringify([field, total]));
  }

  /** Successful calls of `server:tool` by `caller` across the cluster, as last heard. */
  count(caller: string, server: string, tool: string): number {
    return this.totals.get(fieldOf(caller, server, tool)) ?? 0;
  }

  private merge(field: string, total: number): void {
    const known = this.totals.get(field);
    if (known === undefined && this.totals.size >= MAX_PAIRS) return;
    if (known === undefined || total > known) this.totals.set(field, total);
  }
}
