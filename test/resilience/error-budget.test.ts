import { afterEach, describe, expect, setSystemTime, test } from "bun:test";
import { ErrorBudget, KillSwitch } from "../../src/resilience/kill-switch.ts";

const config = {
  enabled: true,
  threshold: 0.5,
  window_size: 4,
  window: 10_000,
  min_calls: 4,
  cooldown: 60_000,
};
const ok = { server: "s", result: { content: [] } };
const failed = { server: "s", error: new Error("boom") };

afterEach(() => setSystemTime());

describe("error budget windows", () => {
  test("only the last window_size calls count: old failures leave the window", () => {
    const kill = new KillSwitch();
    const budget = new ErrorBudget(kill, () => config);
    setSystemTime(new Date(0));
    budget.record(failed);
    for (let i = 0; i < 4; i++) budget.record(ok);
    // 1 failure of the last 4 kept (the first one left): under the threshold.
    budget.record(failed);
    expect(kill.get("s")).toBeUndefined();
    budget.record(failed);
    // 2 of the last 4 failed: disabled.
    expect(kill.get("s")?.detail).toBe("error budget: 2 of the last 4 calls failed");
  });

  test("calls older than the window do not count", () => {
    const kill = new KillSwitch();
    const budget = new ErrorBudget(kill, () => config);
    setSystemTime(new Date(0));
    budget.record(failed);
    budget.record(failed);
    budget.record(failed);
    setSystemTime(new Date(10_000));
    // The three failures are 10 s old: out of the window, so 1 call is in it (under min_calls).
    budget.record(failed);
    expect(kill.get("s")).toBeUndefined();
    for (let i = 0; i < 3; i++) budget.record(ok);
    expect(kill.get("s")).toBeUndefined();
  });

  test("over a long random run it decides as a plain list of the calls would", () => {
    const settings = { ...config, window_size: 50, min_calls: 10, window: 5_000, threshold: 0.3 };
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const kill = new KillSwitch();
    const budget = new ErrorBudget(kill, () => settings);
    let list: { at: number; failed: boolean }[] = [];
    let now = 0;
    let disabled = 0;
    for (let i = 0; i < 20_000; i++) {
      now += Math.floor(random() * 200);
      setSystemTime(new Date(now));
      const fails = random() < 0.25;
      budget.record(fails ? failed : ok);
      list = list.filter((c) => now - c.at < settings.window);
      list.push({ at: now, failed: fails });
      while (list.length > settings.window_size) list.shift();
      const failures = list.filter((c) => c.failed).length;
      const expected = list.length >= settings.min_calls && failures / list.length >= 0.3;
      expect(kill.get("s") !== undefined).toBe(expected);
      if (expected) {
        expect(kill.get("s")?.detail).toBe(
          `error budget: ${failures} of the last ${list.length} calls failed`,
        );
        kill.enable("s");
        list = [];
        disabled++;
      }
    }
    expect(disabled).toBeGreaterThan(10);
  });
});
