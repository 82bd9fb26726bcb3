/**
 * Preloaded (bunfig.toml) before the first test file: every temporary folder of the run, the
 * tests' own and those of the processes they start with the run's environment, goes under one
 * folder that is removed when the run ends. A run used to leave its folders behind (compiled
 * binaries of 130 MB among them) until the machine's disk was full.
 */
import { afterAll } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = mkdtempSync(join(tmpdir(), "mcpgw-test-run-"));
process.env.TMPDIR = root;
// A preload's afterAll runs once, after the last file (process "exit" never fires under bun test).
afterAll(() => rmSync(root, { recursive: true, force: true }));
