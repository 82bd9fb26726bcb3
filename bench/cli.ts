#!/usr/bin/env bun
/**
 * The commands a shell runs on every keypress of completion, and the other commands that do not
 * start the gateway, on the compiled binary: wall time, CPU time and peak resident memory of each
 * process (the peak from GNU time where there is one, see peakOf).
 * The budget is 30 ms and 40 MB (a command past it is marked), judged on CPU time (user + system
 * of the process): on shared, loaded cores wall time swings with the load, and on an idle machine
 * it is about the CPU time.
 *
 *   bun bench/cli.ts [runs=20] [binary]     (builds the binary into a temporary folder unless given)
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { printTable, summarize } from "./_stats.ts";

const ROOT = join(import.meta.dir, "..");
const RUNS = Number(process.argv[2] ?? 20);
const work = mkdtempSync(join(tmpdir(), "bench-cli-"));
const binary = process.argv[3] ?? join(work, "mcp-gateway");
const BUDGET = { ms: 30, mb: 40 };
const GNU_TIME = "/usr/bin/time";

if (!process.argv[3]) {
  const built = spawnSync(process.execPath, [join(ROOT, "scripts/build.ts"), binary], {
    encoding: "utf8",
  });
  if (built.status !== 0) throw new Error(`build failed: ${built.stderr}`);
}

// A home of its own: a config with one backend and one key, so list and keys list have rows.
const home = join(work, "home");
const configDir = join(home, ".config", "mcp-gateway");
mkdirSync(configDir, { recursive: true });
writeFileSync(
  join(configDir, "gateway.yaml"),
  [
    "backends:",
    "  memory:",
    "    command: npx",
    "    args: [-y, '@modelcontextprotocol/server-memory']",
    "auth:",
    "  api_keys:",
    "    - name: ci",
    `      key: "sha256:${"0".repeat(64)}"`,
    "",
  ].join("\n"),
);
const env = { PATH: process.env.PATH ?? "", HOME: home, XDG_CONFIG_HOME: join(home, ".config") };

const COMMANDS = [
  ["--version"],
  ["--help"],
  ["list", "--help"],
  ["keys", "create", "--help"],
  ["completions", "bash"],
  ["completions", "zsh"],
  ["list", "--quiet"],
  ["list"],
  ["keys", "list"],
  ["config", "export"],
];

/** Wall time and CPU time (user + system, ms) and peak resident memory (MB) of each run. */
function measure(args: string[]): { wall: number[]; cpu: number[]; rss: number[] } {
  const wall: number[] = [];
  const cpu: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < RUNS + 3; i++) {
    const started = performance.now();
    const result = Bun.spawnSync([binary, ...args], { env, stdout: "ignore", stderr: "pipe" });
    const ms = performance.now() - started;
    if (result.exitCode !== 0) {
      throw new Error(`${args.join(" ")} exited ${result.exitCode}: ${result.stderr.toString()}`);
    }
    if (i < 3) continue; // warm-up: the page cache, not the program
    wall.push(ms);
    const usage = result.resourceUsage;
    cpu.push((Number(usage?.cpuTime.user ?? 0) + Number(usage?.cpuTime.system ?? 0)) / 1000);
    rss.push(peakOf(args) ?? Number(usage?.maxRSS ?? 0) / 1024 / 1024); // else bytes
  }
  return { wall, cpu, rss };
}

/**
 * The peak of one more run as GNU time reports it, where there is one. Bun starts a child with
 * vfork, and Linux counts the parent's peak at exec into the child's maxRSS: this process's own
 * 30-34 MB would floor every figure (`--version` read 30 MB, 24 by GNU time, which forks).
 */
function peakOf(args: string[]): number | undefined {
  if (!existsSync(GNU_TIME)) return undefined;
  const report = join(work, "peak.txt");
  const timed = Bun.spawnSync([GNU_TIME, "-f", "%M", "-o", report, binary, ...args], {
    env,
    stdout: "ignore",
    stderr: "ignore",
  });
  if (timed.exitCode !== 0) return undefined;
  return Number(readFileSync(report, "utf8").trim()) / 1024; // KB
}

const rows: (string | number)[][] = [];
for (const args of COMMANDS) {
  const { wall, cpu, rss } = measure(args);
  const time = summarize(wall);
  const work = summarize(cpu);
  const memory = summarize(rss);
  const over = work.p50 > BUDGET.ms || memory.p50 > BUDGET.mb ? "over" : "";
  const row = [`mcp-gateway ${args.join(" ")}`, time.p50, time.p90, work.p50];
  rows.push([...row, memory.p50, over]);
}
console.log(`\nCLI commands on the compiled binary, ${RUNS} runs after 3 warm-up`);
console.log(`(budget: ${BUDGET.ms} ms of CPU and ${BUDGET.mb} MB at p50)\n`);
printTable(["command", "wall p50 ms", "wall p90 ms", "cpu p50 ms", "peak RSS MB", "budget"], rows);
