#!/usr/bin/env bun
/**
 * Compiles the gateway into one self-contained binary for this machine: `dist/mcp-gateway`.
 * `--minify`, code splitting (so light commands never load the SDK), the version and commit
 * baked in, and no `.env` / `bunfig.toml` read from the user's directory at run time.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import pkg from "../package.json" with { type: "json" };

const root = join(import.meta.dir, "..");
const outfile = process.argv[2] ?? join(root, "dist", "mcp-gateway");

function gitCommit(): string {
  const result = Bun.spawnSync(["git", "rev-parse", "--short=7", "HEAD"], { cwd: root });
  return result.success ? result.stdout.toString().trim() : "unknown";
}

mkdirSync(join(root, "dist"), { recursive: true });
const commit = process.env.MCP_GATEWAY_COMMIT ?? gitCommit();
const args = [
  process.execPath,
  "build",
  "--compile",
  "--minify",
  "--splitting",
  "--sourcemap=none",
  "--no-compile-autoload-dotenv",
  "--no-compile-autoload-bunfig",
  `--define=MCP_GATEWAY_VERSION=${JSON.stringify(pkg.version)}`,
  `--define=MCP_GATEWAY_COMMIT=${JSON.stringify(commit)}`,
  join(root, "src", "main.ts"),
  "--outfile",
  outfile,
];
const started = performance.now();
const result = Bun.spawnSync(args, { cwd: root, stdout: "inherit", stderr: "inherit" });
if (!result.success) {
  console.error(`build failed: ${args.slice(1).join(" ")}`);
  process.exit(1);
}
console.error(`built ${outfile} (${pkg.version}, ${commit}) in ${Math.round(performance.now() - started)} ms`);
