#!/usr/bin/env bun
/**
 * Throughput next to the peers, in one run: mcp-gateway (`serve`), mcp-proxy and supergateway,
 * each in front of one server-everything over stdio, driven by `wrk` (C, its own threads, so the
 * load generator is not what saturates) at 10, 50 and 200 concurrent connections calling `echo`.
 * Every proxy gets one pre-initialized session (2025-06-18) that all connections share, with
 * unique JSON-RPC ids: one backend process each (supergateway spawns one per session).
 * Rows: calls/s, p50 and p99 (wrk's), the proxy's RSS after the run, its CPU per call (the proxy
 * process alone, and with its backend), the load generator's own CPU per call (wrk: it is not what
 * limits the rate when this is well below the proxy's), and answers that were not the echo
 * (must be 0).
 *
 *   bun bench/peers.ts [seconds=10] [clients=10,50,200]
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, printTable, spawnGateway, waitHttp } from "./_stats.ts";

const ROOT = join(import.meta.dir, "..");
const BIN = join(ROOT, "node_modules/.bin");
const EVERYTHING = join(ROOT, "node_modules/@modelcontextprotocol/server-everything/dist/index.js");
const NODE = Bun.which("node") ?? "node";
const SECONDS = Number(process.argv[2] ?? 10);
const LEVELS = (process.argv[3] ?? "10,50,200").split(",").map(Number);
const WRK = Bun.which("wrk") ?? "/usr/bin/wrk";
const tmp = join(tmpdir(), `peers-${process.pid}`);

interface Peer {
  name: string;
  /** The URL the load goes to. */
  url: string;
  /** The request `wrk` repeats: a `tools/call` of `echo` (or `gateway_invoke` of it). */
  params: object;
  pid: number;
  stop(): void;
}

const ECHO = { name: "echo", arguments: { message: "hi" } };

async function startGateway(): Promise<{ pid: number; port: number; stop(): void }> {
  const port = await freePort();
  const config = `${tmp}-gateway.yaml`;
  // The response cache off: server-everything's echo is read-only, and a cached answer would
  // never reach the backend (the peers have no cache).
  writeFileSync(
    config,
    `cache: { enabled: false }\nbackends:\n  everything:\n    command: ${NODE}\n    args: ["${EVERYTHING}", "stdio"]\n`,
  );
  const proc = spawnGateway(config, port, `${tmp}-state`);
  await waitHttp(`http://127.0.0.1:${port}/health`);
  return { pid: proc.pid, port, stop: () => proc.kill() };
}

async function startMcpProxy(): Promise<{ pid: number; port: number; stop(): void }> {
  const port = await freePort();
  const proc = Bun.spawn(
    [
      NODE,
      join(BIN, "mcp-proxy"),
      "--port",
      String(port),
      "--host",
      "127.0.0.1",
      "--server",
      "stream",
      "--",
      NODE,
      EVERYTHING,
      "stdio",
    ],
    { stdout: "ignore", stderr: "ignore" },
  );
  await waitHttp(`http://127.0.0.1:${port}/ping`);
  return { pid: proc.pid, port, stop: () => proc.kill() };
}

async function startSupergateway(): Promise<{ pid: number; port: number; stop(): void }> {
  const port = await freePort();
  const proc = Bun.spawn(
    [
      NODE,
      join(BIN, "supergateway"),
      "--stdio",
      `${NODE} ${EVERYTHING} stdio`,
      "--outputTransport",
      "streamableHttp",
      "--stateful",
      "--port",
      String(port),
      "--logLevel",
      "none",
      "--healthEndpoint",
      "/healthz",
    ],
    { stdout: "ignore", stderr: "ignore" },
  );
  await waitHttp(`http://127.0.0.1:${port}/healthz`);
  return { pid: proc.pid, port, stop: () => proc.kill() };
}

const HEADERS = {
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
};

/** Opens a session the usual way (initialize, then initialized) and returns its id. */
async function openSession(url: string): Promise<string> {
  const response = await fetch(url, {
    method: "POST",
    headers: HEADERS,
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 0,
      method: "initialize",
      params: {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "bench-peers", version: "1" },
      },
    }),
  });
  const session = response.headers.get("mcp-session-id");
  await response.text();
  if (!response.ok || !session) throw new Error(`${url}: initialize answered ${response.status}`);
  const headers = { ...HEADERS, "mcp-session-id": session, "mcp-protocol-version": "2025-06-18" };
  const done = await fetch(url, {
    method: "POST",
    headers,
    body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
  });
  await done.text();
  // One call before the load: a lazily started backend is up.
  const first = await fetch(url, {
    method: "POST",
    headers,
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
  });
  await first.text();
  return session;
}

/**
 * The wrk script: every request a `tools/call` with an id unique across threads (one session is
 * shared); an answer without the echo's text counts as bad; `done` prints one JSON line.
 */
