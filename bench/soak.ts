#!/usr/bin/env bun
/**
 * A soak: concurrent clients call through the gateway while one backend's process is killed
 * again and again and a hostile backend answers past its size limit, floods notifications, and
 * crashes leaving children behind. Reports per backend: calls, errors (only the broken one may
 * fail), latency, restarts; and the gateway's RSS slope, orphans seen while it ran, and child
 * processes left after stop (must be 0). Everything runs on loopback.
 *
 *   bun bench/soak.ts [seconds=30] [clients=50]
 *   bun bench/soak.ts --long [clients=50]     # 30 minutes
 */
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { freePort, printTable, spawnGateway, summarize, waitHttp } from "./_stats.ts";

const ROOT = join(import.meta.dir, "..");
const FIXTURE = join(ROOT, "test/fixtures/servers/fixture.ts");
const HOSTILE = join(ROOT, "test/fixtures/servers/hostile.ts");
const BUN = process.execPath;
const LONG = process.argv[2] === "--long";
const SECONDS = LONG ? 1800 : Number(process.argv[2] ?? 30);
const CLIENTS = Number(process.argv[3] ?? 50);
const marker = `soak-${process.pid}`;
const BACKENDS = ["healthy_a", "healthy_b", "broken", "hostile"] as const;
type Backend = (typeof BACKENDS)[number];

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** Pids and parent pids of the processes whose command line contains `pattern`. */
function processes(pattern: string): { pid: number; ppid: number }[] {
  const out = spawnSync("pgrep", ["-f", pattern], { encoding: "utf8" }).stdout;
  return out
    .split("\n")
    .filter(Boolean)
    .map(Number)
    .flatMap((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        return [{ pid, ppid: Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) }];
      } catch {
        return [];
      }
    });
}

/** Least-squares slope of (seconds, MiB) samples, in MiB per hour. */
function slopePerHour(samples: [number, number][]): number {
  const n = samples.length;
  if (n < 2) return Number.NaN;
  const mx = samples.reduce((s, [x]) => s + x, 0) / n;
  const my = samples.reduce((s, [, y]) => s + y, 0) / n;
  const sxy = samples.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = samples.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return (sxy / sxx) * 3600;
}

const port = await freePort();
const config = join(tmpdir(), `soak-${process.pid}.yaml`);
const state = join(tmpdir(), `soak-state-${process.pid}`);
const backend = (name: string, server = FIXTURE, extra = "") =>
  `  ${name}:\n    command: ${BUN}\n    args: ["${server}", "${marker}-${name}"]\n    timeout: 10s\n${extra}`;
writeFileSync(
  config,
  `capabilities: { enabled: false }\nbackends:\n${backend("healthy_a")}${backend("healthy_b")}${backend("broken")}${backend("hostile", HOSTILE, "    max_message_size: 1MiB\n")}failsafe:\n  restart: { initial_backoff: 50ms, crash_limit: 1000 }\n  circuit_breaker: { reset_timeout: 1s, success_threshold: 1 }\n`,
);
const gateway = spawnGateway(config, port, state);
const url = `http://127.0.0.1:${port}`;
await waitHttp(`${url}/health`);
// Wait until every backend has listed its tools.
for (let i = 0; i < 200; i++) {
  const health = (await (await fetch(`${url}/health`)).json()) as {
    backends: Record<string, { tools: number }>;
  };
  if (BACKENDS.every((name) => (health.backends[name]?.tools ?? 0) > 0)) break;
  await Bun.sleep(100);
}
const started = Date.now();
const deadline = started + SECONDS * 1000;
const rss: [number, number][] = [[0, rssMiB(gateway.pid)]];

const latency = Object.fromEntries(BACKENDS.map((b) => [b, [] as number[]])) as Record<
  Backend,
  number[]
>;
const errors = Object.fromEntries(BACKENDS.map((b) => [b, 0])) as Record<Backend, number>;
/** Each backend's process ids seen over the run: more than one means it was restarted. */
const leaders = Object.fromEntries(BACKENDS.map((b) => [b, new Set<number>()])) as Record<
  Backend,
  Set<number>
>;
let kills = 0;
let orphansSeen = 0;
let lastOrphans = new Set<number>();
const orphaned = () =>
  processes(`${marker}-child`)
    .filter(({ ppid }) => ppid === 1)
    .map(({ pid }) => pid);
let hostileRounds = 0;

