/**
 * A cluster whose instances serve HTTPS with an mTLS front (`server.tls.client_ca`,
 * `require_client_cert`): each advertises an https:// URL, relays between instances go over TLS
 * (trusting `cluster.ca`, showing the instance's own certificate to the owner's front), and a
 * caller known by its client certificate alone keeps that identity when relayed. A client that
 * forges the relayed identity, at either instance, gets nowhere.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { RELAY_HEADER, RELAYED_CERT_HEADER, sessionKey } from "../../src/cluster/relay.ts";
import { loadConfig } from "../../src/config/load.ts";
import { type RunningGateway, runGateway } from "../../src/gateway/run.ts";
import { hashKey } from "../../src/security/keys.ts";
import { EVERYTHING, freePort, tempDir, waitFor, writeConfig } from "../helpers.ts";
import { CLIENT_EXT, certificates, SERVER_EXT } from "../http/_certs.ts";
import { initializeBody, MCP_HEADERS } from "../security/_helpers.ts";
import { type RedisServer, startRedis } from "./_redis.ts";

setDefaultTimeout(60_000);

const dir = tempDir("mcpgw-cluster-tls-");
const { makeCa, issue, pem } = certificates(dir);

const MALLORY = "mallory-key-0123456789abcdef";
let redis: RedisServer;
type Instance = RunningGateway & { url: string };
const instances: Instance[] = [];
let ca: string;
/** fetch's TLS options as `name` (a certificate from the cluster's CA). */
const as = (name: string) => ({ ca, cert: pem(`${name}.crt`), key: pem(`${name}.key`) });

beforeAll(async () => {
  if (!Bun.which("redis-server") || !Bun.which("openssl")) return;
  makeCa("ca");
  // Both instances share one certificate for 127.0.0.1, from the CA clients come from too.
  issue("ca", "instance", SERVER_EXT);
  issue("ca", "alice", CLIENT_EXT);
  issue("ca", "bob", CLIENT_EXT);
  ca = pem("ca.crt");
  redis = await startRedis();
  for (const id of ["a", "b"]) {
    const yaml = `
capabilities: { enabled: false }
server:
  tls:
    cert: ${join(dir, "instance.crt")}
    key: ${join(dir, "instance.key")}
    client_ca: ${join(dir, "ca.crt")}
    require_client_cert: true
cluster:
  redis_url: "${redis.url}"
  instance_id: ${id}
  key_prefix: "tls-${process.pid}:"
  ca: ${join(dir, "ca.crt")}
auth:
  enabled: true
  api_keys:
    - { name: alice, key: "${hashKey("alice-unused-bearer-0123456789")}", client_cert: { subject_cn: alice } }
    - { name: mallory, key: "${hashKey(MALLORY)}" }
backends:
  everything:
    command: node
    args: ["${EVERYTHING}", "stdio"]
`;
    const running = await runGateway({
      config: loadConfig({ path: writeConfig(yaml) }),
      port: await freePort(),
      host: "127.0.0.1",
      memoryState: true,
      watch: false,
    });
    await waitFor(() => running.gateway.index.tools("everything").length > 0, 20_000);
    instances.push(running as Instance);
  }
});

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.stop()));
  await redis?.kill();
});

let nextId = 1;

