#!/usr/bin/env bun
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
/**
 * The cluster's numbers (docs/scaling.md), against Debian's redis-server and nginx on loopback:
 * 1. the latency the Redis hop adds per call: one client calling `echo` on one instance, without
 *    `cluster:` and with it (every SSE event is written to Redis before it is sent);
 * 2. throughput of 1, 2 and 3 instances behind nginx (round robin) on the same echo workload:
 *    `clients` SDK sessions calling `echo` back to back for `seconds`.
 *
 *   bun bench/cluster/run.ts [calls=2000] [clients=12] [seconds=10]
 */
import { type Subprocess, spawn } from "bun";
import { freePort, printTable, summarize, waitHttp } from "../_stats.ts";

const ROOT = join(import.meta.dir, "../..");
const FIXTURE = join(ROOT, "test/fixtures/servers/fixture.ts");
const BUN = process.execPath;
const CALLS = Number(process.argv[2] ?? 2000);
const CLIENTS = Number(process.argv[3] ?? 12);
const SECONDS = Number(process.argv[4] ?? 10);
const children: Subprocess[] = [];

function temp(): string {
  return mkdtempSync(join(tmpdir(), "bench-cluster-"));
}

function config(redisUrl?: string): string {
  const file = join(temp(), "gateway.yaml");
  writeFileSync(
    file,
    `capabilities: { enabled: false }
${redisUrl ? `cluster: { redis_url: "${redisUrl}", key_prefix: "bench-${Date.now()}:" }` : ""}
backends:
  fixture: { command: ${BUN}, args: ["${FIXTURE}"] }
`,
  );
  return file;
}

/** `id` names a cluster member (without `cluster:` in the file, none may be given). */
async function instance(file: string, id?: string): Promise<number> {
  const port = await freePort();
  children.push(
    spawn([BUN, join(ROOT, "src/main.ts"), "serve", "--config", file, "--port", `${port}`], {
      env: {
        ...process.env,
        XDG_STATE_HOME: temp(),
        ...(id ? { MCP_GATEWAY_CLUSTER__INSTANCE_ID: id } : {}),
      },
      stdout: "ignore",
      stderr: "ignore",
    }),
  );
  await waitHttp(`http://127.0.0.1:${port}/health`);
  return port;
}

/** A 2025-11-25 session, or with `stateless` a 2026-07-28 client (no session to relay). */
async function connect(url: string, stateless = false): Promise<Client> {
  const client = new Client(
    { name: "bench", version: "1" },
    stateless
      ? { capabilities: {}, versionNegotiation: { mode: { pin: "2026-07-28" } } }
      : { capabilities: {} },
  );
  await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp/fixture`)));
  return client;
}

const echo = (client: Client) => client.callTool({ name: "echo", arguments: { message: "hi" } });

async function latency(url: string): Promise<number[]> {
  const client = await connect(url);
  for (let i = 0; i < 200; i++) await echo(client);
  const samples: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const started = performance.now();
    await echo(client);
    samples.push(performance.now() - started);
  }
  await client.close();
  return samples;
}

async function throughput(url: string, stateless = false): Promise<number> {
  const clients = await Promise.all(Array.from({ length: CLIENTS }, () => connect(url, stateless)));
  for (const client of clients) await echo(client);
  let calls = 0;
  const until = performance.now() + SECONDS * 1000;
  await Promise.all(
    clients.map(async (client) => {
      while (performance.now() < until) {
        await echo(client);
        calls++;
      }
    }),
  );
  await Promise.all(clients.map((client) => client.close()));
  return calls / SECONDS;
}

async function nginx(ports: number[]): Promise<string> {
  const dir = temp();
  const port = await freePort();
  const conf = join(dir, "nginx.conf");
  const paths = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
    .map((name) => `  ${name}_temp_path ${dir}/${name};`)
    .join("\n");
  writeFileSync(
    conf,
    `worker_processes 1; daemon off; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 1024; }
http {
  access_log off;
${paths}
  upstream gateways {
${ports.map((p) => `    server 127.0.0.1:${p} max_fails=0;`).join("\n")}
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://gateways;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_buffering off;
    }
  }
}
`,
  );
  children.push(spawn(["nginx", "-p", dir, "-c", conf, "-e", `${dir}/error.log`]));
  await waitHttp(`http://127.0.0.1:${port}/health`);
  return `http://127.0.0.1:${port}`;
}

try {
  const redisPort = await freePort();
  children.push(
    spawn(
      [
        "redis-server",
        "--port",
        `${redisPort}`,
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
      ],
      {
        stdout: "ignore",
      },
    ),
  );
  await Bun.sleep(300);
  const redisUrl = `redis://127.0.0.1:${redisPort}`;

  const single = summarize(await latency(`http://127.0.0.1:${await instance(config())}`));
  const clustered = summarize(
    await latency(`http://127.0.0.1:${await instance(config(redisUrl), "hop")}`),
  );
  console.log(`\nLatency of one echo call, ${CALLS} sequential calls (ms):\n`);
  printTable(
    ["gateway", "p50", "p90", "p99"],
    [
      ["no cluster", single.p50, single.p90, single.p99],
      ["cluster (Redis)", clustered.p50, clustered.p90, clustered.p99],
      [
        "added by Redis",
        clustered.p50 - single.p50,
        clustered.p90 - single.p90,
        clustered.p99 - single.p99,
      ],
    ],
  );

  const shared = config(redisUrl);
  const ports: number[] = [];
  const rows: (string | number)[][] = [];
  for (const id of ["a", "b", "c"]) {
    ports.push(await instance(shared, id));
    const url = await nginx(ports);
    const sessions = await throughput(url);
    const stateless = await throughput(url, true);
    rows.push([`${ports.length}`, Math.round(sessions), Math.round(stateless)]);
  }
  console.log(
    `\nThroughput behind nginx (round robin), ${CLIENTS} clients, ${SECONDS}s each (calls/s):\n`,
  );
  printTable(["instances", "2025-11-25 sessions", "2026-07-28 stateless"], rows);
} finally {
  for (const child of children) child.kill();
}
