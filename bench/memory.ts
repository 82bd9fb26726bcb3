#!/usr/bin/env bun
/**
 * The gateway's memory with one backend (server-everything over stdio), as `serve` runs it: RSS
 * when idle, after the first call, after 2,000 `echo` calls through `/mcp/everything` (a session
 * over Streamable HTTP, response cache off so every call reaches the backend) and 15 s later.
 * Then, in process, what the JavaScript heap holds after the same calls (`bun:jsc` heapStats).
 * `calls` may list checkpoints (`500,2000,5000`): RSS is read at each, and in process the heap
 * after a full collection with the object counts by type that changed since the checkpoint
 * before, which tells what grows without bound from what fills up once.
 *
 *   bun bench/memory.ts [calls=2000] [binary]   # binary: e.g. dist/mcp-gateway (default: source)
 *   bun bench/memory.ts 500,2000,5000 dist/mcp-gateway
 */
import { heapStats } from "bun:jsc";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { echoSession, freePort, printTable, waitHttp } from "./_stats.ts";

const ROOT = join(import.meta.dir, "..");
const EVERYTHING = join(ROOT, "node_modules/@modelcontextprotocol/server-everything/dist/index.js");
const CHECKPOINTS = (process.argv[2] ?? "2000").split(",").map(Number);
const BINARY = process.argv[3];
const tmp = join(tmpdir(), `bench-memory-${process.pid}`);
const MiB = (bytes: number) => bytes / 1024 / 1024;
const config = `${tmp}.yaml`;
writeFileSync(
  config,
  `cache: { enabled: false }\nbackends:\n  everything:\n    command: ${Bun.which("node") ?? "node"}\n    args: ["${EVERYTHING}", "stdio"]\n`,
);
// 1. RSS of `serve` in its own process.
const rows: (string | number)[][] = [];
{
  const port = await freePort();
  const command = BINARY ? [BINARY] : [process.execPath, join(ROOT, "src/main.ts")];
  const gateway = Bun.spawn(
    [...command, "serve", "--config", config, "--port", String(port), "--log-level", "error"],
    {
      stdout: "ignore",
      stderr: "inherit",
      env: { ...process.env, XDG_STATE_HOME: `${tmp}-state` },
    },
  );
  const status = () => readFileSync(`/proc/${gateway.pid}/status`, "utf8");
  const rss = (field = "VmRSS") =>
    Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status())?.[1]) / 1024;
  try {
    await waitHttp(`http://127.0.0.1:${port}/health`);
    await Bun.sleep(2000);
    rows.push(["idle, after start", rss(), rss("RssAnon"), rss("RssFile")]);
    const call = await echoSession(`http://127.0.0.1:${port}/mcp/everything`);
    await call();
    rows.push(["after the first call", rss(), rss("RssAnon"), rss("RssFile")]);
    let done = 1;
    for (const checkpoint of CHECKPOINTS) {
      for (; done < checkpoint; done++) await call();
      rows.push([`after ${checkpoint} calls`, rss(), rss("RssAnon"), rss("RssFile")]);
    }
    // What the collector and the allocators give back once the calls stop.
    await Bun.sleep(15_000);
    rows.push(["15 s idle after them", rss(), rss("RssAnon"), rss("RssFile")]);
  } finally {
    gateway.kill();
    await gateway.exited;
  }
}
const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
console.log(
  `\nmcp-gateway serve (${BINARY ?? "from source"}), one server-everything over stdio; load average ${load}\n`,
);
printTable(["when", "RSS MiB", "anonymous MiB", "file-backed MiB"], rows);

// 2. The JavaScript heap, with the gateway in this process.
{
  const { loadConfig } = await import("../src/config/load.ts");
  const { runGateway } = await import("../src/gateway/run.ts");
  const port = await freePort();
  process.env.XDG_STATE_HOME = `${tmp}-state-heap`;
  const running = await runGateway({ config: loadConfig({ path: config }), port });
  await waitHttp(`http://127.0.0.1:${port}/health`);
  const call = await echoSession(`http://127.0.0.1:${port}/mcp/everything`);
  let before: Record<string, number> | undefined;
  let done = 0;
  for (const checkpoint of [0, ...CHECKPOINTS]) {
    for (; done < checkpoint; done++) await call();
    Bun.gc(true);
    const stats = heapStats();
    const counts = stats.objectTypeCounts as Record<string, number>;
    console.log(
      `\nin process after ${checkpoint} calls: JS heap ${MiB(stats.heapSize).toFixed(1)} MiB (+${MiB(stats.extraMemorySize).toFixed(1)} MiB outside it), ${stats.objectCount} objects`,
    );
    if (before) {
      const previous = before;
      const changed = Object.entries(counts)
        .map(([type, count]) => [type, count - (previous[type] ?? 0)] as const)
        .filter(([, delta]) => delta !== 0)
        .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))
        .slice(0, 8);
      console.log(
        `  changed since: ${changed.map(([t, d]) => `${t} ${d > 0 ? "+" : ""}${d}`).join(", ")}`,
      );
    }
    before = { ...counts };
  }
  console.log("\nthe most common at the end:\n");
  const top = Object.entries(before ?? {})
    .sort((a, b) => b[1] - a[1])
    .slice(0, 10);
  printTable(
    ["type", "count"],
    top.map(([type, count]) => [type, String(count)]),
  );
  await running.stop();
}
rmSync(config, { force: true });
rmSync(`${tmp}-state`, { recursive: true, force: true });
rmSync(`${tmp}-state-heap`, { recursive: true, force: true });
process.exit(0);
