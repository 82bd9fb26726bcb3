import { describe, expect, test } from "bun:test";
import { EventBudget, SessionEventStore } from "../../src/gateway/event-store.ts";

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
    // The first event was dropped: a replay after it sends what came after it and is still held.
    expect(await replay(byCount, first)).toEqual([2, 3, 4]);

    const byBytes = new SessionEventStore(1000, 2000);
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push(await byBytes.storeEvent("s", message(i, 500)));
    // Three 560-byte events fit in 2,000 bytes (7, 8, 9): after one evicted before them, all three.
    expect(await replay(byBytes, ids[7]!)).toEqual([8, 9]);
    expect(await replay(byBytes, ids[6]!)).toEqual([7, 8, 9]);
    expect(await replay(byBytes, ids[2]!)).toEqual([7, 8, 9]);
  });

  test("a budget shared by sessions holds their total, trimming the idlest sessions' oldest events first", async () => {
    const budget = new EventBudget(10_000);
    const active = { a: 1, b: 2, c: 3 };
    const stores = Object.fromEntries(
      (["a", "b", "c"] as const).map((name) => [
        name,
        new SessionEventStore(1000, 1024 * 1024, { budget, lastActive: () => active[name] }),
      ]),
    ) as Record<"a" | "b" | "c", SessionEventStore>;
    const ids: Record<string, string[]> = { a: [], b: [], c: [] };
    // 3 sessions x 5 events of ~560 bytes: 8,400 bytes, under the budget.
    for (let i = 0; i < 5; i++) {
      for (const name of ["a", "b", "c"] as const) {
        ids[name]!.push(await stores[name].storeEvent(name, message(i, 500)));
      }
    }
    expect(budget.bytes).toBe(stores.a.size + stores.b.size + stores.c.size);
    const before = budget.bytes;
    // `a` is used again: `b` is now the idlest.
    active.a = 10;
    for (let i = 5; i < 9; i++) await stores.c.storeEvent("c", message(i, 500));
    expect(budget.bytes).toBeLessThanOrEqual(10_000);
    expect(budget.bytes).toBeLessThan(before + 4 * 560);
    // `b` lost its oldest events; `a` (recently used) and `c` (the writer) kept all of theirs.
    expect(stores.b.size).toBeLessThan(5 * 560);
    const kept = await replay(stores.b, ids.b![0]!);
    expect(kept).toEqual([1, 2, 3, 4].slice(4 - kept.length));
    expect(kept.length).toBeLessThan(4);
    expect(await replay(stores.a, ids.a![0]!)).toEqual([1, 2, 3, 4]);
    expect(await replay(stores.c, ids.c![0]!)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // Ending a session takes its bytes out of the total.
    const held = budget.bytes;
    const aBytes = stores.a.size;
    stores.a.clear();
    expect(budget.bytes).toBe(held - aBytes);
  });

  test("a session's own budget still caps it under a shared budget", async () => {
    const budget = new EventBudget(1024 * 1024);
    const store = new SessionEventStore(1000, 2000, { budget, lastActive: () => 0 });
    for (let i = 0; i < 10; i++) await store.storeEvent("s", message(i, 500));
    expect(store.size).toBeLessThanOrEqual(2000);
    expect(budget.bytes).toBe(store.size);
  });
});
