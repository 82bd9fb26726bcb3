/**
 * 2025-11-25 sessions behind round robin while Redis is down. Before, an instance that did not
 * hold a session could not ask Redis who did and answered 404: the client opened a new session,
 * whose next request landed on the other instance, 404 again, so no session lasted two requests.
 * Now a session id starts with its owner's tag and the instances remember each other's URLs, so
 * the request is relayed to the owner; a tag nobody knows, or a forged one, is still a 404.
 */
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Client } from "@modelcontextprotocol/client";
import { waitFor } from "../helpers.ts";
import { initializeBody, MCP_HEADERS } from "../security/_helpers.ts";
import {
  ALICE,
  authYaml,
  BOB,
  clusterYaml,
  connectRouted,
  echo,
  type Running,
  roundRobin,
  useCluster,
} from "./_config.ts";

setDefaultTimeout(60_000);

const { redis, instances } = useCluster((redisUrl, id) =>
  clusterYaml(redisUrl, id, "redis-down-relay", authYaml({ alice: ALICE, bob: BOB })),
);

// Each instance read the list when it started; a's and b's next reads see each other.
beforeAll(() => Promise.all(instances.map((instance) => instance.cluster?.peers?.beat())));

/** A client behind a round-robin balancer: each request goes to the next instance. */
const behindBalancer = (key: string): Promise<Client> =>
  connectRouted(roundRobin(instances), { key, name: "behind-lb" });

describe.skipIf(!Bun.which("redis-server"))("sessions while Redis is down", () => {
  test("a session opened before and one opened during the outage both keep working behind round robin", async () => {
    const before = await behindBalancer(ALICE);
    try {
      expect(await echo(before, "up")).toBe("up");
      await redis.kill();
      await waitFor(() => instances.every((i) => i.cluster?.status().redis === "down"));
      for (let i = 0; i < 4; i++) expect(await echo(before, `down ${i}`)).toBe(`down ${i}`);
      const during = await behindBalancer(ALICE);
      try {
        for (let i = 0; i < 4; i++) expect(await echo(during, `new ${i}`)).toBe(`new ${i}`);
      } finally {
        await during.close().catch(() => {});
      }
    } finally {
      await before.close().catch(() => {});
    }
  });

  test("only the session's own caller is served through the relay; unknown or forged tags are 404", async () => {
    const [a, b] = instances as [Running, Running];
    const post = (url: string, key: string, body: unknown, session?: string) =>
      fetch(`${url}/mcp/fixture`, {
        method: "POST",
        headers: {
          ...MCP_HEADERS,
          authorization: `Bearer ${key}`,
          "mcp-protocol-version": "2025-11-25",
          ...(session ? { "mcp-session-id": session } : {}),
        },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
    const opened = await post(a.url, ALICE, initializeBody());
    const id = opened.headers.get("mcp-session-id")!;
    await opened.text();
    expect(id).toMatch(/^[0-9a-f]{8}\./);
    const ping = { jsonrpc: "2.0", id: 2, method: "ping" };
    // Alice's session asked of b: relayed to a, answered.
    expect((await post(b.url, ALICE, ping, id)).status).toBe(200);
    // Bob with alice's session id: a refuses him, through the relay too.
    expect((await post(b.url, BOB, ping, id)).status).toBe(403);
    // A tag no instance has, and the id of a session a never made: 404, nothing relayed.
    expect((await post(b.url, ALICE, ping, `deadbeef.${crypto.randomUUID()}`)).status).toBe(404);
    const forged = `${id.split(".")[0]}.${crypto.randomUUID()}`;
    expect((await post(b.url, ALICE, ping, forged)).status).toBe(404);
  });
});
