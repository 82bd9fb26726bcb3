/**
 * The shared-state seam of a cluster (`cluster:` in gateway.yaml): what several gateway
 * instances behind one load balancer share through Redis. The core speaks only this interface;
 * the Redis client lives at the edge (src/cluster/redis.ts, Bun's built-in client), so the core
 * still runs under Deno, single-instance.
 *
 * Every operation may fail while the shared store is down: counters then answer `undefined`
 * (the caller counts locally instead) and the instance reports itself degraded in `/health`.
 */
import type { PeerWatch } from "./peer-watch.ts";
import type { Peers } from "./peers.ts";

export interface ClusterLink extends SharedCounters {
  /** This instance's id (`cluster.instance_id`, else the hostname and a random suffix). */
  readonly instanceId: string;
  /** The URL other instances reach this one at (session relay); set once the port is bound. */
  url: string;
  /** Whether the shared store answers now. */
  readonly connected: boolean;
  get(key: string): Promise<string | undefined>;
  /** Sets `key` (prefixed) for `ttlMs`; false when the store cannot be reached. */
  set(key: string, value: string, ttlMs: number): Promise<boolean>;
  /**
   * Sets `key` to `value` for `ttlMs` unless it is set already, atomically; resolves with what
   * the key holds afterwards (`value` when this call won), `undefined` when unreachable.
   */
  claim(key: string, value: string, ttlMs: number): Promise<string | undefined>;
  /** Deletes `key` (a list with its byte count too). */
  del(key: string): Promise<void>;
  /**
   * Appends to the list `key`, keeping its last entries, at most `max` of them and `maxBytes`
   * (UTF-8) together (the newest always stays), for `ttlMs`; false when unreachable.
   */
  append(
    key: string,
    value: string,
    max: number,
    ttlMs: number,
    maxBytes?: number,
  ): Promise<boolean>;
  /**
   * Marks `member` present in the set `key` now (by the store's clock, not this instance's) and
   * answers how many members were marked within the last `windowMs`; `undefined` when
   * unreachable.
   */
  present(key: string, member: string, windowMs: number): Promise<number | undefined>;
  /**
   * Adds `by` to the field `field` of the hash `key` (kept `ttlMs` past its latest change); the
   * field's total after it, `undefined` when unreachable. With `stamp`, the field `<field>@at`
   * is raised to it (when it holds less): when the field last changed.
   */
  tally(
    key: string,
    field: string,
    by: number,
    ttlMs: number,
    stamp?: number,
  ): Promise<number | undefined>;
  /**
   * Raises each field of the hash `key` to its value when it holds less (kept `ttlMs` from
   * then), atomically: puts back the totals a store that restarted empty forgot. False when
   * unreachable.
   */
  raise(key: string, fields: Iterable<[string, number]>, ttlMs: number): Promise<boolean>;
  /** Every field of the hash `key` with its total; `undefined` when unreachable. */
  tallies(key: string): Promise<Map<string, number> | undefined>;
  /**
   * Sets `key` to `entry` unless it holds one stamped later than `entry.at`, atomically (kept
   * `ttlMs` from then); without `entry.at`, stamped now by the store's clock (one clock for every
   * instance, whatever theirs say); without `entry`, only reads. What `key` holds afterwards:
   * `null` when nothing, `undefined` when unreachable. A switch that instances each remember and
   * put back after an outage: the latest one made anywhere wins, whatever order they come back.
   */
  latest(
    key: string,
    entry?: { value: string; at?: number },
    ttlMs?: number,
  ): Promise<Stamped | null | undefined>;
  /** The whole list `key`; `undefined` when unreachable. */
  list(key: string): Promise<string[] | undefined>;
  /** A secret every instance of the cluster shares (marks requests relayed between them). */
  readonly secret: string;
  /**
   * With `server.tls`: how a relay reaches another instance over HTTPS (the CA its certificate
   * chains to, this instance's certificate for an mTLS front). Read on each use (renewals).
   */
  relayTls?: () => RelayTls | undefined;
  /**
   * Where the other instances are, as last read from the store and kept while it is down, by
   * the tag each puts in front of its session ids (src/cluster/peers.ts).
   */
  peers?: Peers;
  /** Watches the peers relays wait on, and gives up on one that says nothing (peer-watch.ts). */
  peerWatch?: PeerWatch;
  /**
   * Sends `message` to every instance (this one included) listening on `channel`; false when
   * the store cannot be reached (nobody got it).
   */
  publish(channel: string, message: string): Promise<boolean>;
  /**
   * Calls `listener` for each message on `channel`, from any instance; re-subscribes after an
   * outage. Resolves once Redis has confirmed the subscription (or could not be reached):
   * messages published before then never arrive here.
   */
  subscribe(channel: string, listener: (message: string) => void): Promise<void>;
  /**
   * Calls `listener` each time the store answers again after an outage: messages published
   * meanwhile (a reload announced) never arrived, so what they would have done is redone then.
   */
  onReconnect(listener: () => void): void;
  /** `/health`'s `cluster` entry. */
  status(): ClusterStatus;
  close(): void;
}

/** Counters over fixed windows, shared by every instance (rate limits, lockout, budgets). */
export interface SharedCounters {
  /**
   * Adds `by` to the counter `key`, whose window of `windowMs` starts at its first hit (with
   * `slide`, at its latest: the count lasts until `windowMs` passes without a hit); returns
   * the count after it and the milliseconds until the window ends, or `undefined` when the
   * shared store cannot be reached (count locally then).
   */
  hit(key: string, by: number, windowMs: number, slide?: boolean): Promise<WindowCount | undefined>;
  /** The counter as it stands, without adding; `undefined` when unreachable. */
  peek(key: string): Promise<WindowCount | undefined>;
  /**
   * Raises the counter `key` to `value` when it holds less (for `windowMs` then), atomically;
   * the count afterwards, `undefined` when unreachable. Puts back what a store that restarted
   * empty forgot (the day's spend this instance last saw).
   */
  atLeast(key: string, value: number, windowMs: number): Promise<WindowCount | undefined>;
}

/** A value and when it was set (ms since the epoch, on the clock of the instance that set it). */
export interface Stamped {
  value: string;
  at: number;
}

export interface WindowCount {
  count: number;
  /** Milliseconds until the window ends (0 when the counter does not exist). */
  resetMs: number;
}

export interface ClusterStatus {
  instance: string;
  redis: "connected" | "down";
  /** The last error talking to Redis, while it is down. */
  error?: string;
}

/** Bun's `fetch` TLS options for a relay: PEM text. */
export interface RelayTls {
  /** The CA bundle instances' certificates chain to (`cluster.ca`); else the system's CAs. */
  ca?: string;
  /** This instance's certificate and key (`server.tls`), shown to an owner that asks for one. */
  cert?: string;
  key?: string;
}