/** A raw 2026-07-28 request to `path`, over TLS as `who`; its status and JSON-RPC answer. */
async function post(
  url: string,
  who: string,
  method: string,
  params: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<{ status: number; answer: Record<string, unknown> }> {
  const id = nextId++;
  const response = await fetch(`${url}/mcp/everything`, {
    method: "POST",
    headers: {
      ...MCP_HEADERS,
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": method,
      ...(params.name || params.taskId ? { "mcp-name": String(params.name ?? params.taskId) } : {}),
      ...headers,
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
    tls: as(who),
    keepalive: false,
  } as RequestInit);
  const text = await response.text();
  const messages = text
    .split("\n")
    .filter((line) => line.startsWith("data: {") || line.startsWith("{"))
    .map((line) => JSON.parse(line.replace(/^data: /, "")) as Record<string, unknown>);
  return {
    status: response.status,
    answer: messages.find((message) => message.id === id) ?? { raw: text },
  };
}

async function aliceTask(url: string): Promise<string> {
  const { answer } = await post(url, "alice", "tools/call", {
    name: "simulate-research-query",
    arguments: { topic: "tls" },
    task: { ttl: 60_000 },
  });
  const taskId = (answer.result as { task?: { taskId?: string } } | undefined)?.task?.taskId;
  expect(taskId, JSON.stringify(answer)).toBeString();
  return taskId!;
}

describe.skipIf(!Bun.which("redis-server") || !Bun.which("openssl"))("a cluster over TLS", () => {
  test("each instance advertises its https:// URL", () => {
    for (const instance of instances) {
      expect(instance.cluster?.url).toBe(`https://127.0.0.1:${instance.port}`);
    }
  });

  test("a task relayed over TLS keeps the caller its client certificate names", async () => {
    const [a, b] = instances as [Instance, Instance];
    const taskId = await aliceTask(a.url);
    expect(b.gateway.tasks.has(taskId)).toBe(false);
    const { status, answer } = await post(b.url, "alice", "tasks/get", { taskId });
    expect(status, JSON.stringify(answer)).toBe(200);
    expect(answer.result, JSON.stringify(answer)).toMatchObject({ taskId });
  });

  test("a session relayed over TLS stays its owner's, for the certificate's caller", async () => {
    const [a, b] = instances as [Instance, Instance];
    const init = (url: string, body: string, session?: string) =>
      fetch(`${url}/mcp/everything`, {
        method: "POST",
        headers: { ...MCP_HEADERS, ...(session ? { "mcp-session-id": session } : {}) },
        body,
        tls: as("alice"),
        keepalive: false,
      } as RequestInit);
    const opened = await init(a.url, initializeBody());
    await opened.text();
    const session = opened.headers.get("mcp-session-id")!;
    expect(session, `initialize: ${opened.status}`).toBeString();
    const initialized = JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" });
    await (await init(b.url, initialized, session)).text();
    const listed = await init(
      b.url,
      JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
      session,
    );
    expect(listed.status).toBe(200);
    expect(await listed.text()).toContain("simulate-research-query");
    // Relayed, not adopted: the session is still a's.
    const record = JSON.parse((await a.cluster!.get(sessionKey(session)))!) as { owner: string };
    expect(record.owner).toBe(a.cluster!.url);
  });

  test("a forged relayed identity is believed by neither instance", async () => {
    const [a, b] = instances as [Instance, Instance];
    const taskId = await aliceTask(a.url);
    // bob's certificate is from the CA (it passes the front) but names no key.
    const alice = { subjectCn: "alice", fingerprintSha256: "00".repeat(32) };
    const payload = Buffer.from(JSON.stringify(alice)).toString("base64url");
    const forgeries: Record<string, string>[] = [
      { [RELAYED_CERT_HEADER]: `${payload}.not-a-signature` },
      { [RELAYED_CERT_HEADER]: payload },
      { [RELAYED_CERT_HEADER]: `${payload}.x`, [RELAY_HEADER]: "guessed-secret" },
    ];
    for (const url of [a.url, b.url]) {
      for (const headers of forgeries) {
        const { status, answer } = await post(url, "bob", "tasks/get", { taskId }, headers);
        expect(status, JSON.stringify(answer)).toBe(401);
      }
    }
    // With a key of its own, the forged header is dropped on relay: mallory is still mallory.
    for (const url of [a.url, b.url]) {
      const { answer } = await post(
        url,
        "bob",
        "tasks/get",
        { taskId },
        { authorization: `Bearer ${MALLORY}`, [RELAYED_CERT_HEADER]: `${payload}.x` },
      );
      expect(answer.error, JSON.stringify(answer)).toMatchObject({ code: -32602 });
    }
  });
});
