import { RedisClient } from "bun";
import { logger } from "../logger.ts";
import type { ClusterLink, ClusterStatus, WindowCount } from "./link.ts";
import { redisRefusal } from "./redis-refusal.ts";

export interface RedisLinkOptions {
  url: string;
  instanceId: string;
  /** Prefixed to every key and channel, so several gateways can share one Redis. */
  keyPrefix: string;
  /** Where other instances reach this one. */
  selfUrl: string;
  /** A command that takes longer than this counts as Redis being down (default 1 s). */
  commandTimeout?: number;
}

const log = () => logger.withTag("cluster");
/** How long a command whose timer fired late may still be answered (see `timed`). */
const LATE_GRACE_MS = 50;

// INCRBY, and on the first hit of a window its expiry (on every hit when ARGV[3] is 1: the
// window then ends ARGV[2] ms after the last hit), in one round trip.
const HIT = `local n = redis.call('INCRBY', KEYS[1], ARGV[1])
if n == tonumber(ARGV[1]) or ARGV[3] == '1' then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return {n, redis.call('PTTL', KEYS[1])}`;

// RPUSH, then the oldest entries dropped until at most ARGV[2] entries of at most ARGV[4] bytes
// together are left (the newest always stays); KEYS[2] holds the list's byte count. Both expire
// ARGV[3] ms after the latest.
// The counter raised to ARGV[1] when it holds less (expiring ARGV[2] ms later), in one step.
const AT_LEAST = `local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n < tonumber(ARGV[1]) then
  n = tonumber(ARGV[1])
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
return {n, redis.call('PTTL', KEYS[1])}`;

/** SET NX, answering with the holder: ours when this call won, else whoever set it first. */
const CLAIM = `if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return ARGV[1] end
return redis.call('GET', KEYS[1])`;

const APPEND = `local n = redis.call('RPUSH', KEYS[1], ARGV[1])
local bytes = redis.call('INCRBY', KEYS[2], #ARGV[1])
local max, cap = tonumber(ARGV[2]), tonumber(ARGV[4])
while n > 1 and (n > max or bytes > cap) do
  bytes = redis.call('DECRBY', KEYS[2], #redis.call('LPOP', KEYS[1]))
  n = n - 1
end
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return redis.call('PEXPIRE', KEYS[1], ARGV[3])`;

// ZADD of ARGV[1] at Redis's own time (one clock for every instance, whatever theirs say),
// members not marked within ARGV[2] ms dropped; how many are left. The set expires with them.
const PRESENT = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return redis.call('ZCARD', KEYS[1])`;

// HINCRBY, the hash kept ARGV[3] ms past its latest change; the field's total.
// With ARGV[4], the field ARGV[1]..'@at' raised to it.
const TALLY = `local n = redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2])
if ARGV[4] then
  local at = ARGV[1] .. '@at'
  if tonumber(ARGV[4]) > tonumber(redis.call('HGET', KEYS[1], at) or '0') then
    redis.call('HSET', KEYS[1], at, ARGV[4])
  end
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return n`;

// The hash KEYS[1] set to value ARGV[2] stamped ARGV[1] (empty: now, by Redis's clock) unless
// it holds a later stamp (kept ARGV[3] ms then); without ARGV[2], only read. Answers
// {at, value}, or nothing.
const LATEST = `if ARGV[2] then
  local at = tonumber(ARGV[1])
  if not at then
    local t = redis.call('TIME')
    at = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  end
  if at >= tonumber(redis.call('HGET', KEYS[1], 'at') or '-1') then
    redis.call('HSET', KEYS[1], 'at', string.format('%d', at), 'value', ARGV[2])
    redis.call('PEXPIRE', KEYS[1], ARGV[3])
  end
end
return redis.call('HMGET', KEYS[1], 'at', 'value')`;

// Each field ARGV[2k] of the hash raised to ARGV[2k+1] when it holds less; kept ARGV[1] ms.
const RAISE = `for i = 2, #ARGV, 2 do
  if tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '-1') < tonumber(ARGV[i + 1]) then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  end
