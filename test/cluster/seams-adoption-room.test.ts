/**
 * Adoption × `server.max_sessions`: a session adopted after its owner died counts under the
 * adopting instance's caps like one opened there. Before, adoption skipped the room check, so an
 * instance at its cap took on every session of a dead peer (its cap is what keeps it alive).
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { clusterYaml, connectRouted, echo, type Running, useCluster } from "./_config.ts";

setDefaultTimeout(60_000);

const { instances } = useCluster(
  (redisUrl, id) =>
    clusterYaml(redisUrl, id, "adoption-room", id === "b" ? "server: { max_sessions: 1 }" : ""),
  { ids: ["b", "c"], backend: "fixture" },
);

/** A client whose every request goes to `target.url`, which the test moves. */
const connect = (target: { url: string }): Promise<Client> =>
  connectRouted(() => target.url, { name: "room" });

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