function wrkScript(path: string, session: string, params: object): string {
  const file = `${tmp}-${Math.random().toString(36).slice(2)}.lua`;
  const body = JSON.stringify(params).replaceAll("\\", "\\\\").replaceAll('"', '\\"');
  writeFileSync(
    file,
    `
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
local counter = 0
bad = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["Mcp-Session-Id"] = "${session}"
wrk.headers["Mcp-Protocol-Version"] = "2025-06-18"
function request()
  counter = counter + 1
  local id = tid * 1000000000 + counter + 1000
  local body = '{"jsonrpc":"2.0","id":' .. id .. ',"method":"tools/call","params":${body}}'
  return wrk.format("POST", "${path}", nil, body)
end
function response(status, headers, body)
  if status ~= 200 or not string.find(body, "Echo: hi", 1, true) then bad = bad + 1 end
end
function done(summary, latency, requests)
  local total_bad = 0
  for _, t in ipairs(threads) do total_bad = total_bad + t:get("bad") end
  io.write(string.format('{"requests":%d,"seconds":%f,"p50":%f,"p99":%f,"bad":%d,"errors":%d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, total_bad,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
`,
  );
  return file;
}

/** utime + stime of a process and its descendants, in ms (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  let total = 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    total += (Number(fields[11]) + Number(fields[12])) * 10;
    // Any thread may have spawned a child: each task lists its own.
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${task}/children`, "utf8");
      for (const child of children.split(" ").filter(Boolean)) total += cpuMs(Number(child));
    }
  } catch {}
  return total;
}

function ownCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

interface Result {
  requests: number;
  seconds: number;
  p50: number;
  p99: number;
  bad: number;
  errors: number;
}

async function load(
  peer: Peer,
  session: string,
  clients: number,
): Promise<Result & { cpu: number; cpuTree: number; wrkCpu: number }> {
  const url = new URL(peer.url);
  const script = wrkScript(url.pathname, session, peer.params);
  const cpu0 = ownCpuMs(peer.pid);
  const tree0 = cpuMs(peer.pid);
  const proc = Bun.spawn(
    [
      WRK,
      "-t2",
      `-c${clients}`,
      `-d${SECONDS}s`,
      "--timeout",
      "10s",
      "-s",
      script,
      `${url.origin}/`,
    ],
    { stdout: "pipe", stderr: "inherit" },
  );
  const out = await new Response(proc.stdout).text();
  await proc.exited;
  rmSync(script, { force: true });
  const line = out.split("\n").find((l) => l.startsWith("{"));
  if (!line) throw new Error(`wrk printed no result for ${peer.name}:\n${out}`);
  const result = JSON.parse(line) as Result;
  const usage = proc.resourceUsage();
  const wrkCpu = usage ? Number(usage.cpuTime.user + usage.cpuTime.system) / 1000 : Number.NaN;
  return {
    ...result,
    wrkCpu,
    cpu: ownCpuMs(peer.pid) - cpu0,
    cpuTree: cpuMs(peer.pid) - tree0,
  };
}

const gateway = await startGateway();
const proxy = await startMcpProxy();
const supergateway = await startSupergateway();
const peers: Peer[] = [
  {
    name: "mcp-gateway /mcp/everything",
    url: `http://127.0.0.1:${gateway.port}/mcp/everything`,
    params: ECHO,
    ...gateway,
  },
  {
    name: "mcp-gateway gateway_invoke",
    url: `http://127.0.0.1:${gateway.port}/mcp`,
    params: {
      name: "gateway_invoke",
      arguments: { server: "everything", tool: "echo", arguments: { message: "hi" } },
    },
    ...gateway,
  },
  { name: "mcp-proxy 6.7.19", url: `http://127.0.0.1:${proxy.port}/mcp`, params: ECHO, ...proxy },
  {
    name: "supergateway 4.0.0",
    url: `http://127.0.0.1:${supergateway.port}/mcp`,
    params: ECHO,
    ...supergateway,
  },
];
const sessions = new Map<Peer, string>();
for (const peer of peers) sessions.set(peer, await openSession(peer.url));

const rows: (string | number)[][] = [];
try {
  for (const [level, clients] of LEVELS.entries()) {
    // The order turns at each level, so that no proxy always runs first (or right after another).
    const order = peers.map((_, i) => peers[(i + level) % peers.length]!);
    for (const peer of order) {
      const r = await load(peer, sessions.get(peer)!, clients);
      rows.push([
        String(clients),
        peer.name,
        (r.requests / r.seconds).toFixed(0),
        r.p50,
        r.p99,
        rssMiB(peer.pid),
        (r.cpu * 1000) / Math.max(1, r.requests),
        (r.cpuTree * 1000) / Math.max(1, r.requests),
        (r.wrkCpu * 1000) / Math.max(1, r.requests),
        String(r.bad + r.errors),
      ]);
      console.error(
        `${clients} clients, ${peer.name}: ${(r.requests / r.seconds).toFixed(0)} calls/s`,
      );
    }
  }
} finally {
  for (const stop of [gateway.stop, proxy.stop, supergateway.stop]) stop();
  rmSync(`${tmp}-gateway.yaml`, { force: true });
  rmSync(`${tmp}-state`, { recursive: true, force: true });
}
const load1 = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
console.log(
  `\n${SECONDS}s per cell, wrk -t2, one server-everything over stdio behind each; load average ${load1}\n`,
);
printTable(
  [
    "clients",
    "proxy",
    "calls/s",
    "p50 ms",
    "p99 ms",
    "RSS MiB",
    "CPU µs/call",
    "CPU µs/call with backend",
    "wrk CPU µs/call",
    "bad",
  ],
  rows,
);
process.exit(0);
