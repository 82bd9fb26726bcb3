/**
 * Hot reload of `failsafe` and `cache` × calls in flight × sessions that stay connected. They
 * were restart-only: an operator who raised a limit or turned retries off during an incident
 * had to restart and lose every session. Now a reload applies them at once: calls already
 * admitted finish under the settings they started with, new calls use the new ones; a breaker
 * keeps its state and counts and judges by the new thresholds; calls holding slots keep them
 * while the new limit governs the next admissions; a cache turned off serves nothing it held.
 * The backends' own config never changes here, so none is replaced: what applies is the reload.
 */
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import {
  BUN,
  type ConnectedClient,
  cleanupsAfterAll,
  connectHttp,
  FIXTURE_SERVER,
  firstText,
  startFromFile,
  waitFor,
  writeConfig,
} from "../helpers.ts";

setDefaultTimeout(60_000);
const cleanups = cleanupsAfterAll();
let file: string;
let gateway: Awaited<ReturnType<typeof startFromFile>>;
let sessions: ConnectedClient[];

const backend = (name: string, extra = "") =>
  `  ${name}:\n    command: ${BUN}\n    args: ["${FIXTURE_SERVER}"]\n${extra}`;

/** The failsafe and cache in force; each test changes some and reloads. */
const settings = {
  failsafe: {
    circuit_breaker: { failure_threshold: 5, success_threshold: 1, reset_timeout: "60s" },
    retry: { enabled: true, max_attempts: 2, initial_backoff: "10ms" },
    concurrency: { limit: 4, queue: 0, queue_timeout: "1s" },
  },
  cache: { enabled: true, default_ttl: "60s" },
};

// JSON is YAML: the settings are written as they are.
const config = () => `
capabilities: { enabled: false }
failsafe: ${JSON.stringify(settings.failsafe)}
cache: ${JSON.stringify(settings.cache)}
backends:
${backend("flaky", "    timeout: 300ms\n")}${backend("held")}${backend("queued", "    max_concurrency: 1\n")}${backend("cached")}${backend("retried", "    timeout: 300ms\n")}`;

beforeAll(async () => {
  file = writeConfig(config());
  gateway = await startFromFile(file);
  cleanups.push(() => gateway.stop());
  for (const name of ["flaky", "held", "queued", "cached", "retried"]) {
    await waitFor(() => gateway.gateway.index.tools(name).length > 0, 20_000);
  }
  sessions = await Promise.all([connectHttp(gateway.url), connectHttp(gateway.url)]);
  for (const session of sessions) cleanups.push(session.close);
}, 60_000);

/** Writes the settings and reloads; none of them waits for a restart. */
async function reload(): Promise<void> {
  writeFileSync(file, config());
  const response = await fetch(`${gateway.url}/api/reload`, { method: "POST" });
  expect(response.status).toBe(200);
  const summary = (await response.json()) as { restartRequired: string[]; changed: string[] };
  expect(summary.restartRequired).toEqual([]);
  expect(summary.changed).toEqual([]);
}

const call = (
  session: ConnectedClient,
  server: string,
  tool: string,
  args: Record<string, unknown> = {},
) =>
  session.client
    .callTool({ name: "gateway_invoke", arguments: { server, tool, arguments: args } })
    .then(firstText);

/** A call that runs `ms` on the backend (`slow`, one step). */
const slow = (session: ConnectedClient, server: string, ms: number) =>
  call(session, server, "slow", { steps: 1, delayMs: ms });

