#!/usr/bin/env bun
/**
 * The floor under bench/memory.ts: bench/_floor.ts (the SDK's server and client, zod, Bun.serve,
 * one stdio child, SQLite, calls forwarded as the passthrough does) compiled as `npm run build`
 * compiles the gateway (minified, bytecode, ESM, split), then measured as bench/memory.ts measures
 * `serve`: RSS when idle, after the first `echo` call, after 2,000 and 15 s later.
 *
 *   bun bench/memory-floor.ts [calls=2000]
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { echoSession, freePort, printTable, waitHttp } from "./_stats.ts";

const ROOT = join(import.meta.dir, "..");
const EVERYTHING = join(ROOT, "node_modules/@modelcontextprotocol/server-everything/dist/index.js");
const CALLS = Number(process.argv[2] ?? 2000);
const work = mkdtempSync(join(tmpdir(), "bench-memory-floor-"));
process.on("exit", () => rmSync(work, { recursive: true, force: true }));

const binary = join(work, "floor");
const build = Bun.spawnSync(
  [
    process.execPath,
    "build",
    "--compile",
    "--minify",
    "--bytecode",
    "--format=esm",
    "--splitting",
    join(import.meta.dir, "_floor.ts"),
    "--outfile",
    binary,
  ],
  { cwd: ROOT, stdout: "ignore", stderr: "inherit" },
);
if (!build.success) throw new Error("bun build of bench/_floor.ts failed");

const port = await freePort();
const floor = Bun.spawn([binary, String(port), Bun.which("node") ?? "node", EVERYTHING], {
  stdout: "ignore",
  stderr: "inherit",
});
const rss = (field = "VmRSS") =>
  Number(
    new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${floor.pid}/status`, "utf8"))?.[1],
  ) / 1024;
const sample = (when: string) => [when, rss(), rss("RssAnon"), rss("RssFile")];
const rows: (string | number)[][] = [];
try {
  await waitHttp(`http://127.0.0.1:${port}/health`);
  await Bun.sleep(2000);
  rows.push(sample("idle, after start"));
  const call = await echoSession(`http://127.0.0.1:${port}/mcp`);
  await call();
  rows.push(sample("after the first call"));
  for (let i = 1; i < CALLS; i++) await call();
  rows.push(sample(`after ${CALLS} calls`));
  await Bun.sleep(15_000);
  rows.push(sample("15 s idle after them"));
} finally {
  floor.kill();
  await floor.exited;
}
const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
console.log(
  `\nthe floor (bench/_floor.ts, compiled), one server-everything over stdio; load average ${load}\n`,
);
printTable(["when", "RSS MiB", "anonymous MiB", "file-backed MiB"], rows);
process.exit(0);
