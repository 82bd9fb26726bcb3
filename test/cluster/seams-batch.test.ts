/**
 * A per-key `rate_limit` × a JSON-RPC batch × the session relay: a batch sent to an instance
 * that does not own the session is charged once, where it arrived (before, the owner charged
 * its extra messages again: a batch cost nearly twice its size, and one that fit the limit
 * was refused).
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { RunningGateway } from "../../src/gateway/run.ts";
import { hashKey } from "../../src/security/keys.ts";
import { BUN, FIXTURE_SERVER, writeConfig } from "../helpers.ts";
import { initializeBody, MCP_HEADERS } from "../security/_helpers.ts";
import { startInProcess } from "./_instances.ts";
import { type RedisServer, startRedis } from "./_redis.ts";

setDefaultTimeout(60_000);

const LIMITED = "limited-key-0123456789abcdef";
let redis: RedisServer;
const instances: (RunningGateway & { url: string })[] = [];

function yaml(redisUrl: string, id: string): string {
  return `
capabilities: { enabled: false }
cluster: { redis_url: "${redisUrl}", instance_id: ${id}, key_prefix: "seams-batch-${process.pid}:" }
auth:
  enabled: true
  api_keys:
    - { name: limited, key: "${hashKey(LIMITED)}", rate_limit: 8 }
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
`;
}

beforeAll(async () => {
  if (!Bun.which("redis-server")) return;
  redis = await startRedis();
  instances.push(
    ...(await startInProcess((id) => writeConfig(yaml(redis.url, id)), { backend: "fixture" })),
  );
});

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.stop()));
  await redis?.kill();
});

describe.skipIf(!Bun.which("redis-server"))("rate_limit × batch × relay", () => {
  test("a batch relayed to the session's owner is charged once", async () => {
    const [a, b] = instances as [
      RunningGateway & { url: string },
      RunningGateway & { url: string },
    ];
    const headers = {
      ...MCP_HEADERS,
      authorization: `Bearer ${LIMITED}`,
      "mcp-protocol-version": "2025-11-25",
    };
    const post = async (url: string, body: unknown, session?: string) => {
      const response = await fetch(`${url}/mcp/fixture`, {
        method: "POST",
        headers: session ? { ...headers, "mcp-session-id": session } : headers,
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
      return {
        status: response.status,
        session: response.headers.get("mcp-session-id"),
        text: await response.text(),
      };
    };
    // 2 of 8: the session opens on a.
    const opened = await post(a.url, initializeBody());
    const session = opened.session!;
    await post(a.url, { jsonrpc: "2.0", method: "notifications/initialized" }, session);
    // 5 more: a batch of five pings at b, relayed to a. 7 of 8.
    const pings = [1, 2, 3, 4, 5].map((id) => ({ jsonrpc: "2.0", id, method: "ping" }));
    const batch = await post(b.url, pings, session);
    expect(batch.status).toBe(200);
    expect(batch.text).toContain('"id":5');
    // The eighth message fits; the ninth is over, on either instance.
    const ping = (id: number) => ({ jsonrpc: "2.0", id, method: "ping" });
    expect((await post(b.url, ping(6), session)).status).toBe(200);
    expect((await post(a.url, ping(7), session)).status).toBe(429);
    expect((await post(b.url, ping(8), session)).status).toBe(429);
  });
});
