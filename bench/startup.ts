#!/usr/bin/env bun
/**
 * `mcp-gateway --version` on the compiled binary against a bare compiled Bun program that prints
 * one line: what the gateway's own start-up costs above the runtime's floor.
 *
 *   bun bench/startup.ts [runs=40]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { printTable, summarize } from "./_stats.ts";

const ROOT = join(import.meta.dir, "..");
const RUNS = Number(process.argv[2] ?? 40);
const work = mkdtempSync(join(tmpdir(), "bench-startup-"));
const gateway = join(work, "mcp-gateway");
const bare = join(work, "bare");

function run(command: string[]): void {
  const result = spawnSync(command[0]!, command.slice(1), { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${command.join(" ")} failed: ${result.stderr}`);
}

run([process.execPath, join(ROOT, "scripts/build.ts"), gateway]);
writeFileSync(join(work, "bare.ts"), 'console.log("bare 0.0.0");\n');
run([process.execPath, "build", "--compile", "--minify", join(work, "bare.ts"), "--outfile", bare]);

/** Wall time and CPU time (user + system, from the child's resource usage) of each run, in ms. */
function time(command: string[]): { wall: number[]; cpu: number[] } {
  for (let i = 0; i < 5; i++) run(command);
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const result = Bun.spawnSync(command, { stdout: "ignore", stderr: "ignore" });
    wall.push(performance.now() - started);
    const usage = result.resourceUsage?.cpuTime;
    if (usage) cpu.push((Number(usage.user) + Number(usage.system)) / 1000);
  }
  return { wall, cpu };
}

const gatewayRuns = time([gateway, "--version"]);
const bareRuns = time([bare]);
const rows: (string | number)[][] = [];
for (const [label, pick] of [
  ["wall", (r: { wall: number[] }) => r.wall],
  ["cpu", (r: { cpu: number[] }) => r.cpu],
] as const) {
  const g = summarize(pick(gatewayRuns));
  const b = summarize(pick(bareRuns));
  rows.push([`mcp-gateway --version (${label})`, g.p50, g.p90, g.p99]);
  rows.push([`bare compiled Bun program (${label})`, b.p50, b.p90, b.p99]);
  rows.push([`difference (${label})`, g.p50 - b.p50, g.p90 - b.p90, g.p99 - b.p99]);
}
console.log(`\nstart-up, ${RUNS} runs after 5 warm-up (ms; cpu = user + system of the process)\n`);
printTable(["program", "p50", "p90", "p99"], rows);
