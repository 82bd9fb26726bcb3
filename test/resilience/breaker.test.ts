import { describe, expect, test } from "bun:test";
import { Breaker } from "../../src/resilience/breaker.ts";

function breaker(extra: Partial<ConstructorParameters<typeof Breaker>[0]> = {}) {
  let now = 0;
  const b = new Breaker({
    failureThreshold: 3,
    successThreshold: 2,
    resetTimeout: 1000,
    now: () => now,
    ...extra,
  });
  return { b, advance: (ms: number) => (now += ms) };
}

describe("circuit breaker", () => {
  test("opens after consecutive failures; a success in between starts the count again", () => {
    const { b } = breaker();
    b.failure(false);
    b.failure(false);
    b.success(false);
    b.failure(false);
    b.failure(false);
    expect(b.state).toBe("closed");
    b.failure(false);
    expect(b.state).toBe("open");
    expect(b.admit()).toEqual({ ok: false, retryInMs: 1000 });
  });

  test("half-open lets one probe through at a time and closes after success_threshold successes", () => {
    const { b, advance } = breaker();
    for (let i = 0; i < 3; i++) b.failure(false);
    advance(1000);
    expect(b.state).toBe("half-open");
    const probe = b.admit();
    expect(probe).toEqual({ ok: true, probe: true });
    expect(b.admit().ok).toBe(false);
    b.success(true);
    expect(b.state).toBe("half-open");
    expect(b.admit().ok).toBe(true);
    b.success(true);
    expect(b.state).toBe("closed");
  });

  test("a failed probe opens it again for a full reset_timeout", () => {
    const { b, advance } = breaker();
    for (let i = 0; i < 3; i++) b.failure(false);
    advance(1000);
    b.admit();
    b.failure(true);
    expect(b.state).toBe("open");
    advance(999);
    expect(b.state).toBe("open");
    advance(1);
    expect(b.state).toBe("half-open");
  });

  test("with failure_rate, a high share of failures opens it even without a consecutive run", () => {
    const { b } = breaker({
      failureThreshold: 100,
      failureRate: 0.5,
      minCalls: 10,
      windowSize: 10,
    });
    for (let i = 0; i < 4; i++) {
      b.failure(false);
      b.success(false);
    }
    expect(b.state).toBe("closed");
    b.failure(false);
    expect(b.state).toBe("closed");
    b.failure(false);
    expect(b.state).toBe("open");
  });
});
