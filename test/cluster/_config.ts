import { afterAll, beforeAll } from "bun:test";
import { createHmac } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import type { RunningGateway } from "../../src/gateway/run.ts";
import { hashKey } from "../../src/security/keys.ts";
import { BUN, FIXTURE_SERVER, firstText, tempDir, writeConfig } from "../helpers.ts";
import { initializeBody, MCP_HEADERS } from "../security/_helpers.ts";
import { startInProcess } from "./_instances.ts";
import { type RedisServer, startRedis } from "./_redis.ts";

export type Running = RunningGateway & { url: string };

export const ALICE = "alice-key-0123456789abcdef";
export const BOB = "bob-key-0123456789abcdef";

/** The `backends:` section of the fixture MCP server, which cluster tests call. */
export const FIXTURE_BACKEND = `backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]`;

/**
 * One instance's config: capabilities off, `cluster:` on `redisUrl` as `id` with the key prefix
 * `<prefix>-<pid>:`, then `extra` (auth, security, ... sections) and `backends` (the fixture's).
 */
export function clusterYaml(
  redisUrl: string,
  id: string,
  prefix: string,
  extra = "",
  backends = FIXTURE_BACKEND,
): string {
  return `
capabilities: { enabled: false }
cluster: { redis_url: "${redisUrl}", instance_id: ${id}, key_prefix: "${prefix}-${process.pid}:" }
${extra}
${backends}
`;
}

/**
 * An `auth:` section with one API key per entry, name → the plain key, or [the key, more of its
 * inline settings such as `admin: true`]; `settings` is one more line under `auth:`.
 */
export function authYaml(keys: Record<string, string | [string, string]>, settings = ""): string {
  const entries = Object.entries(keys).map(([name, value]) => {
    const [key, more] = typeof value === "string" ? [value, ""] : value;
    return `    - { name: ${name}, key: "${hashKey(key)}"${more ? `, ${more}` : ""} }`;
  });
  return `auth:
  enabled: true
${settings ? `  ${settings}\n` : ""}  api_keys:
${entries.join("\n")}`;
}

/**
 * The file's cluster: a throwaway Redis and instances in process on it, one per id of `options`
 * (a and b by default), each from the config `yaml(redisUrl, id)`, waited on as `startInProcess`
 * does (the fixture's tools by default). Started before the file's tests when redis-server is
 * installed, stopped after. `redis` stands for the server started then; `instances` fills then.
 */
export function useCluster(
  yaml: (redisUrl: string, id: string) => string,
  options: { ids?: string[]; backend?: string } = { backend: "fixture" },
): { redis: RedisServer; instances: Running[] } {
  let server: RedisServer | undefined;
  const instances: Running[] = [];
  const redis: RedisServer = {
    get url() {
      return server!.url;
    },
    get port() {
      return server!.port;
    },
    kill: async () => server?.kill(),
    restart: () => server!.restart(),
    signal: (name) => server?.signal(name),
  };
  beforeAll(async () => {
    if (!Bun.which("redis-server")) return;
    server = await startRedis();
    const url = server.url;
    instances.push(...(await startInProcess((id) => writeConfig(yaml(url, id)), options)));
  });
  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    await server?.kill();
  });
  return { redis, instances };
}

/** Each call, the next of `instances`' URLs: a round-robin balancer's choice. */
export function roundRobin(instances: { url: string }[]): () => string {
  let next = 0;
  return () => instances[next++ % instances.length]!.url;
}

/**
 * Connects the SDK's client (`options.client`, or a plain 2025-11-25 one named `options.name`)
 * to `options.path` (/mcp/fixture) with `key` and `headers`, through a load balancer in its fetch: each
 * request goes to the instance whose URL `to()` gives then (the test moves it, or `roundRobin`).
 */
export async function connectRouted(
  to: () => string,
  options: {
    key?: string;
    headers?: Record<string, string>;
    path?: string;
    name?: string;
    client?: Client;
  } = {},
): Promise<Client> {
  const routed = (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : input);
    url.host = new URL(to()).host;
    return fetch(url, init);
  };
  const client =
    options.client ??
    new Client({ name: options.name ?? "routed", version: "1" }, { capabilities: {} });
  const headers: Record<string, string> = {
    ...(options.key ? { Authorization: `Bearer ${options.key}` } : {}),
    ...options.headers,
  };
  // The balancer's address: the fetch above sends each request on to an instance.
  const balancer = new URL(options.path ?? "/mcp/fixture", "http://127.0.0.1:1");
  await client.connect(
    new StreamableHTTPClientTransport(balancer, { requestInit: { headers }, fetch: routed }),
  );
  return client;
}

/** The fixture's echo of `message` through `client`: its text. */
export const echo = async (client: Client, message: string): Promise<string> =>
  firstText(await client.callTool({ name: "echo", arguments: { message } }));

/** A raw 2025-11-25 `initialize` at `url`/mcp with `key`: the response. */
export function initialize(url: string, key: string): Promise<Response> {
  return fetch(`${url}/mcp`, {
    method: "POST",
    headers: {
      ...MCP_HEADERS,
      authorization: `Bearer ${key}`,
      "mcp-protocol-version": "2025-11-25",
    },
    body: initializeBody(),
  });
}

/** The HTTP status of a raw 2025-11-25 `initialize` at `url`/mcp with `key`. */
export async function initializeStatus(url: string, key: string): Promise<number> {
  const response = await initialize(url, key);
  await response.text();
  return response.status;
}

/**
 * A capabilities folder with `repo.yaml`: a `push` webhook signed as GitHub signs it (secret in
 * `GH_HOOK_SECRET`), whose event carries the pushed `ref`.
 */
export function repoWebhookDir(prefix: string): string {
  const dir = tempDir(prefix);
  writeFileSync(
    join(dir, "repo.yaml"),
    `fulcrum: "1.0"
name: repo
description: Receives the repository's pushes.
providers: {}
webhooks:
  push:
    secret: env:GH_HOOK_SECRET
    signature_header: X-Hub-Signature-256
    transform:
      data: { ref: ref }
`,
  );
  return dir;
}

/** A push delivery to the gateway at `url`, signed with `secret`, as GitHub sends one. */
export function deliverPush(url: string, secret: string, body: string, delivery: string) {
  const signature = createHmac("sha256", secret).update(body).digest("hex");
  return fetch(`${url}/webhooks/repo/push`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-hub-signature-256": `sha256=${signature}`,
      "x-github-event": "push",
      "x-github-delivery": delivery,
    },
    body,
  });
}
