import { describe, expect, test } from "bun:test";
import { SessionEventStore } from "../../src/gateway/event-store.ts";

const message = (n: number, size = 10) =>
  ({
    jsonrpc: "2.0",
    method: "notifications/progress",
    params: { n, pad: "x".repeat(size) },
  }) as const;

async function replay(store: SessionEventStore, after: string): Promise<number[]> {
  const seen: number[] = [];
  await store.replayEventsAfter(after, {
    send: async (_id, m) => {
      seen.push((m as unknown as { params: { n: number } }).params.n);
    },
  });
  return seen;
}

describe("session event store", () => {
  test("replays only the lost stream's events after the given id", async () => {
    const store = new SessionEventStore();
    const a1 = await store.storeEvent("a", message(1));
    await store.storeEvent("b", message(2));
    await store.storeEvent("a", message(3));
    expect(await replay(store, a1)).toEqual([3]);
    expect(await store.getStreamIdForEventId(a1)).toBe("a");
  });

  test("is bounded by count and by bytes, oldest first", async () => {
    const byCount = new SessionEventStore(3);
    const first = await byCount.storeEvent("s", message(0));
    for (let i = 1; i < 5; i++) await byCount.storeEvent("s", message(i));
    // The first event was dropped: replaying after it finds nothing to anchor on.
    expect(await replay(byCount, first)).toEqual([]);

    const byBytes = new SessionEventStore(1000, 2000);
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push(await byBytes.storeEvent("s", message(i, 500)));
    // Three 560-byte events fit in 2,000 bytes (7, 8, 9): the oldest kept one anchors a replay,
    // one evicted before it cannot.
    expect(await replay(byBytes, ids[7]!)).toEqual([8, 9]);
    expect(await replay(byBytes, ids[6]!)).toEqual([]);
  });
});
