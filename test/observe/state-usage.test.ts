import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { createMemoryStore, type StateStore } from "../../src/state/store.ts";
import { BUN, findDeno, ROOT, tempDir } from "../helpers.ts";

// Usage rows go through the state seam: bun:sqlite under Bun, node:sqlite under Deno, or memory.
const SCRIPT = join(ROOT, "test/observe/fixtures/usage-roundtrip.ts");
const DENO = findDeno();

const RUNTIMES: [string, string[]][] = [["bun", [BUN]]];
if (DENO) RUNTIMES.push(["deno", [DENO, "run", "--allow-read", "--allow-write", "--allow-env"]]);
else console.warn("usage state test: no Deno binary in node_modules; checking Bun only");

const EXPECTED = [
  {
    server: "fx",
    tool: "echo",
    caller: "local",
    calls: 3,
    errors: 1,
    totalMs: 15,
    lastAt: 2000,
    // An older row added later does not replace the newer error.
    lastError: "[TOOL_ERROR] boom",
  },
  { server: "fx", tool: "echo", caller: "key:ci", calls: 1, errors: 0, totalMs: 1, lastAt: 3000 },
];

const byCaller = (a: { caller: string }, b: { caller: string }) => a.caller.localeCompare(b.caller);

describe.each(RUNTIMES)("usage rows in SQLite under %s", (_name, runtime) => {
  test("are summed per tool and caller, and read back after reopening", () => {
    const result = Bun.spawnSync([...runtime, SCRIPT, join(tempDir(), "state")], {
      cwd: ROOT,
      env: { PATH: process.env.PATH!, HOME: tempDir(), NO_COLOR: "1" },
    });
    expect(result.stderr.toString()).toBe("");
    const rows = JSON.parse(result.stdout.toString()) as { caller: string }[];
    expect(rows.sort(byCaller)).toEqual([...EXPECTED].sort(byCaller));
  });
});

test("the memory store sums usage rows the same way", () => {
  const store: StateStore = createMemoryStore();
  const row = { server: "fx", tool: "echo", caller: "local", calls: 2, errors: 1, totalMs: 10 };
  store.addUsage([{ ...row, lastAt: 2000, lastError: "[TOOL_ERROR] boom" }]);
  store.addUsage([
    { ...row, calls: 1, errors: 0, totalMs: 5, lastAt: 1000, lastError: "older" },
    { ...row, caller: "key:ci", calls: 1, errors: 0, totalMs: 1, lastAt: 3000 },
  ]);
  expect(store.loadUsage().sort(byCaller)).toEqual([...EXPECTED].sort(byCaller));
});
