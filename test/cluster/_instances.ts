import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Subprocess, spawn } from "bun";
import { loadConfig } from "../../src/config/load.ts";
import { type RunningGateway, runGateway } from "../../src/gateway/run.ts";
import { BUN, FIXTURE_SERVER, freePort, ROOT, tempDir, waitFor } from "../helpers.ts";

/** A gateway instance run as its own process (`mcp-gateway serve` from source), killable. */
export interface Instance {
  id: string;
  url: string;
  port: number;
  process: Subprocess;
  kill(): Promise<void>;
}

/** The config every instance of a test cluster shares: the fixture backend, and Redis. */
export function clusterConfig(redisUrl: string, extra = ""): string {
  const file = join(tempDir(), "gateway.yaml");
  writeFileSync(
    file,
    `capabilities: { enabled: false }
cluster: { redis_url: "${redisUrl}", key_prefix: "t${process.pid}-${Date.now()}:" }
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
${extra}`,
  );
  return file;
}

/**
 * An instance as a process of its own on `config`, named `id`, once its Redis link is up (or,
 * with `ready`, once that says so of its /health: an anonymous caller of a gateway with keys sees
 * the status alone); with `offset`, its clock shifted by faketime ("-10m").
 */
export async function startInstance(
  config: string,
  id: string,
  options: { offset?: string; ready?: (health: { status?: string }) => boolean } = {},
): Promise<Instance> {
  const port = await freePort();
  const state = tempDir();
  mkdirSync(state, { recursive: true });
  const command = [
    BUN,
    join(ROOT, "src/main.ts"),
    "serve",
    "--config",
    config,
    "--port",
    `${port}`,
  ];
  const child = spawn(options.offset ? ["faketime", "-f", options.offset, ...command] : command, {
    env: { ...process.env, XDG_STATE_HOME: state, MCP_GATEWAY_CLUSTER__INSTANCE_ID: id },
    stdout: "ignore",
    stderr: process.env.CLUSTER_TEST_LOGS ? "inherit" : "ignore",
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => {
    try {
      const health = (await (await fetch(`${url}/health`)).json()) as {
        status?: string;
        cluster?: { redis: string };
      };
      return options.ready ? options.ready(health) : health.cluster?.redis === "connected";
    } catch {
      return false;
    }
  }, 30_000);
  return {
    id,
    url,
    port,
    process: child,
    async kill() {
      // Under faketime the gateway is faketime's child: killed alone, it would run on.
      Bun.spawnSync(["pkill", "-KILL", "-P", `${child.pid}`]);
      child.kill("SIGKILL");
      await child.exited;
    },
  };
}

/**
 * A round-robin proxy in front of `upstreams`: nginx (Debian's) when installed, else a small
 * one here that streams responses through the same way.
 */
export async function startProxy(
  upstreams: number[],
): Promise<{ url: string; stop(): Promise<void> }> {
  if (Bun.which("nginx")) return startNginx(upstreams);
  let next = 0;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    async fetch(request) {
      const url = new URL(request.url);
      const port = upstreams[next++ % upstreams.length];
      const body = request.method === "GET" ? undefined : await request.arrayBuffer();
      const response = await fetch(`http://127.0.0.1:${port}${url.pathname}${url.search}`, {
        method: request.method,
        headers: request.headers,
        body,
      });
      return new Response(response.body, { status: response.status, headers: response.headers });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, stop: () => server.stop(true) };
}

/** nginx (Debian's) in front of `upstreams`, round robin, streaming unbuffered; its URL. */
async function startNginx(upstreams: number[]): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = tempDir("mcpgw-nginx-");
  const port = await freePort();
  const conf = join(dir, "nginx.conf");
  writeFileSync(
    conf,
    `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream gateways {
${upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=0;`).join("\n")}
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://gateways;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_buffering off;
      proxy_read_timeout 1h;
    }
  }
}
`,
  );
  const child = spawn(["nginx", "-p", dir, "-c", conf, "-e", `${dir}/error.log`], {
    stdout: "ignore",
    stderr: "ignore",
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => {
    try {
      await fetch(`${url}/health`);
      return true;
    } catch {
      return false;
    }
  });
  return {
    url,
    async stop() {
      child.kill("SIGTERM");
      await child.exited;
    },
  };
}

/**
 * Instances run in process on one Redis (memory state, no file watching), one per id, each from
 * the config file `configFile(id)` writes; with `backend`, once each lists that backend's tools.
 */
export async function startInProcess(
  configFile: (id: string) => string,
  options: { ids?: string[]; backend?: string; timeoutMs?: number } = {},
): Promise<(RunningGateway & { url: string })[]> {
  const instances: (RunningGateway & { url: string })[] = [];
  for (const id of options.ids ?? ["a", "b"]) {
    const running = await runGateway({
      config: loadConfig({ path: configFile(id) }),
      port: await freePort(),
      memoryState: true,
      watch: false,
    });
    const backend = options.backend;
    if (backend) {
      await waitFor(() => running.gateway.index.tools(backend).length > 0, options.timeoutMs);
    }
    instances.push(running as RunningGateway & { url: string });
  }
  return instances;
}

let nextId = 1;

/**
 * One raw 2026-07-28 request to `url` + `path` with `key` (the SDK refuses some of these, such
 * as tasks/list on /mcp/{backend}); the JSON-RPC answer to it, or the raw text and status.
 */
export async function postModern(
  url: string,
  path: string,
  key: string,
  method: string,
  params: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const id = nextId++;
  const response = await fetch(`${url}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      authorization: `Bearer ${key}`,
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": method,
      ...(params.name || params.taskId ? { "mcp-name": String(params.name ?? params.taskId) } : {}),
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id,
      method,
      params: {
        ...params,
        _meta: {
          "io.modelcontextprotocol/protocolVersion": "2026-07-28",
          "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" },
          "io.modelcontextprotocol/clientCapabilities": {},
        },
      },
    }),
  });
  const text = await response.text();
  const messages = text
    .split("\n")
    .filter((line) => line.startsWith("data: {") || line.startsWith("{"))
    .map((line) => JSON.parse(line.replace(/^data: /, "")) as Record<string, unknown>);
  return messages.find((message) => message.id === id) ?? { raw: text, status: response.status };
}
