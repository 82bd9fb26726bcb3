/**
 * A key's `rate_limit` × Redis restarted without persistence: the minute's count is put back
 * when Redis answers again (what this instance last saw), instead of starting from zero and
 * handing the key a second minute's worth at once.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { loadConfig } from "../../src/config/load.ts";
import { type RunningGateway, runGateway } from "../../src/gateway/run.ts";
import { hashKey } from "../../src/security/keys.ts";
import { freePort, waitFor, writeConfig } from "../helpers.ts";
import { initializeBody, MCP_HEADERS } from "../security/_helpers.ts";
import { type RedisServer, startRedis } from "./_redis.ts";

setDefaultTimeout(60_000);

const LIMITED = "limited-key-0123456789abcdef";
let redis: RedisServer;
let gateway: RunningGateway & { url: string };

beforeAll(async () => {
  if (!Bun.which("redis-server")) return;
  redis = await startRedis();
  const yaml = `
capabilities: { enabled: false }
cluster: { redis_url: "${redis.url}", instance_id: a, key_prefix: "seams-rate-${process.pid}:" }
auth:
  enabled: true
  api_keys:
    - { name: limited, key: "${hashKey(LIMITED)}", rate_limit: 4 }
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

async function initializeStatus(): Promise<number> {
  const response = await fetch(`${gateway.url}/mcp`, {
    method: "POST",
    headers: {
      ...MCP_HEADERS,
      authorization: `Bearer ${LIMITED}`,
      "mcp-protocol-version": "2025-11-25",
    },
    body: initializeBody(),
  });
  await response.text();
  return response.status;
}

describe.skipIf(!Bun.which("redis-server"))("rate_limit × Redis restarted empty", () => {
  test("the minute's count is put back: the key stays limited", async () => {
    for (let i = 0; i < 4; i++) expect(await initializeStatus()).toBe(200);
    expect(await initializeStatus()).toBe(429);
    await redis.kill();
    await waitFor(() => gateway.cluster?.status().redis === "down");
    await redis.restart();
    await waitFor(() => gateway.cluster?.status().redis === "connected", 15_000);
    await waitFor(
      async () => ((await gateway.cluster?.peek("rate:key:limited"))?.count ?? 0) >= 4,
      5_000,
    );
    expect(await initializeStatus()).toBe(429);
  });
});
