import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUN, findDeno, ROOT, tempDir } from "../helpers.ts";

// The state seam is SQLite on disk under both runtimes: bun:sqlite under Bun, node:sqlite under
// Deno. The same script writes, reopens and reads back under each.
const SCRIPT = join(ROOT, "test/dist/fixtures/state-roundtrip.ts");
const DENO = findDeno();

const RUNTIMES: [string, string[]][] = [["bun", [BUN]]];
if (DENO) RUNTIMES.push(["deno", [DENO, "run", "--allow-read", "--allow-write", "--allow-env"]]);
else console.warn("state test: no Deno binary in node_modules; checking Bun only");

function roundTrip(runtime: string[], dir: string) {
  const result = Bun.spawnSync([...runtime, SCRIPT, dir], {
    cwd: ROOT,
    env: { PATH: process.env.PATH!, HOME: tempDir(), NO_COLOR: "1" },
  });
  return {
    code: result.exitCode,
    stdout: result.stdout.toString(),
    stderr: result.stderr.toString(),
  };
}

describe.each(RUNTIMES)("state store under %s", (_name, runtime) => {
  test("a tool list written to disk is read back after reopening", () => {
    const dir = join(tempDir(), "state");
    const result = roundTrip(runtime, dir);
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual({
      path: join(dir, "state.db"),
      tools: {
        fingerprint: "fp-1",
        tools: [{ name: "echo", inputSchema: { type: "object" } }],
        updatedAt: 1_700_000_000_000,
      },
      missing: null,
    });
  });

  test("a state folder that cannot be created warns and keeps state in memory", () => {
    // A path through a regular file fails for root too, unlike a read-only folder.
    const blocker = join(tempDir(), "a-file");
    writeFileSync(blocker, "");
    const result = roundTrip(runtime, join(blocker, "state"));
    expect(result.stderr).toContain(`state directory ${join(blocker, "state")} is not usable`);
    expect(result.stderr).toContain("keeping state in memory");
    expect(JSON.parse(result.stdout)).toEqual({ path: null, tools: null, missing: null });
  });
});
