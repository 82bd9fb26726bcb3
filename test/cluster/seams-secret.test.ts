/**
 * Two instances that start while Redis is down × the relay secret: each picks its own, and
 * once Redis answers they agree on one (Redis's), so a request one relays to the other is
 * known there as relayed (before, each kept its own: the owner took relayed requests for a
 * client's, charging a key's rate limit twice and dropping a relayed client certificate).
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { RunningGateway } from "../../src/gateway/run.ts";
import { hashKey } from "../../src/security/keys.ts";
import { BUN, FIXTURE_SERVER, waitFor, writeConfig } from "../helpers.ts";
import { initializeBody, MCP_HEADERS } from "../security/_helpers.ts";
import { startInProcess } from "./_instances.ts";
import { type RedisServer, startRedis } from "./_redis.ts";

setDefaultTimeout(60_000);

const LIMITED = "limited-key-0123456789abcdef";
let redis: RedisServer;
const instances: (RunningGateway & { url: string })[] = [];

beforeAll(async () => {
  if (!Bun.which("redis-server")) return;
  redis = await startRedis();
  await redis.kill();
  const yaml = (id: string) => `
capabilities: { enabled: false }
cluster: { redis_url: "${redis.url}", instance_id: ${id}, key_prefix: "seams-secret-${process.pid}:" }
auth:
  enabled: true
  api_keys:
    - { name: limited, key: "${hashKey(LIMITED)}", rate_limit: 5 }
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
`;
  instances.push(...(await startInProcess((id) => writeConfig(yaml(id)), { backend: "fixture" })));
  await redis.restart();
  await waitFor(() => instances.every((i) => i.cluster?.status().redis === "connected"), 15_000);
});

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.stop()));
  await redis?.kill();
});

describe.skipIf(!Bun.which("redis-server"))(
  "relay secret × instances started during an outage",
  () => {
    test("relayed requests are charged once once Redis is up", async () => {
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
        await response.text();
        return { status: response.status, session: response.headers.get("mcp-session-id") };
      };
      // 2 of 5 on a; then three pings through b, relayed to a: 5 of 5, all answered.
      const session = (await post(a.url, initializeBody())).session!;
      await post(a.url, { jsonrpc: "2.0", method: "notifications/initialized" }, session);
      const statuses: number[] = [];
      for (let id = 1; id <= 3; id++) {
        statuses.push((await post(b.url, { jsonrpc: "2.0", id, method: "ping" }, session)).status);
      }
      expect(statuses).toEqual([200, 200, 200]);
    });
  },
);