describe("a reload of failsafe", () => {
  test("a lower failure threshold opens the breaker sooner, with the failures counted before", async () => {
    const [alice, bob] = sessions as [ConnectedClient, ConnectedClient];
    // One timeout under a threshold of 5: still closed.
    expect(await slow(alice, "flaky", 2000)).toStartWith("[BACKEND_TIMEOUT]");
    expect(gateway.gateway.pool.breakerState("flaky")).toBe("closed");
    settings.failsafe.circuit_breaker.failure_threshold = 2;
    await reload();
    // The count survived the reload: the second timeout reaches the new threshold.
    expect(await slow(alice, "flaky", 2000)).toStartWith("[BACKEND_TIMEOUT]");
    expect(gateway.gateway.pool.breakerState("flaky")).toBe("open");
    // Open for every session.
    expect(await call(bob, "flaky", "echo", { message: "hi" })).toStartWith("[CIRCUIT_OPEN]");
    // A reload that leaves the breaker's settings alone leaves it open.
    settings.failsafe.retry.initial_backoff = "20ms";
    await reload();
    expect(gateway.gateway.pool.breakerState("flaky")).toBe("open");
    // A shorter reset timeout counts from when it opened: a probe goes through at once.
    settings.failsafe.circuit_breaker.reset_timeout = "100ms";
    await reload();
    await Bun.sleep(150);
    expect(await call(bob, "flaky", "echo", { message: "back" })).toBe("back");
    expect(gateway.gateway.pool.breakerState("flaky")).toBe("closed");
  });

  test("a smaller concurrency limit: calls holding slots finish, the next are held to it", async () => {
    const [alice, bob] = sessions as [ConnectedClient, ConnectedClient];
    // Long enough that a loaded machine reloads and calls while they still run (1.5 s was not).
    const holders = [1, 2, 3].map(() => slow(alice, "held", 5000));
    await waitFor(() => gateway.gateway.pool.inFlight() >= 3);
    settings.failsafe.concurrency = { limit: 1, queue: 0, queue_timeout: "1s" };
    await reload();
    // Three run where one may now: the next call is refused at once...
    expect(await call(bob, "held", "echo", { message: "x" })).toStartWith("[BACKEND_BUSY]");
    // ...while the three finish.
    expect(await Promise.all(holders)).toEqual(["done 1", "done 1", "done 1"]);
    // No slot leaked, and the limit of one holds.
    expect(await call(bob, "held", "echo", { message: "free" })).toBe("free");
    const one = slow(alice, "held", 3000);
    await waitFor(() => gateway.gateway.pool.inFlight() >= 1);
    expect(await call(bob, "held", "echo", { message: "x" })).toStartWith("[BACKEND_BUSY]");
    expect(await one).toBe("done 1");
    // A larger limit lets calls run side by side again.
    settings.failsafe.concurrency = { limit: 4, queue: 0, queue_timeout: "1s" };
    await reload();
    const both = [slow(alice, "held", 500), call(bob, "held", "echo", { message: "beside" })];
    expect(await Promise.all(both)).toEqual(["done 1", "beside"]);
  });

  test("a waiting call keeps its queue timeout; one queued after the reload waits longer", async () => {
    const [alice, bob] = sessions as [ConnectedClient, ConnectedClient];
    settings.failsafe.concurrency = { limit: 4, queue: 5, queue_timeout: "1s" };
    await reload();
    // `queued` has max_concurrency 1: the holder takes its only slot.
    const holder = slow(alice, "queued", 3000);
    await waitFor(() => gateway.gateway.pool.inFlight() >= 1);
    const before = Date.now();
    const early = call(bob, "queued", "echo", { message: "early" });
    // Queued before the reload (a fixed 200 ms let a loaded machine reload first).
    await waitFor(() => gateway.gateway.pool.inFlight() >= 2);
    // A larger failsafe limit does not override the backend's own max_concurrency.
    settings.failsafe.concurrency = { limit: 8, queue: 5, queue_timeout: "10s" };
    await reload();
    const late = call(bob, "queued", "echo", { message: "late" });
    // The call that was waiting before the reload gives up after its own 1s (with the new
    // 10s it would have had the slot when the 3s holder ended, and answered)...
    expect(await early).toStartWith("[BACKEND_BUSY]");
    // ...the one queued after it waits for the slot (the holder's end), up to 10s.
    expect(await late).toBe("late");
    expect(await holder).toBe("done 1");
    expect(Date.now() - before).toBeGreaterThanOrEqual(2500);
  });

  test("retries turned off apply to the next call", async () => {
    const [alice] = sessions as [ConnectedClient];
    settings.failsafe.retry.enabled = false;
    await reload();
    // `hang_once` (read-only) hangs on its first call: retried, its second attempt answered.
    expect(await call(alice, "retried", "hang_once")).toStartWith("[BACKEND_TIMEOUT]");
    settings.failsafe.retry.enabled = true;
    await reload();
    expect(await call(alice, "retried", "hang_once")).toBe("answered");
  });
});

describe("a reload of cache", () => {
  test("turning the cache off stops serving what it held; on again, it caches anew", async () => {
    const [alice, bob] = sessions as [ConnectedClient, ConnectedClient];
    const counter = (session: ConnectedClient, key: string) =>
      call(session, "cached", "counter", { key });
    const first = await counter(alice, "k");
    expect(await counter(bob, "k")).toBe(first);
    settings.cache.enabled = false;
    await reload();
    const fresh = await counter(bob, "k");
    expect(fresh).not.toBe(first);
    expect(await counter(alice, "k")).not.toBe(fresh);
    // On again with a short TTL: cached for it, then asked again. (300 ms let a loaded machine
    // see the entry expire between the two calls.)
    settings.cache = { enabled: true, default_ttl: "3s" };
    await reload();
    const again = await counter(alice, "k");
    expect(await counter(bob, "k")).toBe(again);
    await waitFor(async () => (await counter(bob, "k")) !== again);
  });
});
