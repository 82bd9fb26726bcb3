/**
 * A Redis command whose answer arrived while this process's event loop was busy (a big index
 * built, a synchronous SQLite wait): the command's timer and its answer were both ready when
 * the loop came back, the timer ran first, and the instance took Redis for down ("EVAL timed
 * out"), failing open on replays and rate limits and answering "Session not found" for a while
 * (the cluster tests failed so at load average 15). A timeout now counts only once the loop has
 * read what arrived meanwhile.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ClusterLink } from "../../src/cluster/link.ts";
import { createRedisLink } from "../../src/cluster/redis.ts";
import { type RedisServer, startRedis } from "./_redis.ts";

let redis: RedisServer | undefined;
let link: ClusterLink | undefined;

beforeAll(async () => {
  if (!Bun.which("redis-server")) return;
  redis = await startRedis();
  link = await createRedisLink({
    url: redis.url,
    instanceId: "blocked",
    keyPrefix: `blocked-${process.pid}:`,
    selfUrl: "http://127.0.0.1:1",
    commandTimeout: 100,
  });
});

afterAll(async () => {
  link?.close();
  await redis?.kill();
});

/** Keeps the event loop busy for `ms`, as synchronous work does. */
function block(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {}
}

describe.skipIf(!Bun.which("redis-server"))(
  "a Redis answer that waited on a busy event loop",
  () => {
    test("is read, not timed out: Redis stays up", async () => {
      expect(await link!.set("k", "v", 60_000)).toBe(true);
      for (let round = 0; round < 5; round++) {
        const asked = link!.claim(`c${round}`, "me", 60_000);
        block(300);
        expect(await asked, `round ${round}`).toBe("me");
        expect(link!.connected).toBe(true);
      }
    });
  },
);
