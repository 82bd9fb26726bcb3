/**
 * Redis going away × sessions owned by another instance: a session whose owner this instance
 * knows is relayed there; one it cannot place gets a refusal that says why (Redis is
 * unreachable, open a new session) instead of a bare "Session not found"; `/health` says
 * degraded; and once Redis is back the first session is reachable from anywhere again.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { RedisClient } from "bun";
import type { RunningGateway } from "../../src/gateway/run.ts";
import { waitFor } from "../helpers.ts";
import { clusterYaml, connectRouted, echo as echoWith, useCluster } from "./_config.ts";

setDefaultTimeout(60_000);

const { redis, instances } = useCluster((redisUrl, id) => clusterYaml(redisUrl, id, "seams-down"));

describe.skipIf(!Bun.which("redis-server"))("Redis down × sessions of another instance", () => {
  test("the refusal names Redis; /health degrades; the session is reachable again after", async () => {
    const [a, b] = instances as [
      RunningGateway & { url: string },
      RunningGateway & { url: string },
    ];
    let target = a.url;
    const client = await connectRouted(() => target, { name: "outage" });
    const echo = (message: string) => echoWith(client, message);
    try {
      target = b.url;
      expect(await echo("relayed")).toBe("relayed");
      await redis.kill();
      await waitFor(() => b.cluster?.status().redis === "down");
      // b knows a's tag from before the outage: the session is relayed there
      // (test/cluster/seams-redis-down-relay.test.ts); a session of an instance b never heard of
      // is refused, and the refusal says why.
      expect(await echo("relayed while down")).toBe("relayed while down");
      const unknown = await fetch(`${b.url}/mcp/fixture`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "mcp-protocol-version": "2025-11-25",
          "mcp-session-id": `0badc0de.${crypto.randomUUID()}`,
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
      });
      expect(unknown.status).toBe(404);
      const refused = await unknown.text();
      expect(refused).toContain("Redis");
      expect(refused).toContain("open a new session");
      const health = (await (await fetch(`${b.url}/health`)).json()) as { status: string };
      expect(health.status).toBe("degraded");
      // On its owner the session goes on; after the outage, from b again.
      target = a.url;
      expect(await echo("owner")).toBe("owner");
      await redis.restart();
      await waitFor(() => b.cluster?.status().redis === "connected", 15_000);
      target = b.url;
      expect(await echo("back")).toBe("back");
      // A Redis that comes back empty (restarted, flushed) before the owner has written its
      // sessions again: the id's tag still names the owner, so b relays instead of a 404.
      const raw = new RedisClient(redis.url);
      await raw.send("FLUSHALL", []);
      raw.close();
      expect(await echo("after a flush")).toBe("after a flush");
    } finally {
      await client.close().catch(() => {});
    }
  });
});
