import { describe, expect, test } from "bun:test";
import { MetricsRegistry } from "../../src/observe/metrics.ts";
import { checkExposition } from "./_exposition.ts";

describe("metrics registry", () => {
  test("counters and gauges render with HELP, TYPE and labels", () => {
    const registry = new MetricsRegistry();
    const calls = registry.counter("calls_total", "Calls");
    const open = registry.gauge("open", "Open things");
    calls.inc({ server: "a", tool: "x" });
    calls.inc({ server: "a", tool: "x" }, 2);
    calls.inc({ server: "b", tool: "y" });
    open.set({}, 4);
    const text = registry.render();
    checkExposition(text);
    expect(text).toBe(
      [
        "# HELP calls_total Calls",
        "# TYPE calls_total counter",
        'calls_total{server="a",tool="x"} 3',
        'calls_total{server="b",tool="y"} 1',
        "# HELP open Open things",
        "# TYPE open gauge",
        "open 4",
        "",
      ].join("\n"),
    );
  });

  test("histogram buckets are cumulative and end with +Inf, _sum and _count", () => {
    const registry = new MetricsRegistry();
    const latency = registry.histogram("latency_seconds", "Latency", [0.1, 1]);
    for (const value of [0.05, 0.5, 0.5, 3]) latency.observe({ tool: "t" }, value);
    const text = registry.render();
    checkExposition(text);
    expect(text).toContain('latency_seconds_bucket{tool="t",le="0.1"} 1\n');
    expect(text).toContain('latency_seconds_bucket{tool="t",le="1"} 3\n');
    expect(text).toContain('latency_seconds_bucket{tool="t",le="+Inf"} 4\n');
    expect(text).toContain('latency_seconds_sum{tool="t"} 4.05\n');
    expect(text).toContain('latency_seconds_count{tool="t"} 4\n');
  });

  test.each([
    ['say "hi"', 'say \\"hi\\"'],
    ["back\\slash", "back\\\\slash"],
    ["two\nlines", "two\\nlines"],
  ])("label value %p is escaped", (value, escaped) => {
    const registry = new MetricsRegistry();
    registry.counter("c_total", "C").inc({ tool: value });
    const text = registry.render();
    checkExposition(text);
    expect(text).toContain(`c_total{tool="${escaped}"} 1`);
  });

  test("collectors run at each render; reset forgets series that are gone", () => {
    const registry = new MetricsRegistry();
    const state = registry.gauge("state", "State");
    let servers = ["a", "b"];
    registry.onCollect(() => {
      state.reset();
      for (const server of servers) state.set({ server }, 1);
    });
    expect(registry.render()).toContain('state{server="b"} 1');
    servers = ["a"];
    expect(registry.render()).not.toContain('server="b"');
  });

  test("a metric name registered twice or malformed is refused", () => {
    const registry = new MetricsRegistry();
    registry.counter("x_total", "X");
    expect(() => registry.counter("x_total", "X")).toThrow("registered twice");
    expect(() => registry.gauge("bad-name", "B")).toThrow("bad metric name");
  });
});
