import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Subprocess, spawn } from "bun";
import { loadConfig } from "../../src/config/load.ts";
import { type RunningGateway, runGateway } from "../../src/gateway/run.ts";
import { BUN, FIXTURE_SERVER, freePort, ROOT, tempDir, waitFor, writeConfig } from "../helpers.ts";

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

export async function startInstance(config: string, id: string): Promise<Instance> {
  const port = await freePort();
  const state = tempDir();
  mkdirSync(state, { recursive: true });
  const child = spawn(
    [BUN, join(ROOT, "src/main.ts"), "serve", "--config", config, "--port", `${port}`],
    {
      env: { ...process.env, XDG_STATE_HOME: state, MCP_GATEWAY_CLUSTER__INSTANCE_ID: id },
      stdout: "ignore",
      stderr: process.env.CLUSTER_TEST_LOGS ? "inherit" : "ignore",
    },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => {
    try {
      const health = (await (await fetch(`${url}/health`)).json()) as {
        cluster?: { redis: string };
        backends?: { fixture?: { state: string } };
      };
      return health.cluster?.redis === "connected";
    } catch {
      return false;
    }
  }, 20_000);
  return {
    id,
    url,
    port,
    process: child,
    async kill() {
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
 * Instances `a` and `b` run in process on one Redis, each with `yaml(redisUrl, id)` (memory
 * state, no file watching), once each lists the fixture backend's tools.
 */
export async function startPair(
  redisUrl: string,
  yaml: (redisUrl: string, id: string) => string,
): Promise<(RunningGateway & { url: string })[]> {
  const instances: (RunningGateway & { url: string })[] = [];
  for (const id of ["a", "b"]) {
    const running = await runGateway({
      config: loadConfig({ path: writeConfig(yaml(redisUrl, id)) }),
      port: await freePort(),
      memoryState: true,
      watch: false,
    });
    await waitFor(() => running.gateway.index.tools("fixture").length > 0);
    instances.push(running as RunningGateway & { url: string });
  }
  return instances;
}
