/**
 * Adoption × `server.max_sessions`: a session adopted after its owner died counts under the
 * adopting instance's caps like one opened there. Before, adoption skipped the room check, so an
 * instance at its cap took on every session of a dead peer (its cap is what keeps it alive).
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import type { RunningGateway } from "../../src/gateway/run.ts";
import { BUN, FIXTURE_SERVER, firstText, writeConfig } from "../helpers.ts";
import { startInProcess } from "./_instances.ts";
import { type RedisServer, startRedis } from "./_redis.ts";

setDefaultTimeout(60_000);

type Running = RunningGateway & { url: string };
let redis: RedisServer;
let instances: Running[] = [];

const yaml = (redisUrl: string, id: string) => `
capabilities: { enabled: false }
${id === "b" ? "server: { max_sessions: 1 }" : ""}
cluster: { redis_url: "${redisUrl}", instance_id: ${id}, key_prefix: "adoption-room-${process.pid}:" }
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
`;

beforeAll(async () => {
  if (!Bun.which("redis-server")) return;
  redis = await startRedis();
  instances = await startInProcess((id) => writeConfig(yaml(redis.url, id)), {
    ids: ["b", "c"],
    backend: "fixture",
  });
});

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.stop()));
  await redis?.kill();
});

/** A client whose every request goes to `target.url`, which the test moves. */
async function connect(target: { url: string }): Promise<Client> {
  const routed = (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : input);
    url.host = new URL(target.url).host;
    return fetch(url, init);
  };
  const client = new Client({ name: "room", version: "1" }, { capabilities: {} });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${target.url}/mcp/fixture`), { fetch: routed }),
  );
  return client;
}

const echo = async (client: Client, message: string) =>
  firstText(await client.callTool({ name: "echo", arguments: { message } }));

describe.skipIf(!Bun.which("redis-server"))("adoption × server.max_sessions", () => {
  test("an instance at its cap refuses to adopt with a 503 naming the cap, and adopts once it has room", async () => {
    const [b, c] = instances as [Running, Running];
    const onB = await connect({ url: b.url });
    const target = { url: c.url };
    const orphan = await connect(target);
    try {
      expect(await echo(onB, "b's own")).toBe("b's own");
      expect(await echo(orphan, "on c")).toBe("on c");
      await c.stop();
      target.url = b.url;
      // b holds one active session (used just now): no room for c's.
      const refused = await echo(orphan, "adopt?").catch((error: Error) => error.message);
      expect(refused).toContain("max_sessions");
      // b's own session is untouched; once it is gone there is room.
      expect(await echo(onB, "still here")).toBe("still here");
      await (onB.transport as StreamableHTTPClientTransport).terminateSession();
      expect(await echo(orphan, "adopted")).toBe("adopted");
    } finally {
      await Promise.all([onB, orphan].map((client) => client.close().catch(() => {})));
    }
  });
});
