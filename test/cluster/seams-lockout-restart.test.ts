/**
 * The wrong-key lockout × Redis restarted without persistence: an address locked out by
 * wrong keys stays locked out on the instance that counted them (its own count still holds),
 * instead of being forgiven because the shared counter is gone.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { loadConfig } from "../../src/config/load.ts";
import { type RunningGateway, runGateway } from "../../src/gateway/run.ts";
import { hashKey } from "../../src/security/keys.ts";
import { connectStateless, freePort, waitFor, writeConfig } from "../helpers.ts";
import { initializeBody, MCP_HEADERS } from "../security/_helpers.ts";
import { type RedisServer, startRedis } from "./_redis.ts";

setDefaultTimeout(60_000);

const ADMIN = "admin-key-0123456789abcdef";
let redis: RedisServer;
let gateway: RunningGateway & { url: string };

beforeAll(async () => {
  if (!Bun.which("redis-server")) return;
  redis = await startRedis();
  const yaml = `
capabilities: { enabled: false }
cluster: { redis_url: "${redis.url}", instance_id: a, key_prefix: "seams-lockout-${process.pid}:" }
auth:
  enabled: true
  lockout: { failures: 3, window: 5m, loopback: true }
  api_keys:
    - { name: admin, key: "${hashKey(ADMIN)}", admin: true }
`;
  gateway = (await runGateway({
    config: loadConfig({ path: writeConfig(yaml) }),
    port: await freePort(),
    memoryState: true,
    watch: false,
  })) as RunningGateway & { url: string };
});

afterAll(async () => {
  await gateway?.stop();
  await redis?.kill();
});

/** Whether the SDK's client gets in with `key`; the error text when it does not. */
async function tryKey(key: string): Promise<string> {
  try {
    const client = await connectStateless(gateway.url, { key });
    await client.close();
    return "in";
  } catch (error) {
    return (error as Error).message;
  }
}

/** The status of an `initialize` with `key` (the SDK's client reads a 429 as no discovery). */
async function statusWith(key: string): Promise<number> {
  const response = await fetch(`${gateway.url}/mcp`, {
    method: "POST",
    headers: {
      ...MCP_HEADERS,
      authorization: `Bearer ${key}`,
      "mcp-protocol-version": "2025-11-25",
    },
    body: initializeBody(),
  });
  await response.text();
  return response.status;
}

describe.skipIf(!Bun.which("redis-server"))("lockout × Redis restarted empty", () => {
  test("three wrong keys keep the address locked out after Redis comes back empty", async () => {
    for (let i = 0; i < 3; i++) expect(await tryKey(`wrong-${i}`)).toContain("401");
    expect(await statusWith(ADMIN)).toBe(429);
    await redis.kill();
    await waitFor(() => gateway.cluster?.status().redis === "down");
    await redis.restart();
    await waitFor(() => gateway.cluster?.status().redis === "connected", 15_000);
    expect(await statusWith(ADMIN)).toBe(429);
  });
});
