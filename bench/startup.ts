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

function time(command: string[]): number[] {
  for (let i = 0; i < 5; i++) run(command);
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    run(command);
    samples.push(performance.now() - started);
  }
  return samples;
}

const gatewayTimes = summarize(time([gateway, "--version"]));
const bareTimes = summarize(time([bare]));
console.log(`\nstart-up, ${RUNS} runs after 5 warm-up (ms)\n`);
printTable(
  ["program", "p50", "p90", "p99"],
  [
    ["mcp-gateway --version", gatewayTimes.p50, gatewayTimes.p90, gatewayTimes.p99],
    ["bare compiled Bun program", bareTimes.p50, bareTimes.p90, bareTimes.p99],
    [
      "difference",
      gatewayTimes.p50 - bareTimes.p50,
      gatewayTimes.p90 - bareTimes.p90,
      gatewayTimes.p99 - bareTimes.p99,
    ],
  ],
);
