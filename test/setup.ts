/**
 * Preloaded (bunfig.toml) before the first test file: every temporary folder of the run, the
 * tests' own and those of the processes they start with the run's environment, goes under one
 * folder that is removed when the run ends. A run used to leave its folders behind (compiled
 * binaries of 130 MB among them) until the machine's disk was full.
 */
import { afterAll } from "bun:test";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = mkdtempSync(join(tmpdir(), "mcpgw-test-run-"));
process.env.TMPDIR = root;
// A preload's afterAll runs once, after the last file (process "exit" never fires under bun
// test). The removal runs in a process of its own that outlives the run: a run's folder holds
// some 20,000 files, and deleting them inline on a loaded machine once held the run past the
// hook's timeout. `rm` is everywhere the suite runs (Linux, macOS); elsewhere, inline.
afterAll(() => {
  try {
    spawn("rm", ["-rf", root], { detached: true, stdio: "ignore" }).unref();
  } catch {
    rmSync(root, { recursive: true, force: true });
  }
});
