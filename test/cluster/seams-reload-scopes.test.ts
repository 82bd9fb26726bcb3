/**
 * A reload asked of one instance × a key's scopes narrowed × a session another instance owns,
 * reached through a third path (its requests and stream relayed): the owner re-reads its file
 * on the announcement, tells the session `tools/list_changed` (through the relay), and its
 * next `tools/list` and calls follow the narrowed scopes. The config is mounted as a ConfigMap
 * (a `..data` symlink swap), so only the announcement makes an instance re-read it.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import type { RunningGateway } from "../../src/gateway/run.ts";
import { hashKey } from "../../src/security/keys.ts";
import { BUN, FIXTURE_SERVER, firstText, tempDir, waitFor } from "../helpers.ts";
import { startInProcess } from "./_instances.ts";
import { type RedisServer, startRedis } from "./_redis.ts";

setDefaultTimeout(60_000);

const ALICE = "alice-key-0123456789abcdef";
let redis: RedisServer;
const instances: (RunningGateway & { url: string })[] = [];
const dirs: string[] = [];

function yaml(redisUrl: string, id: string, allowed: string): string {
  return `
capabilities: { enabled: false }
cluster: { redis_url: "${redisUrl}", instance_id: ${id}, key_prefix: "seams-scopes-${process.pid}:" }
auth:
  enabled: true
  api_keys:
    - { name: alice, key: "${hashKey(ALICE)}", allowed_tools: ${allowed} }
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
`;
}

/** Writes `text` as a ConfigMap update lands in a pod: a new folder, `..data` swapped to it. */
function mountConfigMap(dir: string, text: string, version: number): string {
  const folder = `..v${version}`;
  mkdirSync(join(dir, folder));
  writeFileSync(join(dir, folder, "gateway.yaml"), text);
  symlinkSync(folder, join(dir, "..data_tmp"));
  renameSync(join(dir, "..data_tmp"), join(dir, "..data"));
  const file = join(dir, "gateway.yaml");
  if (version === 1) symlinkSync("..data/gateway.yaml", file);
  return file;
}

beforeAll(async () => {
  if (!Bun.which("redis-server")) return;
  redis = await startRedis();
  const mounted = (id: string) => {
    const dir = tempDir();
    dirs.push(dir);
    return mountConfigMap(dir, yaml(redis.url, id, `["fixture:*"]`), 1);
  };
  instances.push(...(await startInProcess(mounted, { backend: "fixture" })));
});

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.stop()));
  await redis?.kill();
});

describe.skipIf(!Bun.which("redis-server"))("reload × narrowed scopes × a relayed session", () => {
  test("the owner's session hears tools/list_changed through the relay and follows the new scopes", async () => {
    const [a, b] = instances as [
      RunningGateway & { url: string },
      RunningGateway & { url: string },
    ];
    // The session opens on b; every later request (its stream too) arrives at a, relayed to b.
    let opened = false;
    const routed = (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(input instanceof Request ? input.url : input);
      url.host = new URL(opened ? a.url : b.url).host;
      opened = true;
      return fetch(url, init);
    };
    const client = new Client({ name: "scoped", version: "1" }, { capabilities: {} });
    let changed = 0;
    client.setNotificationHandler("notifications/tools/list_changed", async () => {
      changed++;
    });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${b.url}/mcp/fixture`), {
        requestInit: { headers: { Authorization: `Bearer ${ALICE}` } },
        fetch: routed,
      }),
    );
    try {
      const names = async () => (await client.listTools()).tools.map((tool) => tool.name);
      expect(await names()).toContain("pid");
      for (const [i, dir] of dirs.entries()) {
        mountConfigMap(dir, yaml(redis.url, i ? "b" : "a", `["fixture:echo"]`), 2);
      }
      await a.reload();
      await waitFor(() => changed > 0, 10_000);
      expect(await names()).toEqual(["echo"]);
      const pid = await client.callTool({ name: "pid", arguments: {} });
      expect(pid.isError).toBe(true);
      expect(firstText(await client.callTool({ name: "echo", arguments: { message: "ok" } }))).toBe(
        "ok",
      );
    } finally {
      await client.close().catch(() => {});
    }
  });
});
