#!/usr/bin/env bun
/**
 * Compiles the gateway into self-contained binaries.
 *
 *   bun scripts/build.ts                  dist/mcp-gateway for this machine (`npm run build`)
 *   bun scripts/build.ts OUTFILE          the same, written to OUTFILE
 *   bun scripts/build.ts --all            every release target + dist/SHA256SUMS (`npm run build:all`)
 *   bun scripts/build.ts --target NAME    some targets (repeatable) + dist/SHA256SUMS for them
 *   --outdir DIR                          write the matrix somewhere other than dist/
 *
 * Every binary is minified, split into lazily loaded chunks (so light commands never load the SDK),
 * precompiled to bytecode laid out in the order the light commands run it (a first host build is
 * run once to record that order), carries the version and commit, and reads no `.env` or
 * `bunfig.toml` from the user's directory.
 */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import pkg from "../package.json" with { type: "json" };
import { assetName, hostTarget, resolveRuntime, TARGETS, type Target } from "./targets.ts";

const root = join(import.meta.dir, "..");

const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  options: {
    all: { type: "boolean" },
    target: { type: "string", multiple: true },
    outdir: { type: "string" },
  },
  allowPositionals: true,
});
const dist = values.outdir ? resolve(values.outdir) : join(root, "dist");

function gitCommit(): string {
  try {
    const result = Bun.spawnSync(["git", "rev-parse", "--short=7", "HEAD"], { cwd: root });
    return result.success ? result.stdout.toString().trim() : "unknown";
  } catch {
    return "unknown"; // no git at all (a container build without MCP_GATEWAY_COMMIT)
  }
}

const commit = process.env.MCP_GATEWAY_COMMIT?.slice(0, 7) || gitCommit();

/**
 * Runs one `bun build --compile`; `runtime` cross-compiles against another platform's Bun;
 * `order` lists bytecode order files (see `recordOrder`).
 */
function compile(outfile: string, target?: Target, runtime?: string, order: string[] = []): void {
  const args = [
    process.execPath,
    "build",
    "--compile",
    "--minify",
    // Precompiled bytecode: the commands a shell's completion runs on every keypress start in
    // half the CPU time (`list` 77 -> 47 ms, `--help` 15 -> 8 ms; bench/cli.ts) for ~17 MiB more
    // binary. Bytecode with code splitting needs ESM output.
    "--bytecode",
    "--format=esm",
    ...(order.length > 0 ? [`--bytecode-order=${order.join(",")}`] : []),
    "--splitting",
    "--sourcemap=none",
    "--no-compile-autoload-dotenv",
    "--no-compile-autoload-bunfig",
    `--define=MCP_GATEWAY_VERSION=${JSON.stringify(pkg.version)}`,
    `--define=MCP_GATEWAY_COMMIT=${JSON.stringify(commit)}`,
    ...(target ? [`--target=${target.bunTarget}`] : []),
    ...(runtime ? [`--compile-executable-path=${runtime}`] : []),
    join(root, "src", "main.ts"),
    // Code mode's sandbox worker, a second entry point (src/codemode/runner.ts starts it).
    join(root, "src", "codemode", "worker.ts"),
    "--outfile",
    outfile,
  ];
  const started = performance.now();
  const result = Bun.spawnSync(args, { cwd: root, stdout: "ignore", stderr: "inherit" });
  if (!result.success) {
    throw new Error(`build failed: ${args.slice(1).join(" ")}`);
  }
  const ms = Math.round(performance.now() - started);
  const mb = (statSync(outfile).size / 1024 / 1024).toFixed(1);
  console.error(`built ${outfile} (${pkg.version}, ${commit}, ${mb} MiB) in ${ms} ms`);
}

/** Checks that the binary built for this machine answers `--version` with the version and commit. */
function checkVersion(binary: string): void {
  const result = Bun.spawnSync([binary, "--version"]);
  const line = result.stdout.toString().trim();
  if (line !== `mcp-gateway ${pkg.version} (${commit})`) {
    throw new Error(`${binary} --version printed "${line}" (exit ${result.exitCode})`);
  }
}

/**
 * Builds a host binary without an order, runs the commands a shell's completion and a user run
 * most (help, completions, `list`, `keys list`, `config export`) with `BUN_BYTECODE_ORDER_OUT`,
 * then `serve` (see `recordServeOrder`), and returns the order files: the final build lays their functions'
 * bytecode out first and together, so those commands touch fewer pages (`list` peak RSS 60 -> 54
 * MB, `--help` 39 -> 35 MB; bench/cli.ts). The order is by function, not by platform:
 * cross-compiled targets use the host's.
 */
