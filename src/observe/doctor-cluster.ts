import type { ResolvedConfig } from "../config/load.ts";
import { errorMessage } from "../errors.ts";
import type { Check } from "./doctor.ts";

/** `redis_url` with a password in it shown as `***`. */
function shown(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString().replace(/\/$/, "");
  } catch {
    return url;
  }
}

/**
 * `cluster.redis_url`: whether Redis answers. `serve` starts without it and serves alone, so a
 * wrong address would otherwise show only as sessions lost behind the load balancer.
 */
export async function clusterCheck(config: ResolvedConfig): Promise<Check[]> {
  if (!config.cluster) return [];
  const where = shown(config.cluster.redis_url);
  if (typeof Bun === "undefined") {
    return [
      {
        name: "cluster",
        status: "warn",
        message: `cluster: needs the Bun build; this runtime serves as a single instance`,
      },
    ];
  }
  const { RedisClient } = await import("bun");
  const client = new RedisClient(config.cluster.redis_url, {
    enableOfflineQueue: false,
    autoReconnect: false,
    connectionTimeout: 2000,
  });
  try {
    await client.connect();
    await client.send("PING", []);
    return [{ name: "cluster", status: "ok", message: `Redis answers at ${where}` }];
  } catch (error) {
    // Bun's client hides a refused password behind "Connection closed": Redis is asked why.
    const { redisRefusal } = await import("../cluster/redis-refusal.ts");
    const why = (await redisRefusal(config.cluster.redis_url)) ?? errorMessage(error);
    return [
      {
        name: "cluster",
        status: "fail",
        message: `Redis at ${where} does not answer (${why}): each instance would serve alone, sharing no sessions, limits or reloads`,
        hint: "start Redis there, or fix cluster.redis_url (a password goes in the URL: redis://:PASSWORD@host:6379)",
      },
    ];
  } finally {
    client.close();
  }
}
