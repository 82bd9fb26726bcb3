import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import type { ResolvedConfig } from "../config/load.ts";
import { logger } from "../logger.ts";
import type { ClusterLink, RelayTls } from "./link.ts";
import { PeerWatch } from "./peer-watch.ts";
import { trackPeers } from "./peers.ts";
import { probePeer } from "./relay.ts";

/** The channel a reload is announced on; the message is the announcing instance's id. */
export const RELOAD_CHANNEL = "reload";

/**
 * Joins the cluster named by `cluster:` (undefined without one). Only under Bun: Bun's built-in
 * Redis client is imported lazily, so single-instance runs (and Deno) never load it.
 */
export async function joinCluster(
  config: ResolvedConfig,
  selfUrl: string,
): Promise<ClusterLink | undefined> {
  const cluster = config.cluster;
  if (!cluster) return undefined;
  if (typeof Bun === "undefined") {
    logger
      .withTag("cluster")
      .warn("cluster: needs the Bun build (its Redis client); running as a single instance");
    return undefined;
  }
  if (config.server.tls && cluster.advertise_url?.startsWith("http:")) {
    logger
      .withTag("cluster")
      .warn(
        `cluster.advertise_url is ${cluster.advertise_url}, but with server.tls this instance serves https only: the others cannot relay to it until it says https://`,
      );
  }
  const { createRedisLink } = await import("./redis.ts");
  const instanceId = cluster.instance_id ?? `${hostname()}-${crypto.randomUUID().slice(0, 8)}`;
  const link = await createRedisLink({
    url: cluster.redis_url,
    instanceId,
    keyPrefix: cluster.key_prefix,
    selfUrl: cluster.advertise_url ?? selfUrl,
  });
  link.relayTls = relayTlsFor(config);
  link.peers = trackPeers(link);
  link.peerWatch = new PeerWatch(cluster.peer_timeout, (peer, timeoutMs) =>
    probePeer(peer, timeoutMs, link),
  );
  logger.withTag("cluster").info(`joined as ${instanceId} (${link.status().redis})`);
  return link;
}

/**
 * `http://<host>:<port>` (`https://` with `server.tls`), with a wildcard bind replaced by this
 * machine's name.
 */
export function advertisedUrl(host: string, port: number, tls = false): string {
  const name = host === "0.0.0.0" || host === "::" || host === "" ? hostname() : host;
  return `${tls ? "https" : "http"}://${name.includes(":") ? `[${name}]` : name}:${port}`;
}

/** How often a relay re-reads the certificate files (renewed certificates). */
const TLS_REREAD_MS = 5_000;

/**
 * The TLS a relay uses toward another instance: `cluster.ca` to trust (the system's CAs
 * without it) and, to pass an mTLS front (`server.tls.client_ca`), this instance's own
 * `server.tls` certificate. Undefined without either. A file that cannot be read names its
 * setting, once, and the relay goes on without it.
 */
export function relayTlsFor(config: ResolvedConfig): (() => RelayTls | undefined) | undefined {
  const tls = config.server.tls;
  const ca = config.cluster?.ca;
  if (!tls && !ca) return undefined;
  let cached: { at: number; value: RelayTls } | undefined;
  const warned = new Set<string>();
  const read = (path: string, setting: string) => {
    try {
      return readFileSync(path, "utf8");
    } catch (error) {
      if (!warned.has(setting)) {
        warned.add(setting);
        logger
          .withTag("cluster")
          .warn(
            `${setting}: cannot read ${path} (${(error as Error).message}); relays go without it`,
          );
      }
      return undefined;
    }
  };
  return () => {
    if (cached && Date.now() - cached.at < TLS_REREAD_MS) return cached.value;
    const value: RelayTls = {
      ca: ca ? read(ca, "cluster.ca") : undefined,
      cert: tls ? read(tls.cert, "server.tls.cert") : undefined,
      key: tls ? read(tls.key, "server.tls.key") : undefined,
    };
    cached = { at: Date.now(), value };
    return value;
  };
}

/** The channel a breaker opening is announced on: `{from, server, ms}`. */
export const BREAKER_CHANNEL = "breaker";

/** The channel an operator's kill or revive of a backend is announced on: `{from, action, server, detail}`. */
export const KILL_CHANNEL = "kill";

/** The channel a rewritten gateway.lock is sent on (its text), for every instance to apply. */
export const LOCK_CHANNEL = "lock";

/**
 * `lock update` in a cluster: sends the new lock to every instance (each writes it to its own
 * lock file, which its watcher applies). Quietly nothing without `cluster:` or under Deno.
 */
export async function announceLock(config: ResolvedConfig, text: string): Promise<boolean> {
  if (!config.cluster || typeof Bun === "undefined") return false;
  const { RedisClient } = await import("bun");
  const client = new RedisClient(config.cluster.redis_url, {
    enableOfflineQueue: false,
    connectionTimeout: 2000,
  });
  try {
    await client.connect();
    await client.publish(`${config.cluster.key_prefix}${LOCK_CHANNEL}`, text);
    return true;
  } catch (error) {
    logger
      .withTag("cluster")
      .warn(
        `could not tell the other instances (${error instanceof Error ? error.message : error}); run lock update on each, or reload them`,
      );
    return false;
  } finally {
    client.close();
  }
}
