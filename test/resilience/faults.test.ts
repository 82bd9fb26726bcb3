import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  BUN,
  cleanupsAfterAll,
  FIXTURE_SERVER,
  firstText,
  startGateway,
  tempDir,
  waitFor,
} from "../helpers.ts";
import { faultClient } from "./_faults.ts";

const cleanups = cleanupsAfterAll();

/** A gateway with one fixture backend and the given extra YAML, plus a connected client. */
async function setup(backendYaml = "", topYaml = "") {
  const log = join(tempDir(), "fixture.log");
  writeFileSync(log, "");
  const gateway = await startGateway(`
${topYaml}
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
    env: { FIXTURE_LOG: "${log}" }
${backendYaml}
`);
  const { session, invoke, calls } = await faultClient(gateway, "fixture", log, cleanups);
  return { gateway, session, invoke, calls, log };
}

describe("timeouts", () => {
  test("a call past its timeout is a tool error saying so, and is cancelled at the backend", async () => {
    const { invoke, log } = await setup("    timeout: 300ms");
    const started = Date.now();
    const result = await invoke("wait");
    // Not held until the test's own timeout (`wait` never answers); 3 s was tight under load.
    expect(Date.now() - started).toBeLessThan(12_000);
    expect(result.isError).toBe(true);
    expect(firstText(result)).toMatch(/^\[BACKEND_TIMEOUT\] .*after 300ms/);
    await waitFor(() => readFileSync(log, "utf8").includes("cancelled"));
  });

  test("per-tool timeouts override the backend's", async () => {
    const { invoke } = await setup("    timeout: 10s\n    tool_timeouts: { wait: 200ms }");
    const result = await invoke("wait");
    expect(firstText(result)).toContain("after 200ms");
  });

  test("progress keeps a long call alive past its timeout", async () => {
    // 2 s in all against a 1 s timeout, with progress every 250 ms: room for a stall of 750 ms
    // on a loaded machine (a 300 ms timeout with progress every 100 ms failed under CI's load).
    const { invoke } = await setup("    timeout: 1s");
    const result = await invoke("slow", { steps: 8, delayMs: 250 });
    expect(firstText(result)).toBe("done 8");
  });
});

describe("circuit breaker", () => {
  test("opens after failure_threshold failures and answers at once with when it retries", async () => {
    // reset_timeout 5s: the checks of the open breaker below must run before it half-opens, and
    // on a loaded machine two calls and a /health took over a second (1s failed so in CI).
    const { invoke, gateway } = await setup(
      "    timeout: 200ms",
      "failsafe: { circuit_breaker: { failure_threshold: 2, success_threshold: 1, reset_timeout: 5s }, retry: { enabled: false } }",
    );
    // A tool error (isError) is the backend answering: it never opens the breaker.
    for (let i = 0; i < 3; i++) expect((await invoke("fail")).isError).toBe(true);
    expect(gateway.gateway.pool.breakerState("fixture")).toBe("closed");
    await invoke("hang_write");
    await invoke("hang_write");
    // Answered by the gateway, not the backend (which would echo "x"). No wall-clock bound here:
    // 100 ms failed under load, and an echo that reached the backend would be as quick.
    const refused = await invoke("echo", { message: "x" });
    expect(firstText(refused)).toMatch(/^\[CIRCUIT_OPEN\] .*retry in [1-5]s/);
    const health = await (await fetch(`${gateway.url}/health`)).json();
    expect(health.backends.fixture.state).toBe("open");
    expect(health.status).toBe("degraded");
    await waitFor(() => gateway.gateway.pool.breakerState("fixture") === "half-open", 15_000);
    expect(firstText(await invoke("echo", { message: "back" }))).toBe("back");
    expect(gateway.gateway.pool.breakerState("fixture")).toBe("closed");
  });
});

describe("retries", () => {
  test("a read-only tool that timed out is retried and succeeds", async () => {
    const { invoke, calls } = await setup(
      "    timeout: 300ms",
      "failsafe: { retry: { max_attempts: 3, initial_backoff: 10ms } }",
    );
    const result = await invoke("hang_once");
    expect(firstText(result)).toBe("answered");
    expect(calls("hang_once")).toBe(2);
  });

  test("a tool with side effects is never retried once sent", async () => {
    const { invoke, calls } = await setup(
      "    timeout: 200ms",
      "failsafe: { retry: { max_attempts: 3, initial_backoff: 10ms } }",
    );
    const result = await invoke("hang_write");
    expect(firstText(result)).toStartWith("[BACKEND_TIMEOUT]");
    expect(calls("hang_write")).toBe(1);
  });
});

