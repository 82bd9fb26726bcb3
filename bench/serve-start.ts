#!/usr/bin/env bun
/**
 * Time from starting `mcp-gateway serve` (the compiled binary) to a `/health` that lists every
 * backend with its tools, with 120 capability files in a capabilities folder (besides the
 * built-in catalog) and 20 stdio backends whose tool lists are cached in the state folder from an
 * earlier run (warm caches: nothing needs spawning to answer). Issue #20's target: 150 ms.
 *
 *   bun bench/serve-start.ts [runs=15] [binary]   (builds the binary unless given)
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, printTable, summarize } from "./_stats.ts";

const ROOT = join(import.meta.dir, "..");
const RUNS = Number(process.argv[2] ?? 15);
const BACKENDS = 20;
const CAPABILITY_FILES = 120;
const work = mkdtempSync(join(tmpdir(), "bench-serve-start-"));
const binary = process.argv[3] ?? join(work, "mcp-gateway");

if (!process.argv[3]) {
  const built = spawnSync(process.execPath, [join(ROOT, "scripts/build.ts"), binary], {
    encoding: "utf8",
  });
  if (built.status !== 0) throw new Error(`build failed: ${built.stderr}`);
}

// 120 capability files: the catalog's own files under new names, cycled.
const capDir = join(work, "capabilities");
mkdirSync(capDir);
const sources = readdirSync(join(ROOT, "capabilities")).filter((file) => file.endsWith(".yaml"));
for (let i = 0; i < CAPABILITY_FILES; i++) {
  const file = sources[i % sources.length]!;
  const name = `${file.replace(/\.yaml$/, "")}_${i}`;
  const text = readFileSync(join(ROOT, "capabilities", file), "utf8").replace(
    /^name: .*$/m,
    `name: ${name}`,
  );
  writeFileSync(join(capDir, `${name}.yaml`), text);
}

const port = await freePort();
const fixture = join(ROOT, "test/fixtures/servers/fixture.ts");
const config = join(work, "gateway.yaml");
writeFileSync(
  config,
  [
    `server: { port: ${port} }`,
    `state_dir: ${join(work, "state")}`,
    `capabilities: { directories: [${capDir}] }`,
    "backends:",
    ...Array.from({ length: BACKENDS }, (_, i) =>
      [`  fx${i}:`, `    command: ${process.execPath}`, `    args: [${fixture}]`].join("\n"),
    ),
    "",
  ].join("\n"),
);

interface Health {
  backends?: Record<string, { state: string; tools: number }>;
}

/** The backends /health lists with a tool count, or -1 while it does not answer. */
async function listed(): Promise<{ backends: number; tools: number } | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health`);
    if (!response.ok) return undefined;
    const health = (await response.json()) as Health;
    const entries = Object.entries(health.backends ?? {}).filter(([name]) => name.startsWith("fx"));
    const ready = entries.filter(([, backend]) => backend.tools > 0);
    const capabilities = health.backends?.capabilities?.tools ?? 0;
    return { backends: ready.length, tools: capabilities };
  } catch {
    return undefined;
  }
}

/**
 * CPU time (user + system, ms) a process has used so far, from /proc (Linux; NaN elsewhere):
 * the steady number on shared, loaded cores, where wall time follows the load.
 */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
    return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return Number.NaN;
  }
}

/** Starts the gateway; resolves with ms until /health lists all backends, and the process. */
async function start(): Promise<{
  ms: number;
  cpu: number;
  proc: Bun.Subprocess;
  capabilityTools: number;
}> {
  const started = performance.now();
  const proc = Bun.spawn([binary, "serve", "--config", config], {
    stdout: "ignore",
    stderr: "ignore",
    env: { ...process.env, NO_COLOR: "1" },
  });
  let first = 0;
  for (;;) {
    const seen = await listed();
    if (seen && !first) {
      first = performance.now() - started;
      if (process.env.DEBUG_START) console.error(`first /health ${first.toFixed(0)} ms`, seen);
    }
    if (seen && seen.backends === BACKENDS) {
      const ms = performance.now() - started;
      return { ms, cpu: cpuMs(proc.pid), proc, capabilityTools: seen.tools };
    }
    if (performance.now() - started > 30_000) {
      proc.kill();
      throw new Error(
        `/health never listed ${BACKENDS} backends with tools (saw ${seen?.backends})`,
      );
    }
    await Bun.sleep(1);
  }
}

async function stop(proc: Bun.Subprocess): Promise<void> {
  proc.kill("SIGTERM");
  await proc.exited;
}

// First run: spawns every backend and caches its tool list (cold).
const cold = await start();
await Bun.sleep(500); // the cache write is batched off the call path
await stop(cold.proc);

const warm: number[] = [];
const cpu: number[] = [];
let capabilityTools = 0;
for (let i = 0; i < RUNS; i++) {
  const run = await start();
  warm.push(run.ms);
  cpu.push(run.cpu);
  capabilityTools = run.capabilityTools;
  await stop(run.proc);
}

console.log(
  `\nStart to a /health listing ${BACKENDS} stdio backends (cached tool lists) and ` +
    `${capabilityTools} capability tools (${CAPABILITY_FILES} files + the built-in catalog), ` +
    `${RUNS} runs; cold first run ${cold.ms.toFixed(0)} ms`,
);
const wall = summarize(warm);
const used = summarize(cpu);
printTable(
  ["start to /health (warm caches)", "p50 ms", "p90 ms", "max ms"],
  [
    ["wall time", wall.p50, wall.p90, Math.max(...warm)],
    ["CPU time of the gateway (10 ms ticks)", used.p50, used.p90, Math.max(...cpu)],
  ],
);
