/**
 * A session's events in Redis are capped by bytes as well as by count: a few large tool
 * results cannot pin more than the session's share, whatever their number.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SharedEventStore } from "../../src/cluster/event-store.ts";
import type { ClusterLink } from "../../src/cluster/link.ts";
import { createRedisLink } from "../../src/cluster/redis.ts";
import { type RedisServer, startRedis } from "./_redis.ts";

let redis: RedisServer;
let link: ClusterLink;

beforeAll(async () => {
  if (!Bun.which("redis-server")) return;
  redis = await startRedis();
  link = await createRedisLink({
    url: redis.url,
    instanceId: "a",
    keyPrefix: `events-${process.pid}:`,
    selfUrl: "http://127.0.0.1:1",
  });
});

afterAll(async () => {
  link?.close();
  await redis?.kill();
});

const message = (text: string) => ({
  jsonrpc: "2.0" as const,
  method: "notifications/message",
  params: { level: "info", data: text },
});

describe.skipIf(!Bun.which("redis-server"))("events in Redis", () => {
  test("a list keeps its newest entries within the byte cap, and counts its bytes", async () => {
    for (let i = 0; i < 10; i++) {
      expect(await link.append("list", `${i}`.repeat(300), 1000, 60_000, 1000)).toBe(true);
    }
    expect(await link.list("list")).toEqual(["777".repeat(100), "8".repeat(300), "9".repeat(300)]);
    expect(await link.get("list:bytes")).toBe("900");
    // An entry larger than the cap alone stays (the newest always does).
    await link.append("list", "x".repeat(2000), 1000, 60_000, 1000);
    expect(await link.list("list")).toEqual(["x".repeat(2000)]);
    await link.del("list");
    expect(await link.get("list:bytes")).toBeUndefined();
  });

  test("a session's event store drops its oldest events past its bytes, and replays the rest", async () => {
    const store = new SharedEventStore(link, () => "events:s1", 60_000, 1000, 4096);
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(await store.storeEvent("s", message("y".repeat(1000))));
    const stored = (await link.list("events:s1")) ?? [];
    expect(stored.length).toBe(3);
    expect(stored.join("").length).toBeLessThanOrEqual(4096);
    const replayed: string[] = [];
    await store.replayEventsAfter(ids[17]!, {
      send: async (id) => {
        replayed.push(id);
      },
    });
    expect(replayed).toEqual([ids[18]!, ids[19]!]);
    store.clear();
  });
});
