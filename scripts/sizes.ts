#!/usr/bin/env bun
/**
 * Prints the size of every release binary in dist/ next to the bare Bun runtime it was compiled
 * from, as a Markdown table for docs/BENCHMARKS.md. Run `npm run build:all` first.
 *
 *   bun scripts/sizes.ts
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { assetName, resolveRuntime, TARGETS } from "./targets.ts";

const root = join(import.meta.dir, "..");
const cache =
  process.env.MCP_GATEWAY_RUNTIME_CACHE || join(root, "node_modules", ".cache", "bun-runtimes");
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

const rows: string[] = [];
for (const target of TARGETS) {
  const binary = join(root, "dist", assetName(target));
  if (!existsSync(binary)) {
    console.error(`${binary} is missing; run npm run build:all first`);
    process.exit(1);
  }
  const size = statSync(binary).size;
  const runtime = statSync(resolveRuntime(root, target, cache)).size;
  const added = size - runtime;
  rows.push(
    `| ${assetName(target)} | ${mib(size)} MiB | ${mib(runtime)} MiB | ${added >= 0 ? "+" : ""}${mib(added)} MiB (${((added / runtime) * 100).toFixed(1)}%) |`,
  );
}
console.log("| binary | size | bare Bun runtime | difference |");
console.log("|---|---:|---:|---:|");
for (const row of rows) console.log(row);
