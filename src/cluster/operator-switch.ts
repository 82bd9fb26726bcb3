import type { BackendPool } from "../backends/pool.ts";
import { logger } from "../logger.ts";
import { KILL_CHANNEL } from "./join.ts";
import type { ClusterLink, Stamped } from "./link.ts";

/** How long Redis keeps a backend's last Disable or Enable (each instance puts it back sooner). */
const KEEP_MS = 365 * 24 * 60 * 60_000;

type Action = "kill" | "revive";
interface Switch {
  from: string;
  action: Action;
  server: string;
  detail: string;
  at: number;
}

const log = () => logger.withTag("cluster");
const keyOf = (server: string) => `operator-switch:${server}`;

function parse(entry: Stamped | string): Switch | undefined {
  try {
    const text = typeof entry === "string" ? entry : entry.value;
    const value = JSON.parse(text) as Partial<Switch>;
    if (value.action !== "kill" && value.action !== "revive") return undefined;
    if (typeof value.server !== "string" || typeof value.from !== "string") return undefined;
    return {
      from: value.from,
      action: value.action,
      server: value.server,
      detail: typeof value.detail === "string" ? value.detail : "",
      // An announcement without a time (an instance of an older release): made just now.
      at: typeof entry === "string" ? Number(value.at ?? Date.now()) : entry.at,
    };
  } catch {
    return undefined;
  }
}

/**
 * The kill switch across a cluster. An operator's Disable or Enable on one instance is
 * announced (pub/sub) and also kept in Redis (`operator-switch:<backend>`, the latest of them by
 * when it was made, by Redis's clock), and every instance remembers the latest it made or heard. An instance reads
 * Redis at start, and when Redis answers again puts back what it remembers (a Redis restarted
 * empty) and applies what Redis holds: a backend switched off stays off on an instance that
 * started afterwards (a rolling restart), or that could not hear Redis when the switch was made.
 * Announced alone, both served the backend again.
 */
export function shareOperatorSwitch(pool: BackendPool, cluster: ClusterLink): Promise<void> {
  const known = new Map<string, Switch>();

  const apply = (entry: Switch) => {
    const mine = known.get(entry.server);
    if (mine && mine.at > entry.at) return;
    known.set(entry.server, entry);
    if (!pool.has(entry.server)) return;
    const disabled = pool.killSwitch.get(entry.server);
    if (entry.action === "revive") {
      if (disabled?.reason !== "killed") return;
      pool.revive(entry.server, false);
      // An instance that started with the backend off never listed its tools.
      void pool.refresh(entry.server).catch(() => {});
      return;
    }
    if (disabled?.reason === "killed") return;
    const detail =
      entry.from === cluster.instanceId ? entry.detail : `${entry.detail} (on ${entry.from})`;
    void pool.kill(entry.server, detail, false).catch(() => {});
  };

  pool.onOperatorSwitch = (action, server, detail) => {
    // Stamped by Redis's clock: by each instance's own, a Disable made where the clock is
    // behind counted as older than an Enable made before it elsewhere, and was ignored there.
    // (While Redis is down, by this instance's clock until it is put back.)
    const entry: Switch = { from: cluster.instanceId, action, server, detail, at: Date.now() };
    known.set(server, entry);
    const { at: _, ...unstamped } = entry;
    const value = JSON.stringify({ ...unstamped, id: crypto.randomUUID() });
    void (async () => {
      const stored = await cluster.latest(keyOf(server), { value }, KEEP_MS);
      if (!stored) return;
      if (stored.value === value) {
        entry.at = stored.at;
        await cluster.publish(
          KILL_CHANNEL,
          JSON.stringify({ ...JSON.parse(value), at: stored.at }),
        );
      } else {
        // A later one is in Redis already (one put back with a time ahead of Redis's): it holds.
        const other = parse(stored);
        if (!other) return;
        known.delete(server);
        apply(other);
      }
    })();
  };
  const subscribed = cluster.subscribe(KILL_CHANNEL, (text) => {
    const entry = parse(text);
    if (entry && entry.from !== cluster.instanceId) apply(entry);
  });

  /** Puts back what this instance knows, and applies what Redis holds, backend by backend. */
  const sync = async () => {
    const servers = new Set([...pool.names(), ...known.keys()]);
    await Promise.all(
      [...servers].map(async (server) => {
        const mine = known.get(server);
        const stored = await cluster.latest(
          keyOf(server),
          mine && { value: JSON.stringify(mine), at: mine.at },
          KEEP_MS,
        );
        const entry = stored ? parse(stored) : undefined;
        if (!entry) return;
        apply(entry);
        // What this instance put back is the latest: the others, each syncing now as well, may
        // have read Redis before it landed.
        if (mine && entry.at === mine.at && entry.from === mine.from) {
          await cluster.publish(KILL_CHANNEL, JSON.stringify(mine));
        }
      }),
    );
  };
  const resync = () => {
    sync().catch((error) => log().warn(`kill switch not synced with Redis: ${error}`));
  };
  cluster.onReconnect(resync);
  // A switch made between the read at start and the subscription's taking effect was heard by
  // nobody here: read again once it has (not waited on: a Redis that hangs must not hold start).
  void subscribed.then(resync);
  return sync();
}
