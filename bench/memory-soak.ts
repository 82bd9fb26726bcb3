#!/usr/bin/env bun
/**
 * Is memory flat under load? The gateway runs in this process (one server-everything over stdio,
 * response cache off) while a child process keeps `clients` SDK clients calling
 * `gateway_invoke` `echo` over Streamable HTTP. Every `every` seconds, after a full GC: RSS, the
 * JavaScript heap (`bun:jsc` heapStats) and its object count; at the end the slopes after the
 * first quarter (warm-up: sessions fill their resumability buffers), in MiB per minute. A leak
 * shows in the heap and the object count; RSS alone also moves with the allocator.
 *
 *   bun bench/memory-soak.ts [seconds=300] [clients=50] [every=30]
 */
import { heapStats } from "bun:jsc";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { freePort, printTable, waitHttp } from "./_stats.ts";

const [, , mode, ...rest] = process.argv;

/** The child: `clients` sessions calling until `seconds` have passed. */
async function runClients(url: string, seconds: number, clients: number): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  let ok = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: clients }, async (_, i) => {
      const client = new Client({ name: `soak-${i}`, version: "1" }, { capabilities: {} });
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      while (Date.now() < deadline) {
        const result = await client
          .callTool({
            name: "gateway_invoke",
            arguments: { server: "everything", tool: "echo", arguments: { message: `m${i}` } },
          })
          .catch(() => ({ isError: true }));
        if (result.isError) failed++;
        else ok++;
      }
      await client.close();
    }),
  );
  console.log(`clients: ${ok} calls answered, ${failed} failed`);
}

if (mode === "--clients") {
  await runClients(rest[0]!, Number(rest[1]), Number(rest[2]));
  process.exit(0);
}

const SECONDS = Number(process.argv[2] ?? 300);
const CLIENTS = Number(process.argv[3] ?? 50);
const EVERY = Number(process.argv[4] ?? 30);
const ROOT = join(import.meta.dir, "..");
const EVERYTHING = join(ROOT, "node_modules/@modelcontextprotocol/server-everything/dist/index.js");
const tmp = join(tmpdir(), `bench-memory-soak-${process.pid}`);
writeFileSync(
  `${tmp}.yaml`,
  `cache: { enabled: false }\nbackends:\n  everything:\n    command: ${Bun.which("node") ?? "node"}\n    args: ["${EVERYTHING}", "stdio"]\n`,
);
process.env.XDG_STATE_HOME = `${tmp}-state`;
const { loadConfig } = await import("../src/config/load.ts");
const { runGateway } = await import("../src/gateway/run.ts");
const port = await freePort();
const running = await runGateway({ config: loadConfig({ path: `${tmp}.yaml` }), port });
await waitHttp(`http://127.0.0.1:${port}/health`);

const MiB = (bytes: number) => bytes / 1024 / 1024;
const samples: { t: number; rss: number; heap: number; objects: number }[] = [];
const sample = (t: number) => {
  Bun.gc(true);
  const stats = heapStats();
  samples.push({
    t,
    rss: MiB(process.memoryUsage().rss),
    heap: MiB(stats.heapSize),
    objects: stats.objectCount,
  });
};
sample(0);
const started = Date.now();
const clients = Bun.spawn(
  [
    process.execPath,
    import.meta.path,
    "--clients",
    `http://127.0.0.1:${port}/mcp`,
    String(SECONDS),
    String(CLIENTS),
  ],
  { stdout: "inherit", stderr: "inherit" },
);
const timer = setInterval(() => sample((Date.now() - started) / 1000), EVERY * 1000);
await clients.exited;
clearInterval(timer);
sample((Date.now() - started) / 1000);
await running.stop();
rmSync(`${tmp}.yaml`, { force: true });
rmSync(`${tmp}-state`, { recursive: true, force: true });

/** Least-squares slope per minute of `y` over the samples after the first quarter. */
function slope(y: (s: (typeof samples)[number]) => number): number {
  const warm = samples.filter((s) => s.t >= SECONDS / 4);
  const n = warm.length;
  if (n < 2) return Number.NaN;
  const mx = warm.reduce((sum, s) => sum + s.t, 0) / n;
  const my = warm.reduce((sum, s) => sum + y(s), 0) / n;
  const sxy = warm.reduce((sum, s) => sum + (s.t - mx) * (y(s) - my), 0);
  const sxx = warm.reduce((sum, s) => sum + (s.t - mx) ** 2, 0);
  return (sxy / sxx) * 60;
}
const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
console.log(
  `\n${CLIENTS} clients for ${SECONDS}s, gateway_invoke echo on one server-everything; load average ${load}\n`,
);
printTable(
  ["seconds", "RSS MiB", "JS heap MiB", "objects"],
  samples.map((s) => [s.t.toFixed(0), s.rss, s.heap, String(s.objects)]),
);
console.log("");
printTable(
  ["slope after the first quarter", "per minute"],
  [
    ["RSS (MiB)", slope((s) => s.rss)],
    ["JS heap (MiB)", slope((s) => s.heap)],
    ["objects", slope((s) => s.objects)],
  ],
);
process.exit(0);
