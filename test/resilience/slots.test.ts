import { describe, expect, test } from "bun:test";
import { Breaker } from "../../src/resilience/breaker.ts";
import { Slots, SlotsFullError, SlotWaitAbortedError } from "../../src/resilience/slots.ts";

/** A task that runs until `end` is called. */
function held() {
  let end!: () => void;
  const done = new Promise<void>((resolve) => {
    end = resolve;
  });
  return { task: () => done.then(() => "held"), end };
}

describe("call slots resized by a reload", () => {
  test("a smaller limit: holders keep their slots, the next call waits until fewer than it run", async () => {
    const slots = new Slots(3, 5);
    const holders = [held(), held(), held()];
    const running = holders.map((h) => slots.execute(h.task));
    slots.resize(1, 5);
    let started = false;
    const next = slots.execute(async () => {
      started = true;
      return "next";
    });
    holders[0]!.end();
    holders[1]!.end();
    await Promise.all(running.slice(0, 2));
    expect(started).toBe(false);
    holders[2]!.end();
    expect(await next).toBe("next");
    expect(await running[2]).toBe("held");
    // Every slot came back: the one slot admits at once.
    expect(slots.free).toBe(true);
  });

  test("a larger limit admits waiting calls at once; the queue bound and an abort still hold", async () => {
    const slots = new Slots(1, 1);
    const first = held();
    const running = slots.execute(first.task);
    const waiting = slots.execute(async () => "waited");
    await expect(slots.execute(async () => "no")).rejects.toBeInstanceOf(SlotsFullError);
    slots.resize(2, 1);
    expect(await waiting).toBe("waited");
    const second = held();
    const other = slots.execute(second.task);
    const gaveUp = new AbortController();
    const queued = slots.execute(async () => "never", gaveUp.signal);
    gaveUp.abort();
    await expect(queued).rejects.toBeInstanceOf(SlotWaitAbortedError);
    first.end();
    second.end();
    await Promise.all([running, other]);
    expect(slots.free).toBe(true);
  });
});

describe("a breaker reconfigured by a reload", () => {
  test("keeps its counts and judges by the new threshold", () => {
    let now = 0;
    const b = new Breaker({
      failureThreshold: 5,
      successThreshold: 1,
      resetTimeout: 10_000,
      now: () => now,
    });
    b.failure(false);
    b.failure(false);
    b.reconfigure({ failureThreshold: 3, successThreshold: 1, resetTimeout: 1000 });
    expect(b.state).toBe("closed");
    b.failure(false);
    expect(b.state).toBe("open");
    // The new reset timeout counts from when it opened.
    now += 1000;
    expect(b.state).toBe("half-open");
  });
});
