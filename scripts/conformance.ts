#!/usr/bin/env bun
/**
 * Runs the official MCP conformance suite (`@modelcontextprotocol/conformance`, server scenarios)
 * against the gateway's `/mcp/conformance`, which fronts our fixture backend: once with the
 * fixture over stdio, once over Streamable HTTP. Prints the suite's summary for each and exits
 * non-zero if any check fails (`npm run conformance`).
 *
 *   bun scripts/conformance.ts                      both backends, the active suite
 *   bun scripts/conformance.ts --backend stdio      one of them (stdio | http)
 *   bun scripts/conformance.ts --scenario ping      only this scenario (repeatable)
 *   bun scripts/conformance.ts --suite all          also the pending scenarios
 *   bun scripts/conformance.ts --direct             the suite against the fixture alone (no gateway)
 *   --output DIR                                    keep the suite's checks.json files in DIR/<backend>
 *                                                   (each run replaces those two folders)
 *
 * Everything listens on free loopback ports; nothing reaches the network.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const root = resolve(import.meta.dir, "..");
const BUN = process.execPath;
const FIXTURE = join(root, "test/fixtures/conformance/server.ts");
const SUITE = join(root, "node_modules/@modelcontextprotocol/conformance/dist/index.js");
/** A whole suite run takes seconds; this only stops a hang from holding CI. */
const SUITE_TIMEOUT_MS = 5 * 60_000;

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    backend: { type: "string", multiple: true },
    scenario: { type: "string", multiple: true },
    suite: { type: "string", default: "active" },
    direct: { type: "boolean", default: false },
    output: { type: "string" },
  },
});
const backends = values.backend ?? ["stdio", "http"];
for (const backend of backends) {
  if (backend !== "stdio" && backend !== "http")
    fail(`--backend must be stdio or http, got ${backend}`);
}
if (values.direct && backends.includes("stdio") && values.backend) {
  fail("--direct tests the fixture over HTTP only (the suite speaks HTTP); drop --backend stdio");
}
if (!["active", "all", "pending"].includes(values.suite ?? "")) {
  fail(`--suite must be active, all or pending, got ${values.suite}`);
}

function fail(message: string): never {
  process.stderr.write(`conformance: ${message}\n`);
  process.exit(2);
}