async function recordOrder(work: string): Promise<string[]> {
  const probe = join(work, "probe");
  compile(probe);
  const home = join(work, "home");
  const configDir = join(home, ".config", "mcp-gateway");
  mkdirSync(configDir, { recursive: true });
  writeFileSync(
    join(configDir, "gateway.yaml"),
    "backends:\n  example:\n    command: example-server\nauth:\n  api_keys:\n    - name: ci\n      key: env:CI_KEY\n",
  );
  const runs = [
    ["--help"],
    ["completions", "bash"],
    ["list", "--quiet"],
    ["list"],
    ["keys", "list"],
    ["config", "export"],
  ];
  const light = runs.map((args, index) => {
    const file = join(work, `order-${index}.txt`);
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: home,
      XDG_CONFIG_HOME: join(home, ".config"),
      CI_KEY: "x".repeat(32),
      BUN_BYTECODE_ORDER_OUT: file,
    };
    const result = Bun.spawnSync([probe, ...args], { env, stdout: "ignore", stderr: "pipe" });
    if (!result.success) {
      throw new Error(`${probe} ${args.join(" ")} failed: ${result.stderr.toString()}`);
    }
    return file;
  });
  return [...light, await recordServeOrder(probe, work)];
}

/**
 * Runs `serve` as bench/memory.ts measures it (one stdio backend, scripts/order-backend.ts; a
 * session on its `/mcp/echo` route and some calls) and returns its order file. Recorded last, so
 * the light commands keep their place; with it, `serve` touches 6 MiB less of the binary.
 */
async function recordServeOrder(probe: string, work: string): Promise<string> {
  const file = join(work, "order-serve.txt");
  const config = join(work, "serve.yaml");
  const backend = join(root, "scripts", "order-backend.ts");
  writeFileSync(
    config,
    `backends:\n  echo:\n    command: ${JSON.stringify(process.execPath)}\n    args: [${JSON.stringify(backend)}]\n`,
  );
  const listener = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = listener.port;
  listener.stop(true);
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: join(work, "home"),
    XDG_STATE_HOME: join(work, "state"),
    BUN_BYTECODE_ORDER_OUT: file,
  };
  const args = ["serve", "--config", config, "--port", String(port), "--log-level", "error"];
  const gateway = Bun.spawn([probe, ...args], { env, stdout: "ignore", stderr: "pipe" });
  const base = `http://127.0.0.1:${port}`;
  try {
    for (let tries = 0; !(await fetch(`${base}/health`).catch(() => undefined)); tries++) {
      if (tries === 200) throw new Error(`${probe} serve did not answer /health within 20 s`);
      await Bun.sleep(100);
    }
    let headers: Record<string, string> = {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    };
    const post = async (body: object) => {
      const response = await fetch(`${base}/mcp/echo`, {
        method: "POST",
        headers,
        body: JSON.stringify(body),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${probe} serve answered ${response.status}: ${text}`);
      return { response, text };
    };
    const { response } = await post({
      jsonrpc: "2.0",
      id: 0,
      method: "initialize",
      params: {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "build-order", version: "1" },
      },
    });
    const session = response.headers.get("mcp-session-id") ?? "";
    headers = { ...headers, "mcp-session-id": session, "mcp-protocol-version": "2025-06-18" };
    await post({ jsonrpc: "2.0", method: "notifications/initialized" });
    for (let id = 1; id <= 50; id++) {
      const { text } = await post({
        jsonrpc: "2.0",
        id,
        method: "tools/call",
        params: { name: "echo", arguments: { message: `call ${id}` } },
      });
      if (!text.includes(`call ${id}`)) throw new Error(`${probe} serve: echo answered ${text}`);
    }
  } finally {
    gateway.kill("SIGTERM");
    await gateway.exited;
  }
  if (gateway.exitCode !== 0) {
    const stderr = await new Response(gateway.stderr).text();
    throw new Error(`${probe} serve exited with ${gateway.exitCode}: ${stderr}`);
  }
  return file;
}

function sha256(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

/** Refuses target names that are not release targets, before anything is built. */
function checkTargets(names: string[]): void {
  const unknown = names.filter((name) => !TARGETS.some((t) => t.name === name));
  if (unknown.length > 0) {
    throw new Error(
      `unknown target ${unknown.join(", ")}; choose from ${TARGETS.map((t) => t.name).join(", ")}`,
    );
  }
}

function buildMatrix(names: string[], order: string[]): void {
  const cache =
    process.env.MCP_GATEWAY_RUNTIME_CACHE || join(root, "node_modules", ".cache", "bun-runtimes");
  const host = hostTarget();
  const files: string[] = [];
  for (const target of TARGETS.filter((t) => names.includes(t.name))) {
    const outfile = join(dist, assetName(target));
    compile(outfile, target, resolveRuntime(root, target, cache), order);
    if (target === host) checkVersion(outfile);
    files.push(outfile);
  }
  const sums = files.map((file) => `${sha256(file)}  ${basename(file)}\n`).join("");
  writeFileSync(join(dist, "SHA256SUMS"), sums);
  console.error(`wrote ${join(dist, "SHA256SUMS")} (${files.length} files)`);
}

const work = mkdtempSync(join(tmpdir(), "mcp-gateway-build-"));
try {
  mkdirSync(dist, { recursive: true });
  const targets = values.all ? TARGETS.map((t) => t.name) : values.target;
  if (targets) checkTargets(targets);
  const order = await recordOrder(work);
  if (targets) {
    buildMatrix(targets, order);
  } else {
    const outfile = positionals[0] ?? join(dist, "mcp-gateway");
    compile(outfile, undefined, undefined, order);
    checkVersion(outfile);
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
