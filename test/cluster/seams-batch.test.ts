/**
 * A per-key `rate_limit` × a JSON-RPC batch × the session relay: a batch sent to an instance
 * that does not own the session is charged once, where it arrived (before, the owner charged
 * its extra messages again: a batch cost nearly twice its size, and one that fit the limit
 * was refused).
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import type { RunningGateway } from "../../src/gateway/run.ts";
import { initializeBody, MCP_HEADERS } from "../security/_helpers.ts";
import { authYaml, clusterYaml, useCluster } from "./_config.ts";

setDefaultTimeout(60_000);

const LIMITED = "limited-key-0123456789abcdef";

const { instances } = useCluster((redisUrl, id) =>
  clusterYaml(redisUrl, id, "seams-batch", authYaml({ limited: [LIMITED, "rate_limit: 8"] })),
);

describe.skipIf(!Bun.which("redis-server"))("rate_limit × batch × relay", () => {
  test("a batch relayed to the session's owner is charged once", async () => {
    const [a, b] = instances as [
      RunningGateway & { url: string },
      RunningGateway & { url: string },
    ];
    const headers = {
      ...MCP_HEADERS,
      authorization: `Bearer ${LIMITED}`,
      "mcp-protocol-version": "2025-03-26",
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
    // 2 of 8: the session opens on a, at 2025-03-26 (the revision whose clients may batch).
    const init = JSON.parse(initializeBody());
    init.params.protocolVersion = "2025-03-26";
    const opened = await post(a.url, init);
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