/** Once a second: kill the broken backend, note each backend's process, count orphans. */
const watcher = (async () => {
  let tick = 0;
  while (Date.now() < deadline) {
    await Bun.sleep(1000);
    tick++;
    for (const name of BACKENDS) {
      for (const { pid, ppid } of processes(`${marker}-${name}`)) {
        if (ppid === gateway.pid) leaders[name].add(pid);
      }
    }
    // A child of the hostile backend's that was re-parented to init and is still there a second
    // later (between a crash and the gateway's reaping there is a moment when it is, briefly).
    const orphans = orphaned();
    orphansSeen = Math.max(orphansSeen, orphans.filter((pid) => lastOrphans.has(pid)).length);
    lastOrphans = new Set(orphans);
    for (const { pid, ppid } of processes(`${marker}-broken`)) {
      if (ppid !== gateway.pid) continue;
      try {
        process.kill(pid, "SIGKILL");
        kills++;
      } catch {}
    }
    if (tick % (LONG ? 30 : 5) === 0)
      rss.push([(Date.now() - started) / 1000, rssMiB(gateway.pid)]);
  }
})();

async function connect(name: string): Promise<Client> {
  const client = new Client({ name, version: "1" }, { capabilities: {} });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`)));
  return client;
}

async function worker(index: number): Promise<void> {
  const client = await connect(`soak-${index}`);
  const servers: Backend[] = ["healthy_a", "healthy_b", "broken"];
  let n = index;
  while (Date.now() < deadline) {
    const target = servers[n++ % servers.length]!;
    const began = performance.now();
    try {
      const result = await client.callTool({
        name: "gateway_invoke",
        arguments: { server: target, tool: "echo", arguments: { message: `m${n}` } },
      });
      if (result.isError) errors[target]++;
      else latency[target].push(performance.now() - began);
    } catch {
      errors[target]++;
    }
  }
  await client.close();
}

/**
 * The hostile backend's rounds: an answer past its 1 MiB limit (must fail alone, with
 * RESULT_TOO_LARGE), a flood of 2,000 log messages, children left by a crash, then an echo.
 */
async function hostile(): Promise<void> {
  const client = await connect("soak-hostile");
  client.setNotificationHandler("notifications/message", () => {});
  const call = async (
    tool: string,
    args: Record<string, unknown>,
    expect: (text: string) => boolean,
  ) => {
    const began = performance.now();
    try {
      const result = await client.callTool(
        { name: "gateway_invoke", arguments: { server: "hostile", tool, arguments: args } },
        { timeout: 60_000 },
      );
      const text = (result.content as { text?: string }[] | undefined)?.[0]?.text ?? "";
      if (!expect(text)) errors.hostile++;
      else latency.hostile.push(performance.now() - began);
    } catch {
      errors.hostile++;
    }
  };
  while (Date.now() < deadline) {
    hostileRounds++;
    await call("big", { bytes: 2 * 1024 * 1024 }, (t) => t.startsWith("[RESULT_TOO_LARGE]"));
    await call("flood", { count: 2000, kind: "log" }, (t) => t === "flooded 2000");
    await call("children", { marker: `${marker}-child` }, (t) => t.includes("session"));
    await call("crash", {}, (t) => t.startsWith("["));
    await call("echo", { message: "back" }, (t) => t === "back");
    await Bun.sleep(1000);
  }
  await client.close();
}

await Promise.all([watcher, hostile(), ...Array.from({ length: CLIENTS }, (_, i) => worker(i))]);
rss.push([(Date.now() - started) / 1000, rssMiB(gateway.pid)]);
// The last round may have ended between `children` and `crash`: those children are not orphans.
await Bun.sleep(1000);
const orphansAtEnd = orphaned().length;
gateway.kill("SIGTERM");
await gateway.exited;
await Bun.sleep(500);
const left = processes(marker).length;
rmSync(config, { force: true });
rmSync(state, { recursive: true, force: true });

console.log(
  `\nsoak: ${CLIENTS} clients for ${SECONDS}s, the "broken" backend killed ${kills} times, ${hostileRounds} hostile rounds\n`,
);
printTable(
  ["backend", "ok calls", "errors", "p50 ms", "p99 ms", "restarts"],
  BACKENDS.map((name) => {
    const s = summarize(latency[name]);
    return [
      name,
      String(s.n),
      String(errors[name]),
      s.p50,
      s.p99,
      String(Math.max(0, leaders[name].size - 1)),
    ];
  }),
);
console.log("");
const warm = rss.filter(([t]) => t >= SECONDS * 0.1);
printTable(
  ["measure", "value"],
  [
    ["errors on healthy backends", String(errors.healthy_a + errors.healthy_b)],
    ["unexpected answers from the hostile backend", String(errors.hostile)],
    ["gateway RSS at start (MiB)", rss[0]![1]],
    ["gateway RSS at end (MiB)", rss.at(-1)![1]],
    ["gateway RSS slope after the first 10% (MiB/hour)", slopePerHour(warm)],
    ["orphans that lasted a second (most at once)", String(orphansSeen)],
    ["orphans at the end", String(orphansAtEnd)],
    ["child processes left after stop", String(left)],
  ],
);
const ok =
  errors.healthy_a + errors.healthy_b + errors.hostile === 0 &&
  left === 0 &&
  orphansAtEnd === 0 &&
  orphansSeen === 0;
process.exit(ok ? 0 : 1);