function freePort(): Promise<number> {
  return new Promise((done, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => done(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** Polls `url` until it answers with `ok(status)`; if `child` dies first, its log says why. */
async function waitForHttp(
  url: string,
  ok: (status: number) => boolean,
  child: { exitCode: number | null },
  log: string,
) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && child.exitCode === null) {
    const status = await fetch(url).then(
      (r) => r.status,
      () => 0,
    );
    if (ok(status)) return;
    await Bun.sleep(50);
  }
  const why = child.exitCode === null ? "did not come up within 20s" : "exited";
  throw new Error(`the process behind ${url} ${why}; its log:\n${readLog(log)}`);
}

function readLog(file: string): string {
  try {
    return readFileSync(file, "utf8").trim() || "(empty)";
  } catch {
    return "(no log)";
  }
}

interface Target {
  label: string;
  url: string;
  stop(): Promise<void>;
}

/** Every child started, so a failed start never leaves a fixture or gateway running. */
const children: ReturnType<typeof Bun.spawn>[] = [];

/** Spawns a child whose stderr (where both children log) goes to `log`, to show on failure. */
function spawnLogged(cmd: string[], log: string, env: Record<string, string> = {}) {
  const child = Bun.spawn(cmd, {
    cwd: root,
    env: { ...process.env, ...env },
    stdin: "ignore",
    stdout: "ignore",
    stderr: Bun.file(log),
  });
  children.push(child);
  return child;
}

async function startFixtureHttp(work: string): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const log = join(work, "fixture.log");
  const child = spawnLogged([BUN, FIXTURE, "--http", String(port)], log);
  const url = `http://127.0.0.1:${port}/mcp`;
  await waitForHttp(url, (status) => status > 0, child, log);
  return {
    url,
    async stop() {
      child.kill();
      await child.exited;
    },
  };
}

async function startTarget(backend: string, work: string): Promise<Target> {
  const fixture = backend === "http" ? await startFixtureHttp(work) : undefined;
  if (values.direct && fixture)
    return { label: "fixture (direct)", url: fixture.url, stop: fixture.stop };
  const backendYaml = fixture
    ? `    url: ${JSON.stringify(fixture.url)}\n`
    : `    command: ${JSON.stringify(BUN)}\n    args: [${JSON.stringify(FIXTURE)}]\n`;
  const config = join(work, "gateway.yaml");
  writeFileSync(
    config,
    [
      "server: { host: 127.0.0.1 }",
      `state_dir: ${JSON.stringify(join(work, "state"))}`,
      "capabilities: { enabled: false }",
      "backends:",
      "  conformance:",
      backendYaml,
    ].join("\n"),
  );
  const port = await freePort();
  const log = join(work, "gateway.log");
  const gateway = spawnLogged(
    [BUN, join(root, "src/main.ts"), "serve", "--config", config, "--port", String(port)],
    log,
    { MCP_GATEWAY_LOG_LEVEL: "warn" },
  );
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/health`, (status) => status === 200, gateway, log);
  return {
    label: `gateway /mcp/conformance, fixture over ${backend}`,
    url: `${base}/mcp/conformance`,
    async stop() {
      gateway.kill("SIGTERM");
      const force = setTimeout(() => gateway.kill("SIGKILL"), 12_000);
      await gateway.exited;
      clearTimeout(force);
      await fixture?.stop();
    },
  };
}

interface Outcome {
  label: string;
  passed: number;
  failed: number;
  seconds: number;
  ok: boolean;
  failures: string[];
}

/** One run of the suite's CLI: the whole suite, or one scenario (it takes one at a time). */
async function runCli(url: string, output: string, scenario?: string) {
  const args = ["server", "--url", url, "-o", output];
  args.push(...(scenario ? ["--scenario", scenario] : ["--suite", String(values.suite)]));
  // --bun: the suite needs Node 22+ (fs.globSync); Bun provides it, offline, from node_modules.
  const child = Bun.spawn([BUN, "--bun", SUITE, ...args], {
    cwd: root,
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), SUITE_TIMEOUT_MS);
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  clearTimeout(timer);
  const text = `${stdout}\n${stderr}`;
  // A suite run ends with "Total: P passed, F failed", a single scenario with "Passed: P/N, F failed".
  const counts =
    /Total: (\d+) passed, (\d+) failed/.exec(text) ?? /Passed: (\d+)\/\d+, (\d+) failed/.exec(text);
  const summaryAt = text.indexOf("=== SUMMARY ===");
  return {
    code,
    text: summaryAt >= 0 ? text.slice(summaryAt) : text,
    passed: Number(counts?.[1] ?? 0),
    failed: Number(counts?.[2] ?? 0),
    counted: counts !== null,
  };
}

/** Runs the suite (or each chosen scenario) against a target, echoing the suite's summary. */
async function runSuite(target: Target, output: string): Promise<Outcome> {
  const started = performance.now();
  const runs = values.scenario?.length
    ? await Promise.all(values.scenario.map((scenario) => runCli(target.url, output, scenario)))
    : [await runCli(target.url, output)];
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`\n## ${target.label}\n`);
  for (const run of runs) process.stdout.write(`${run.text.trim()}\n`);
  const failures = collectFailures(output);
  for (const line of failures) process.stdout.write(`  ✗ ${line}\n`);
  return {
    label: target.label,
    passed: runs.reduce((sum, run) => sum + run.passed, 0),
    failed: runs.reduce((sum, run) => sum + run.failed, 0),
    seconds,
    ok: runs.every((run) => run.code === 0 && run.counted) && failures.length === 0,
    failures,
  };
}

/** Every FAILURE check the suite wrote, as `scenario [check]: message`. */
function collectFailures(output: string): string[] {
  const lines: string[] = [];
  for (const dir of readdirSync(output)) {
    const scenario = dir.replace(/^server-/, "").replace(/-\d{4}-\d\d-\d\dT.*$/, "");
    let checks: { id: string; status: string; errorMessage?: string }[] = [];
    try {
      checks = JSON.parse(readFileSync(join(output, dir, "checks.json"), "utf8"));
    } catch {
      continue;
    }
    for (const check of checks) {
      if (check.status === "FAILURE") {
        lines.push(`${scenario} [${check.id}]: ${check.errorMessage ?? "(no message)"}`);
      }
    }
  }
  return lines;
}

const work = mkdtempSync(join(tmpdir(), "mcpgw-conformance-"));
const outcomes: Outcome[] = [];
try {
  for (const backend of values.direct ? ["http"] : backends) {
    const dir = join(work, backend);
    mkdirSync(dir, { recursive: true });
    const output = values.output ? resolve(values.output, backend) : join(dir, "results");
    rmSync(output, { recursive: true, force: true }); // failures are read back from here
    mkdirSync(output, { recursive: true });
    const target = await startTarget(backend, dir);
    try {
      outcomes.push(await runSuite(target, output));
    } finally {
      await target.stop();
    }
    const gatewayLog = readLog(join(dir, "gateway.log"));
    if (!outcomes.at(-1)?.ok && gatewayLog !== "(no log)" && gatewayLog !== "(empty)") {
      process.stdout.write(`  gateway log:\n${gatewayLog.replace(/^/gm, "    ")}\n`);
    }
  }
} catch (error) {
  process.stderr.write(`conformance: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  rmSync(work, { recursive: true, force: true });
}

if (outcomes.length > 0) {
  process.stdout.write("\n| target | passed | failed | time |\n|---|---:|---:|---:|\n");
  for (const o of outcomes) {
    process.stdout.write(
      `| ${o.label} | ${o.passed} | ${o.failed} | ${o.seconds.toFixed(1)} s |\n`,
    );
  }
}
if (outcomes.some((outcome) => !outcome.ok)) process.exitCode = 1;
