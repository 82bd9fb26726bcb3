#!/usr/bin/env bun
/**
 * A bounded soak: 50 concurrent clients call through the gateway for a fixed time while one
 * backend's process is killed again and again. Reports calls, errors per backend (only the
 * broken one may fail), p99 latency on the healthy ones, the gateway's memory at start and end,
 * and child processes left after stop (must be 0). Everything runs on loopback.
 *
 *   bun bench/soak.ts [seconds=30] [clients=50]
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { freePort, printTable, summarize, waitHttp } from "./_stats.ts";

const ROOT = join(import.meta.dir, "..");
const FIXTURE = join(ROOT, "test/fixtures/servers/fixture.ts");
const BUN = process.execPath;
const SECONDS = Number(process.argv[2] ?? 30);
const CLIENTS = Number(process.argv[3] ?? 50);
const marker = `soak-${process.pid}`;

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

function pids(pattern: string): number[] {
  const out = spawnSync("pgrep", ["-f", pattern], { encoding: "utf8" }).stdout;
  return out.split("\n").filter(Boolean).map(Number);
}

const port = await freePort();
const config = join(tmpdir(), `soak-${process.pid}.yaml`);
const backend = (name: string) =>
  `  ${name}:\n    command: ${BUN}\n    args: ["${FIXTURE}", "${marker}-${name}"]\n    timeout: 10s\n`;
writeFileSync(
  config,
  `backends:\n${backend("healthy_a")}${backend("healthy_b")}${backend("broken")}failsafe:\n  restart: { initial_backoff: 50ms, crash_limit: 1000 }\n  circuit_breaker: { reset_timeout: 1s, success_threshold: 1 }\n`,
);
const gateway = Bun.spawn(
  [
    BUN,
    join(ROOT, "src/main.ts"),
    "serve",
    "--config",
    config,
    "--port",
    String(port),
    "--log-level",
    "error",
  ],
  {
    stdout: "ignore",
    stderr: "ignore",
    env: { ...process.env, XDG_STATE_HOME: join(tmpdir(), `soak-state-${process.pid}`) },
  },
);
const url = `http://127.0.0.1:${port}`;
await waitHttp(`${url}/health`);
// Wait until every backend has listed its tools.
for (let i = 0; i < 200; i++) {
  const health = (await (await fetch(`${url}/health`)).json()) as {
    backends: Record<string, { tools: number }>;
  };
  if (["healthy_a", "healthy_b", "broken"].every((name) => (health.backends[name]?.tools ?? 0) > 0))
    break;
  await Bun.sleep(100);
}
const rssStart = rssMiB(gateway.pid);

const latency: Record<string, number[]> = { healthy_a: [], healthy_b: [], broken: [] };
const errors: Record<string, number> = { healthy_a: 0, healthy_b: 0, broken: 0 };
const deadline = Date.now() + SECONDS * 1000;
let kills = 0;

const killer = (async () => {
  while (Date.now() < deadline) {
    await Bun.sleep(1000);
    for (const pid of pids(`${marker}-broken`)) {
      try {
        process.kill(pid, "SIGKILL");
        kills++;
      } catch {}
    }
  }
})();

async function worker(index: number): Promise<void> {
  const client = new Client({ name: `soak-${index}`, version: "1" }, { capabilities: {} });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`)));
  const servers = ["healthy_a", "healthy_b", "broken"];
  let n = index;
  while (Date.now() < deadline) {
    const target = servers[n++ % servers.length]!;
    const started = performance.now();
    try {
      const result = await client.callTool({
        name: "gateway_invoke",
        arguments: { server: target, tool: "echo", arguments: { message: `m${n}` } },
      });
      if (result.isError) errors[target]!++;
      else latency[target]!.push(performance.now() - started);
    } catch {
      errors[target]!++;
    }
  }
  await client.close();
}

await Promise.all([killer, ...Array.from({ length: CLIENTS }, (_, i) => worker(i))]);
const rssEnd = rssMiB(gateway.pid);
gateway.kill("SIGTERM");
await gateway.exited;
await Bun.sleep(500);
const left = pids(marker).length;

const calls =
  Object.values(latency).reduce((sum, l) => sum + l.length, 0) +
  Object.values(errors).reduce((a, b) => a + b, 0);
console.log(
  `\nsoak: ${CLIENTS} clients for ${SECONDS}s, the "broken" backend killed ${kills} times\n`,
);
printTable(
  ["backend", "ok calls", "errors", "p50 ms", "p99 ms"],
  Object.keys(latency).map((name) => {
    const s = summarize(latency[name]!);
    return [name, String(s.n), String(errors[name]), s.p50, s.p99];
  }),
);
console.log("");
printTable(
  ["measure", "value"],
  [
    ["calls made", String(calls)],
    ["errors on healthy backends", String(errors.healthy_a! + errors.healthy_b!)],
    ["gateway RSS at start (MiB)", rssStart],
    ["gateway RSS at end (MiB)", rssEnd],
    ["child processes left after stop", String(left)],
  ],
);
process.exit(errors.healthy_a! + errors.healthy_b! === 0 && left === 0 ? 0 : 1);
