#!/usr/bin/env bun
/**
 * The latency a `gateway_invoke` adds over calling the same backend directly, on the same
 * transport: a client over stdio to the fixture vs a client over stdio to `serve --stdio` in front
 * of the fixture over stdio; and the same over Streamable HTTP.
 *
 * Then the target of issue #20, side by side in one process: `gateway_invoke` on `/mcp` against
 * the `/mcp/{backend}` passthrough of the same call, server-everything's `echo` over stdio behind
 * `serve`, SDK clients over Streamable HTTP, the two paths' calls alternating so that both see the
 * same load (`bun bench/invoke.ts passthrough [calls]` runs only this part).
 *
 * Then what recording costs on the call path (metrics, usage, audit log, cost governance): the
 * same in-process call with the observers off and on (bench/recording.ts).
 *
 *   bun bench/invoke.ts [calls=2000]
 *   bun bench/invoke.ts recording [calls=40000]   # only the recording part
 *   bun bench/invoke.ts passthrough [calls=5000]  # only gateway_invoke vs /mcp/{backend}
 */
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { freePort, printTable, spawnGateway, summarize, waitHttp } from "./_stats.ts";

const ROOT = join(import.meta.dir, "..");
const FIXTURE = join(ROOT, "test/fixtures/servers/fixture.ts");
const BUN = process.execPath;
const ONLY_RECORDING = process.argv[2] === "recording";
const ONLY_PASSTHROUGH = process.argv[2] === "passthrough";
const ONLY = ONLY_RECORDING || ONLY_PASSTHROUGH;
const CALLS = Number(
  process.argv[ONLY ? 3 : 2] ?? (ONLY_RECORDING ? 40_000 : ONLY_PASSTHROUGH ? 5000 : 2000),
);
const WARMUP = 200;

type Call = () => Promise<unknown>;

async function measure(call: Call): Promise<number[]> {
  for (let i = 0; i < WARMUP; i++) await call();
  const samples: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const started = performance.now();
    await call();
    samples.push(performance.now() - started);
  }
  return samples;
}

function client(): Client {
  return new Client({ name: "bench", version: "1" }, { capabilities: {} });
}

const echo = (c: Client) => () => c.callTool({ name: "echo", arguments: { message: "hi" } });
const viaGateway = (c: Client) => () =>
  c.callTool({
    name: "gateway_invoke",
    arguments: { server: "fixture", tool: "echo", arguments: { message: "hi" } },
  });

function writeConfig(body: string): string {
  const file = join(require("node:os").tmpdir(), `bench-gw-${process.pid}-${Math.random()}.yaml`);
  require("node:fs").writeFileSync(file, body);
  return file;
}

const rows: (string | number)[][] = [];
function report(name: string, direct: number[], via: number[]): void {
  const d = summarize(direct);
  const v = summarize(via);
  rows.push([name, "direct", d.p50, d.p90, d.p99]);
  rows.push([name, "via gateway", v.p50, v.p90, v.p99]);
  rows.push([name, "added", v.p50 - d.p50, v.p90 - d.p90, v.p99 - d.p99]);
}

// stdio: client -> fixture, and client -> gateway --stdio -> fixture.
if (!ONLY) {
  const direct = client();
  await direct.connect(
    new StdioClientTransport({ command: BUN, args: [FIXTURE], stderr: "ignore" }),
  );
  const directSamples = await measure(echo(direct));
  await direct.close();

  const config = writeConfig(
    `backends:\n  fixture:\n    command: ${BUN}\n    args: ["${FIXTURE}"]\n`,
  );
  const gw = client();
  await gw.connect(
    new StdioClientTransport({
      command: BUN,
      args: [
        join(ROOT, "src/main.ts"),
        "serve",
        "--stdio",
        "--config",
        config,
        "--log-level",
        "error",
      ],
      env: {
        ...process.env,
        XDG_STATE_HOME: join(require("node:os").tmpdir(), `bench-state-${process.pid}`),
      } as Record<string, string>,
      stderr: "ignore",
    }),
  );
  const viaSamples = await measure(viaGateway(gw));
  await gw.close();
  report("stdio", directSamples, viaSamples);
}

// Streamable HTTP: client -> fixture, and client -> gateway -> fixture, all over HTTP.
if (!ONLY) {
  const backendPort = await freePort();
  const backend = Bun.spawn([BUN, FIXTURE, "--http", String(backendPort)], { stderr: "ignore" });
  await waitHttp(`http://127.0.0.1:${backendPort}/`);
  const direct = client();
  await direct.connect(
    new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${backendPort}/mcp`)),
  );
  const directSamples = await measure(echo(direct));
  await direct.close();

  const gatewayPort = await freePort();
  const config = writeConfig(
    `backends:\n  fixture:\n    url: http://127.0.0.1:${backendPort}/mcp\n`,
  );
  const gateway = spawnGateway(
    config,
    gatewayPort,
    join(require("node:os").tmpdir(), `bench-state-${process.pid}`),
  );
  await waitHttp(`http://127.0.0.1:${gatewayPort}/health`);
  const gw = client();
  await gw.connect(
    new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${gatewayPort}/mcp`)),
  );
  const viaSamples = await measure(viaGateway(gw));
  await gw.close();
  gateway.kill();
  backend.kill();
  report("streamable-http", directSamples, viaSamples);
}

if (!ONLY) {
  console.log(`\ngateway_invoke latency, ${CALLS} sequential calls after ${WARMUP} warm-up (ms)\n`);
  printTable(["transport", "path", "p50", "p90", "p99"], rows);
}

// gateway_invoke vs the /mcp/{backend} passthrough: one gateway, one server-everything.
if (!ONLY_RECORDING) {
  const { passthroughRows } = await import("./invoke-passthrough.ts");
  const { rows, rssAfter } = await passthroughRows(ONLY_PASSTHROUGH ? CALLS : 2000, WARMUP);
  const load = require("node:fs").readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3);
  console.log(
    `\ngateway_invoke vs /mcp/{backend}: server-everything echo over stdio, Streamable HTTP, ${ONLY_PASSTHROUGH ? CALLS : 2000} calls each, alternating (ms; load average ${load.join(" ")})\n`,
  );
  printTable(["path", "p50", "p90", "p99"], rows);
  console.log(`\ngateway RSS after the run: ${rssAfter.toFixed(1)} MiB`);
}

// Recording: observedCall with the observers off and on, in process.
if (!ONLY_PASSTHROUGH) {
  const { measureRecording } = await import("./recording.ts");
  const dir = require("node:fs").mkdtempSync(join(require("node:os").tmpdir(), "bench-rec-"));
  const calls = ONLY_RECORDING ? CALLS : 40_000;
  const { off, on } = await measureRecording(calls, dir);
  console.log(`\nrecording on the call path, ${calls} calls each (µs per call)\n`);
  const us = (ms: number) => ms * 1000;
  printTable(
    ["recording", "p50", "p90", "p99"],
    [
      ["off", us(off.p50), us(off.p90), us(off.p99)],
      ["on (metrics, usage, audit, costs)", us(on.p50), us(on.p90), us(on.p99)],
      ["added", us(on.p50 - off.p50), us(on.p90 - off.p90), us(on.p99 - off.p99)],
    ],
  );
}
process.exit(0);
