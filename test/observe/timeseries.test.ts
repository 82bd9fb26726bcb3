import { afterAll, describe, expect, test } from "bun:test";
import { loadConfig } from "../../src/config/load.ts";
import { runGateway } from "../../src/gateway/run.ts";
import { createGatewayHooks } from "../../src/hooks.ts";
import { auditHistory, createCallSeries } from "../../src/observe/timeseries.ts";
import { createMemoryStore } from "../../src/state/store.ts";
import { BUN, connectHttp, FIXTURE_SERVER, tempDir, waitFor, writeConfig } from "../helpers.ts";

// The dashboard's time buckets: counts and percentiles from the call hook, per caller, and the
// audit log's last day read back after a restart (a real gateway on a real state database).

describe("createCallSeries", () => {
  const hooks = createGatewayHooks();
  let now = Date.UTC(2026, 11, 7, 12, 0, 30);
  const series = createCallSeries({ hooks, now: () => now });
  afterAll(() => series.close());
  const call = (server: string, caller: string, durationMs: number, isError = false) =>
    hooks.callHook("tool:call:after", {
      server,
      tool: "t",
      caller,
      durationMs,
      result: { content: [], isError },
    });

  test("counts, errors and p50/p99 per minute, within the bins' 10%", async () => {
    for (let ms = 1; ms <= 100; ms++) await call("a", "key:x", ms, ms % 10 === 0);
    const answer = await series.answer("1h");
    expect(answer.bucketMs).toBe(60_000);
    const a = answer.backends.find((backend) => backend.server === "a")!;
    expect(a.points).toHaveLength(60);
    const last = a.points.at(-1)!;
    expect(last).toMatchObject({ calls: 100, errors: 10 });
    expect(Math.abs(last.p50 - 50) / 50).toBeLessThan(0.1);
    expect(Math.abs(last.p99 - 99) / 99).toBeLessThan(0.1);
    expect(a.points.slice(0, -1).every((point) => point.calls === 0)).toBe(true);
  });

  test("a caller sees its own calls; `allow` hides backends", async () => {
    await call("b", "key:y", 5);
    expect((await series.answer("1h", "key:y")).backends.map((b) => [b.server, b.calls])).toEqual([
      ["b", 1],
    ]);
    expect(
      (await series.answer("1h", undefined, (server) => server !== "a")).backends,
    ).toHaveLength(1);
  });

  test("past an hour a minute leaves the hour's chart and stays in the day's", async () => {
    now += 61 * 60_000;
    expect((await series.answer("1h")).backends).toEqual([]);
    const day = await series.answer("24h");
    expect(day.bucketMs).toBe(900_000);
    expect(day.backends.find((b) => b.server === "a")?.calls).toBe(100);
  });
});

test("history is read back a page at a time, past the first page", async () => {
  const store = createMemoryStore();
  const at = Date.now() - 2 * 3_600_000;
  const rows = Array.from({ length: 12_345 }, (_, i) => ({
    at: at + i,
    kind: "call" as const,
    caller: "key:x",
    server: i % 2 ? "a" : "b",
    tool: "t",
    outcome: i % 5 ? ("ok" as const) : ("error" as const),
    latencyMs: 3,
  }));
  store.addAudit(rows);
  const series = createCallSeries({
    hooks: createGatewayHooks(),
    history: auditHistory(store.queryAudit),
  });
  const day = await series.answer("24h");
  series.close();
  expect(day.backends.reduce((sum, backend) => sum + backend.calls, 0)).toBe(12_345);
  expect(day.backends.reduce((sum, backend) => sum + backend.errors, 0)).toBe(2469);
  expect(day.since).toBeLessThan(at);
});

describe("after a restart", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  test("the charts show the calls of the last run, read from the audit log", async () => {
    const file = writeConfig(`state_dir: ${tempDir("mcpgw-series-")}
capabilities: { enabled: false }
backends:
  fx:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
`);
    const start = async () => {
      const running = await runGateway({
        config: loadConfig({ path: file }),
        port: 0,
        watch: false,
      });
      await waitFor(() => running.gateway.index.tools("fx").length);
      return running as typeof running & { url: string };
    };
    const first = await start();
    const session = await connectHttp(first.url);
    for (const message of ["a", "b", "c"]) {
      await session.client.callTool({
        name: "gateway_invoke",
        arguments: { server: "fx", tool: "echo", arguments: { message } },
      });
    }
    await session.close();
    await first.stop();

    const second = await start();
    cleanups.push(() => second.stop());
    const answer = await (await fetch(`${second.url}/api/charts?window=1h`)).json();
    const fx = answer.backends.find((backend: { server: string }) => backend.server === "fx");
    expect(fx.calls).toBe(3);
    expect(answer.since).toBeLessThan(Date.now() - 3_600_000);
  }, 30_000);
});
