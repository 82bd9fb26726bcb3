/**
 * An instance that stops while holding a 2025-11-25 session with a resource subscription. The
 * next instance the balancer sends the session to adopts it by replaying the client's
 * `initialize`, and nothing else: the subscription stayed behind with the dead instance, and
 * the client, which had subscribed and heard nothing to the contrary, never heard of an update
 * again. The session's record now lists its subscriptions, and an adopter subscribes again.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Client } from "@modelcontextprotocol/client";
import { loadConfig } from "../../src/config/load.ts";
import { type RunningGateway, runGateway } from "../../src/gateway/run.ts";
import { hashKey } from "../../src/security/keys.ts";
import { freePort, waitFor, writeConfig } from "../helpers.ts";
import { connectRouted, deliverPush, repoWebhookDir } from "./_config.ts";
import { type RedisServer, startRedis } from "./_redis.ts";

setDefaultTimeout(60_000);

const KEY = "adopt-subscription-key-0123456789abcdef";
const SECRET = "adopt-subscription-hook-secret";
const URI = "webhook://repo/push";
let redis: RedisServer;
const instances: (RunningGateway & { url: string })[] = [];
let client: Client | undefined;
const updates: string[] = [];
let deliveries = 0;

function deliver(url: string) {
  const body = JSON.stringify({ ref: `refs/heads/b${deliveries}` });
  return deliverPush(url, SECRET, body, `delivery-${deliveries++}`);
}

beforeAll(async () => {
  if (!Bun.which("redis-server")) return;
  redis = await startRedis();
  const dir = repoWebhookDir("cluster-12-adopt-sub-");

  for (const id of ["a", "b"]) {
    const yaml = `
capabilities: { directories: ["${dir}"], builtin: false }
cluster: { redis_url: "${redis.url}", instance_id: ${id}, key_prefix: "c12-adopt-sub-${process.pid}:" }
auth:
  enabled: true
  api_keys:
    - { name: ci, key: "${hashKey(KEY)}" }
`;
    const env = { ...process.env, GH_HOOK_SECRET: SECRET };
    instances.push(
      (await runGateway({
        config: loadConfig({ path: writeConfig(yaml), env }),
        port: await freePort(),
        memoryState: true,
        watch: false,
        env,
      })) as RunningGateway & { url: string },
    );
  }
});

afterAll(async () => {
  await client?.close().catch(() => {});
  await Promise.all(instances.map((instance) => instance.stop()));
  await redis?.kill();
});

describe.skipIf(!Bun.which("redis-server"))("a subscription × its instance stopping", () => {
  test("the instance that adopts the session subscribes again", async () => {
    const [a, b] = instances as [
      RunningGateway & { url: string },
      RunningGateway & { url: string },
    ];
    let to = a.url;
    client = await connectRouted(() => to, { key: KEY, path: "/mcp" });
    client.setNotificationHandler("notifications/resources/updated", (note) => {
      updates.push(note.params.uri);
    });
    await waitFor(async () => {
      const { resources } = await client!.listResources();
      return resources.some((resource) => resource.uri === URI);
    });
    await client.subscribeResource({ uri: URI });
    expect((await deliver(a.url)).status).toBe(200);
    await waitFor(() => updates.length > 0);

    // a goes (a rolling restart's SIGTERM); the balancer sends the session to b, which adopts it.
    await a.stop();
    to = b.url;
    updates.length = 0;
    await client.listResources();
    // Each try a new delivery, once the client's stream to b is open.
    await waitFor(async () => {
      expect((await deliver(b.url)).status).toBe(200);
      await Bun.sleep(200);
      return updates.includes(URI);
    }, 15_000);
  });
});