describe("limits", () => {
  test("a full concurrency queue refuses at once with a clear error", async () => {
    const { invoke, gateway } = await setup(
      "    timeout: 10s\n    max_concurrency: 1",
      "failsafe: { concurrency: { queue: 0 } }",
    );
    const first = invoke("slow", { steps: 3, delayMs: 200 });
    // The first holds the slot (a fixed 100 ms sleep let the second in first under load).
    await waitFor(() => gateway.gateway.pool.inFlight() >= 1);
    const second = await invoke("echo", { message: "x" });
    expect(firstText(second)).toMatch(/^\[BACKEND_BUSY\] .*too many calls waiting/);
    expect(firstText(await first)).toBe("done 3");
  });

  test("a call waits in the queue for a free slot", async () => {
    const { invoke } = await setup("    max_concurrency: 1");
    const [a, b] = await Promise.all([
      invoke("slow", { steps: 2, delayMs: 100 }),
      invoke("echo", { message: "queued" }),
    ]);
    expect(firstText(a)).toBe("done 2");
    expect(firstText(b)).toBe("queued");
  });

  test("a rate limit queues first, then refuses with a retry hint", async () => {
    const { invoke } = await setup(
      "",
      "failsafe: { rate_limit: { enabled: true, requests_per_second: 2, burst: 1, max_wait: 300ms } }",
    );
    const results = await Promise.all(
      [1, 2, 3, 4].map((n) => invoke("echo", { message: `m${n}` })),
    );
    const texts = results.map(firstText);
    expect(texts[0]).toBe("m1");
    expect(texts.filter((t) => t.startsWith("[RATE_LIMITED]")).length).toBeGreaterThan(0);
    expect(texts.find((t) => t.startsWith("[RATE_LIMITED]"))).toMatch(/retry in \d+s/);
  });
});

describe("response cache", () => {
  test("read-only results are reused; calls with side effects and errors are not", async () => {
    const { invoke } = await setup();
    expect(firstText(await invoke("counter", { key: "a" }))).toBe("1");
    expect(firstText(await invoke("counter", { key: "a" }))).toBe("1");
    expect(firstText(await invoke("counter", { key: "b" }))).toBe("2");
    expect((await invoke("fail")).isError).toBe(true);
    expect((await invoke("fail")).isError).toBe(true);
  });
});

describe("process supervision", () => {
  test("a crash loop parks the backend as failed with its last stderr", async () => {
    const { invoke, gateway } = await setup(
      "",
      "failsafe: { restart: { initial_backoff: 10ms, crash_limit: 3, crash_window: 1m } }",
    );
    for (let i = 0; i < 3; i++) {
      await invoke("crash");
      await waitFor(() => gateway.gateway.pool.status("fixture")!.state !== "ready");
    }
    const parked = await invoke("echo", { message: "x" });
    expect(firstText(parked)).toMatch(/parked after 3 crashes/);
    const status = gateway.gateway.pool.status("fixture")!;
    expect(status.state).toBe("failed");
    expect(status.error).toContain("fixture on stdio");
  });

  test("a process that exits during a call fails that call and restarts on next use", async () => {
    const { invoke } = await setup();
    const result = await invoke("exit_mid_call");
    expect(result.isError).toBe(true);
    expect(firstText(await invoke("echo", { message: "again" }))).toBe("again");
  });

  test("garbage on stdout is skipped and the call still answers", async () => {
    const { invoke } = await setup();
    expect(firstText(await invoke("garbage"))).toBe("still fine");
    expect(firstText(await invoke("echo", { message: "ok" }))).toBe("ok");
  });

  test("a flood of notifications does not break the call", async () => {
    const { invoke } = await setup();
    expect(firstText(await invoke("flood", { count: 2000 }))).toBe("flooded 2000");
  });

  test("a hung backend (no answer to ping) is restarted", async () => {
    const { invoke, gateway } = await setup(
      "    timeout: 300ms",
      "failsafe: { health_check: { interval: 200ms, timeout: 150ms }, retry: { enabled: false } }",
    );
    const before = firstText(await invoke("pid"));
    // The call times out while the process stays frozen; the health check then restarts it.
    await invoke("freeze", { ms: 3000 });
    await waitFor(() => gateway.gateway.pool.status("fixture")!.error?.includes("hung"), 15_000);
    const after = firstText(await invoke("pid"));
    expect(after).not.toBe(before);
  });
});
