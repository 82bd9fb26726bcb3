/**
 * Webhooks in a cluster: two gateway instances on one real `redis-server`. A signed delivery the
 * load balancer sends to one instance reaches a session subscribed on the other (and its
 * `webhook://` resource there), and the same delivery sent again to the other instance is a
 * replay (409), as it would be on one instance.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { loadConfig } from "../../src/config/load.ts";
import { type RunningGateway, runGateway } from "../../src/gateway/run.ts";
import { hashKey } from "../../src/security/keys.ts";
import { type ConnectedClient, freePort, waitFor, writeConfig } from "../helpers.ts";
import { connectWithKey } from "../security/_helpers.ts";
import { deliverPush, repoWebhookDir } from "./_config.ts";
import { type RedisServer, startRedis } from "./_redis.ts";

setDefaultTimeout(30_000);

const KEY = "webhook-cluster-key-0123456789abcdef";
const SECRET = "gh-secret-for-the-cluster-test";
let redis: RedisServer;
const instances: (RunningGateway & { url: string })[] = [];
let subscriber: ConnectedClient;
const updates: string[] = [];

const github = (url: string, body: string, delivery: string) =>
  deliverPush(url, SECRET, body, delivery);

beforeAll(async () => {
  if (!Bun.which("redis-server")) return;
  redis = await startRedis();
  const dir = repoWebhookDir("cluster-webhooks-");

  for (const id of ["a", "b"]) {
    const yaml = `
capabilities: { directories: ["${dir}"], builtin: false }
cluster: { redis_url: "${redis.url}", instance_id: ${id}, key_prefix: "webhooks-${process.pid}:" }
auth:
  enabled: true
  api_keys:
    - { name: ci, key: "${hashKey(KEY)}", admin: true }
`;
    const env = { ...process.env, GH_HOOK_SECRET: SECRET };
    const running = await runGateway({
      config: loadConfig({ path: writeConfig(yaml), env }),
      port: await freePort(),
      memoryState: true,
      watch: false,
      env,
    });
    instances.push(running as RunningGateway & { url: string });
  }
  subscriber = await connectWithKey(instances[1]!.url, KEY);
  subscriber.client.setNotificationHandler("notifications/resources/updated", (note) => {
    updates.push(note.params.uri);
  });
  await waitFor(async () => {
    const { resources } = await subscriber.client.listResources();
    return resources.some((resource) => resource.uri === "webhook://repo/push");
  });
  await subscriber.client.subscribeResource({ uri: "webhook://repo/push" });
});

afterAll(async () => {
  await subscriber?.close();
  await Promise.all(instances.map((instance) => instance.stop()));
  await redis?.kill();
});

describe.skipIf(!Bun.which("redis-server"))("webhooks in a cluster of two instances", () => {
  test("a delivery received by one instance reaches a session subscribed on the other", async () => {
    const [a, b] = instances as [
      RunningGateway & { url: string },
      RunningGateway & { url: string },
    ];
    const body = JSON.stringify({ ref: "refs/heads/main" });
    const response = await github(a.url, body, "cluster-delivery-1");
    expect(response.status).toBe(200);
    await waitFor(() => updates.includes("webhook://repo/push"));
    const read = await subscriber.client.readResource({ uri: "webhook://repo/push" });
    const kept = JSON.parse((read.contents[0] as { text: string }).text);
    expect(kept.deliveries[0].data).toEqual({ ref: "refs/heads/main" });
    // The same delivery sent again, to the other instance: a replay there too.
    const again = await github(b.url, body, "cluster-delivery-1");
    expect(again.status).toBe(409);
  });

  test("after Redis restarts empty, a delivery taken before is still a replay on the other instance", async () => {
    const [a, b] = instances as [
      RunningGateway & { url: string },
      RunningGateway & { url: string },
    ];
    const body = JSON.stringify({ ref: "refs/heads/release" });
    expect((await github(a.url, body, "cluster-delivery-2")).status).toBe(200);
    await redis.kill();
    await waitFor(() => a.cluster?.status().redis === "down");
    await redis.restart();
    await waitFor(
      () => instances.every((instance) => instance.cluster?.status().redis === "connected"),
      15_000,
    );
    // a wrote what it took back when Redis answered: b finds it there.
    const key = "webhook-seen:webhook://repo/push:cluster-delivery-2";
    await waitFor(async () => (await b.cluster?.get(key)) !== undefined, 15_000);
    expect((await github(b.url, body, "cluster-delivery-2")).status).toBe(409);
  });
});