end
return redis.call('PEXPIRE', KEYS[1], ARGV[1])`;
/** Fields `raise` sends in one command (a hash of 100,000 goes in 200 round trips). */
const RAISE_BATCH = 500;

/** Redis's refusal of a write at maxmemory, said with what to change. */
function full(message: string): string {
  if (!message.startsWith("OOM")) return message;
  return `Redis is full and refuses every write (${message}): raise its maxmemory or free memory; until it takes writes again each instance counts alone, as while Redis is down`;
}

/** The key counting the bytes of the list `key` (see APPEND). */
const bytesKey = (key: string) => `${key}:bytes`;

/**
 * The cluster link over Bun's built-in Redis client: one connection for commands, one for
 * subscriptions (a subscribed connection takes no other commands). Commands fail fast while
 * Redis is down (no offline queue); a loop reconnects every second and re-subscribes.
 */
export async function createRedisLink(options: RedisLinkOptions): Promise<ClusterLink> {
  const prefix = options.keyPrefix;
  const timeout = options.commandTimeout ?? 1000;
  const clientOptions = {
    enableOfflineQueue: false,
    autoReconnect: false,
    connectionTimeout: 2000,
  };
  const commands = new RedisClient(options.url, clientOptions);
  const subscriber = new RedisClient(options.url, clientOptions);
  const listeners = new Map<string, Set<(message: string) => void>>();
  /** When each channel's first SUBSCRIBE was answered (or failed). */
  const subscribed = new Map<string, Promise<void>>();
  const recovered = new Set<() => void>();
  /** The cluster's relay secret, once read (below). */
  let secret: string | undefined;
  let lastError: string | undefined;
  /** Why Redis refuses this instance (its password), while it does. */
  let refusal: string | undefined;
  let closed = false;
  let retry: ReturnType<typeof setTimeout> | undefined;

  const down = (error: unknown) => {
    const message = full(error instanceof Error ? error.message : String(error));
    // The connection Redis closed because it refused this instance: the refusal says more.
    if (refusal && message === "Connection closed") return;
    if (lastError === undefined) log().warn(`redis unreachable (${message}); serving locally`);
    lastError = message;
  };
  /**
   * A connection Redis closed as it opened: Bun's client says only "Connection closed" when
   * Redis refused the credentials (or database) of the URL. Redis is asked why, and the error
   * says so and names the setting, once (logged as an error: no retry will fix it).
   */
  const refused = async (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    const why = message === "Connection closed" ? await redisRefusal(options.url) : undefined;
    if (!why) return down(error);
    if (refusal !== why) log().error(`${why}; serving locally until Redis accepts this instance`);
    lastError = refusal = why;
  };
  const reconnect = () => {
    if (closed || retry) return;
    retry = setTimeout(async () => {
      retry = undefined;
      try {
        if (!commands.connected) await commands.connect();
        if (!subscriber.connected) {
          await subscriber.connect();
          for (const [channel, set] of listeners) await listen(channel, set);
        }
        // A connection that stayed open is no proof: a Redis that hangs keeps it. It must answer,
        // and take a write: a Redis at maxmemory answers PING and refuses every write (counted
        // back on PING, it was down again at the next write, and every instance reloaded its
        // config each second for as long as Redis stayed full).
        if (lastError !== undefined) {
          await timed("SET", [`${prefix}alive:${options.instanceId}`, "1", "PX", "10000"]);
        }
        const wasDown = lastError !== undefined;
        lastError = refusal = undefined;
        if (wasDown) {
          log().info("redis reachable again; sharing state");
          // A Redis restarted empty has lost the secret: ours goes back. Instances that started
          // while it was down each picked their own: all take the one Redis holds now.
          if (secret) {
            await run("SET", [`${prefix}relay-secret`, secret, "NX"]);
            secret = (await run<string | null>("GET", [`${prefix}relay-secret`])) ?? secret;
          }
          for (const listener of recovered) listener();
        }
      } catch (error) {
        await refused(error);
        reconnect();
      }
    }, 1000);
    retry.unref?.();
  };

  /**
   * `command`, or `undefined` at once while Redis is known to be down: once a command failed or
   * timed out, none waits again until the loop above has seen Redis answer (a Redis that hangs
   * with its connections open would otherwise cost every request a timeout per command).
   */
  async function run<T>(command: string, args: string[]): Promise<T | undefined> {
    if (!commands.connected || lastError !== undefined) {
      reconnect();
      return undefined;
    }
    try {
      return await timed<T>(command, args);
    } catch (error) {
      down(error);
      reconnect();
      return undefined;
    }
  }

  /**
   * `command`, failing after `timeout`. A timer that fires late (synchronous work held the loop
   * past the timeout) waits `LATE_GRACE_MS` more before it counts: the answer may have arrived
   * meanwhile, unread, and the timer ran first (Redis taken for down though it had answered).
   */
  async function timed<T>(command: string, args: string[]): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const started = performance.now();
    try {
      return await Promise.race([
        commands.send(command, args) as Promise<T>,
        new Promise<never>((_, reject) => {
          const expire = (graced: boolean) => {
            if (!graced && performance.now() - started > timeout + LATE_GRACE_MS) {
              timer = setTimeout(() => expire(true), LATE_GRACE_MS);
              return;
            }
            reject(new Error(`${command} timed out`));
          };
          timer = setTimeout(() => expire(false), timeout);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  async function listen(channel: string, set: Set<(message: string) => void>): Promise<void> {
    await subscriber.subscribe(prefix + channel, (message) => {
      for (const listener of set) listener(message);
    });
  }

  try {
    await Promise.all([commands.connect(), subscriber.connect()]);
  } catch (error) {
    // Start anyway: the instance serves locally and joins the cluster once Redis answers.
    await refused(error);
    reconnect();
  }
  // Set after the first connect: a refused one is explained above, not logged as a close first.
  commands.onclose = (error) => {
    if (closed) return;
    down(error ?? "connection closed");
    reconnect();
  };
  subscriber.onclose = commands.onclose;

  // The first instance to start picks the secret; the others read it.
  const offered = crypto.randomUUID();
  await run("SET", [`${prefix}relay-secret`, offered, "NX"]);
  secret = (await run<string | null>("GET", [`${prefix}relay-secret`])) ?? offered;

  return {
    instanceId: options.instanceId,
    url: options.selfUrl,
    get secret() {
      return secret ?? offered;
    },
    get connected() {
      return commands.connected && lastError === undefined;
    },
    async hit(key, by, windowMs, slide = false) {
      const reply = await run<[number, number]>("EVAL", [
        HIT,
        "1",
        prefix + key,
        `${by}`,
        `${windowMs}`,
        slide ? "1" : "0",
      ]);
      return reply ? toCount(reply) : undefined;
    },
    async tally(key, field, by, ttlMs, stamp) {
      const reply = await run<number>("EVAL", [
        TALLY,
        "1",
        prefix + key,
        field,
        `${by}`,
        `${Math.max(1, Math.round(ttlMs))}`,
        ...(stamp === undefined ? [] : [`${Math.round(stamp)}`]),
      ]);
      return reply === undefined ? undefined : Number(reply);
    },
    async raise(key, fields, ttlMs) {
      const ttl = `${Math.max(1, Math.round(ttlMs))}`;
      let batch: string[] = [];
      const send = async () => {
        const sent = await run("EVAL", [RAISE, "1", prefix + key, ttl, ...batch]);
        batch = [];
        return sent !== undefined;
      };
      for (const [field, value] of fields) {
        batch.push(field, `${value}`);
        if (batch.length >= RAISE_BATCH * 2 && !(await send())) return false;
      }
      return batch.length ? send() : true;
    },
    async tallies(key) {
      const reply = await run<string[] | Record<string, string>>("HGETALL", [prefix + key]);
      if (reply === undefined) return undefined;
      const out = new Map<string, number>();
      // RESP2 answers a flat list of field, value; RESP3 a map.
      const pairs = Array.isArray(reply)
        ? reply.flatMap((_, i) => (i % 2 ? [] : [[reply[i]!, reply[i + 1]!] as const]))
        : Object.entries(reply ?? {});
      for (const [field, value] of pairs) out.set(field, Number(value));
      return out;
    },
    async present(key, member, windowMs) {
      const reply = await run<number>("EVAL", [
        PRESENT,
        "1",
        prefix + key,
        member,
        `${Math.max(1, Math.round(windowMs))}`,
      ]);
      return reply === undefined ? undefined : Number(reply);
    },
    async atLeast(key, value, windowMs) {
      const reply = await run<[number, number]>("EVAL", [
        AT_LEAST,
        "1",
        prefix + key,
        `${Math.round(value)}`,
        `${Math.max(1, Math.round(windowMs))}`,
      ]);
      return reply ? toCount(reply) : undefined;
    },
    async peek(key) {
      const [count, ttl] = await Promise.all([
        run<string | null>("GET", [prefix + key]),
        run<number>("PTTL", [prefix + key]),
      ]);
      if (ttl === undefined || count === undefined) return undefined;
      return { count: Number(count ?? 0), resetMs: Math.max(0, ttl) };
    },
    async get(key) {
      return (await run<string | null>("GET", [prefix + key])) ?? undefined;
    },
    async set(key, value, ttlMs) {
      return (
        (await run("SET", [prefix + key, value, "PX", `${Math.max(1, Math.round(ttlMs))}`])) !==
        undefined
      );
    },
    async claim(key, value, ttlMs) {
      const ms = `${Math.max(1, Math.round(ttlMs))}`;
      return (await run<string | null>("EVAL", [CLAIM, "1", prefix + key, value, ms])) ?? undefined;
    },
    async del(key) {
      await run("DEL", [prefix + key, bytesKey(prefix + key)]);
    },
    async append(key, value, max, ttlMs, maxBytes = Number.MAX_SAFE_INTEGER) {
      const args = [
        APPEND,
        "2",
        prefix + key,
        bytesKey(prefix + key),
        value,
        `${max}`,
        `${Math.round(ttlMs)}`,
        `${maxBytes}`,
      ];
      return (await run("EVAL", args)) !== undefined;
    },
    async latest(key, entry, ttlMs = 1) {
      const args = entry
        ? [
            entry.at === undefined ? "" : `${Math.round(entry.at)}`,
            entry.value,
            `${Math.max(1, Math.round(ttlMs))}`,
          ]
        : [];
      const reply = await run<[string | null, string | null]>("EVAL", [
        LATEST,
        "1",
        prefix + key,
        ...args,
      ]);
      if (reply === undefined) return undefined;
      const [at, value] = reply;
      return at === null || value === null ? null : { at: Number(at), value };
    },
    async list(key) {
      return run<string[]>("LRANGE", [prefix + key, "0", "-1"]);
    },
    async publish(channel, message) {
      return (await run("PUBLISH", [prefix + channel, message])) !== undefined;
    },
    subscribe(channel, listener) {
      let set = listeners.get(channel);
      if (!set) {
        set = new Set();
        listeners.set(channel, set);
        const done = subscriber.connected ? listen(channel, set).catch(down) : Promise.resolve();
        subscribed.set(channel, done);
      }
      set.add(listener);
      return subscribed.get(channel) ?? Promise.resolve();
    },
    onReconnect(listener) {
      recovered.add(listener);
    },
    status(): ClusterStatus {
      const up = commands.connected && lastError === undefined;
      return {
        instance: options.instanceId,
        redis: up ? "connected" : "down",
        ...(up ? {} : { error: lastError ?? "not connected" }),
      };
    },
    close() {
      closed = true;
      (this as ClusterLink).peerWatch?.close();
      clearTimeout(retry);
      commands.close();
      subscriber.close();
    },
  };
}

function toCount([count, ttl]: [number, number]): WindowCount {
  return { count: Number(count), resetMs: Math.max(0, Number(ttl)) };
}
