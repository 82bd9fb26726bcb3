/**
 * A reload across instances while Redis is away: a key revoked by a reload asked of one
 * instance during the outage is revoked on the other once Redis is back (the announcement was
 * lost; before, the other instance kept serving the revoked key until someone reloaded it).
 * The config is mounted as Kubernetes mounts a ConfigMap (gateway.yaml a symlink through
 * `..data`, which an update swaps), so no file watcher sees the change: only the announcement
 * tells an instance to re-read it.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RunningGateway } from "../../src/gateway/run.ts";
import { hashKey } from "../../src/security/keys.ts";
import { BUN, connectStateless, FIXTURE_SERVER, tempDir, waitFor } from "../helpers.ts";
import { startInProcess } from "./_instances.ts";
import { type RedisServer, startRedis } from "./_redis.ts";

setDefaultTimeout(60_000);

const LEAVER = "leaver-key-0123456789abcdef";
const ADMIN = "admin-key-0123456789abcdef";
let redis: RedisServer;
const instances: (RunningGateway & { url: string })[] = [];
const dirs: string[] = [];

function yaml(redisUrl: string, id: string, withLeaver: boolean): string {
  return `
capabilities: { enabled: false }
cluster: { redis_url: "${redisUrl}", instance_id: ${id}, key_prefix: "seams-reload-${process.pid}:" }
auth:
  enabled: true
  api_keys:
    - { name: admin, key: "${hashKey(ADMIN)}", admin: true }
${withLeaver ? `    - { name: leaver, key: "${hashKey(LEAVER)}" }` : ""}
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
`;
}

/**
 * Writes `text` as a ConfigMap update lands in a pod: a new timestamped folder, and the
 * `..data` symlink swapped to it in one rename; `gateway.yaml` itself never changes.
 */
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
    return mountConfigMap(dir, yaml(redis.url, id, true), 1);
  };
  instances.push(...(await startInProcess(mounted)));
});

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.stop()));
  await redis?.kill();
});

/** Whether `key` can still open an SDK client on `url` and call a tool there. */
async function serves(url: string, key: string): Promise<boolean> {
  try {
    const client = await connectStateless(url, { key, path: "/mcp/fixture" });
    try {
      const result = await client.callTool({ name: "echo", arguments: { message: "hi" } });
      return !result.isError;
    } finally {
      await client.close();
    }
  } catch {
    return false;
  }
}

describe.skipIf(!Bun.which("redis-server"))("reload × Redis outage × revoked key", () => {
  test("a key revoked by a reload during an outage is revoked on the other instance once Redis is back", async () => {
    const [a, b] = instances as [
      RunningGateway & { url: string },
      RunningGateway & { url: string },
    ];
    expect(await serves(a.url, LEAVER)).toBe(true);
    expect(await serves(b.url, LEAVER)).toBe(true);
    await redis.kill();
    await waitFor(
      () => a.cluster?.status().redis === "down" && b.cluster?.status().redis === "down",
    );
    // The ConfigMap both mount loses the key; the operator reloads one instance.
    for (const [i, dir] of dirs.entries())
      mountConfigMap(dir, yaml(redis.url, i ? "b" : "a", false), 2);
    await a.reload();
    expect(await serves(a.url, LEAVER)).toBe(false);
    // Longer than a connection attempt: the announcement is not held back and sent late.
    await Bun.sleep(3000);
    expect(await serves(b.url, LEAVER)).toBe(true);
    await redis.restart();
    await waitFor(() => a.cluster?.status().redis === "connected", 15_000);
    await waitFor(() => b.cluster?.status().redis === "connected", 15_000);
    // b never heard the announcement; it re-reads its file once Redis answers again.
    await waitFor(async () => !(await serves(b.url, LEAVER)), 10_000);
    expect(await serves(b.url, ADMIN)).toBe(true);
  });
});
