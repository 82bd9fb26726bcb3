/**
 * A rolling restart stops the instance a call was relayed through while the call still runs on
 * the instance that owns its session. The stopping instance's shutdown waited only for the calls
 * of its own sessions: it cut the relayed call's stream at once, and its client had to resume
 * the stream elsewhere (`Last-Event-ID`), which it cannot do before it has read the stream's
 * first event (under load, a call cut 100 ms after it was sent): nobody ever answered it, and
 * the client waited for its own timeout (seams-11-rolling, 1 run in 3 at load 13). Now a
 * relayed call counts as in flight there: the shutdown waits for its answer, which comes on the
 * stream the client has, up to `server.shutdown_timeout`; then it is answered with an error
 * saying the outcome is unknown. The client never has to resume.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { firstText, waitFor } from "../helpers.ts";
import { clusterYaml, echo, type Running, useCluster } from "./_config.ts";

setDefaultTimeout(120_000);

const { instances } = useCluster(
  (redisUrl, id) => clusterYaml(redisUrl, id, "relay-12-stops", "server: { shutdown_timeout: 3s }"),
  { ids: ["a", "b", "c"], backend: "fixture" },
);

/**
 * A client whose requests go to `to()`'s instance (a balancer), counting the resumptions it
 * sends (GETs with `Last-Event-ID`).
 */
async function routedClient(to: () => string): Promise<{ client: Client; resumed: () => number }> {
  let resumed = 0;
  const routed = (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : input);
    url.host = new URL(to()).host;
    if (init?.method === "GET" && new Headers(init.headers).has("last-event-id")) resumed++;
    return fetch(url, init);
  };
  const client = new Client({ name: "relay-12", version: "1" }, { capabilities: {} });
  await client.connect(
    new StreamableHTTPClientTransport(new URL("http://127.0.0.1:1/mcp/fixture"), {
      fetch: routed,
    }),
  );
  return { client, resumed: () => resumed };
}

/** Starts a `slow` call through `client`; resolves once its first progress arrived. */
async function slowCall(
  client: Client,
  steps: number,
  delayMs: number,
): Promise<{ outcome: Promise<string> }> {
  let progressed = 0;
  const outcome = client
    .callTool(
      { name: "slow", arguments: { steps, delayMs } },
      { timeout: 60_000, onprogress: () => progressed++ },
    )
    .then(firstText, (error: Error) => `failed: ${error.message}`);
  await waitFor(() => progressed > 0);
  return { outcome };
}

describe.skipIf(!Bun.which("redis-server"))("the relaying instance stops mid-call", () => {
  test("its shutdown waits for the relayed call: the result comes on the client's stream", async () => {
    const [a, b] = instances as [Running, Running];
    let target = a.url;
    const { client, resumed } = await routedClient(() => target);
    try {
      expect(await echo(client, "on a")).toBe("on a");
      // Through b, relayed to a, which owns the session.
      target = b.url;
      const { outcome } = await slowCall(client, 6, 300);
      // The balancer sends what comes next to a; b stops (SIGTERM: drain).
      target = a.url;
      await b.stop();
      expect(await outcome).toBe("done 6");
      expect(resumed()).toBe(0);
      expect(await echo(client, "after")).toBe("after");
    } finally {
      await client.close().catch(() => {});
    }
  });

  test("a relayed call that outlasts the shutdown_timeout is answered: the outcome is unknown", async () => {
    const [a, , c] = instances as [Running, Running, Running];
    let target = a.url;
    const { client, resumed } = await routedClient(() => target);
    try {
      expect(await echo(client, "on a")).toBe("on a");
      target = c.url;
      const call = await slowCall(client, 40, 500);
      const started = performance.now();
      target = a.url;
      await c.stop();
      const outcome = await call.outcome;
      // The shutdown_timeout (3 s) after the stop, not the call's 20 s.
      expect(performance.now() - started).toBeLessThan(15_000);
      expect(outcome).toStartWith("failed:");
      expect(outcome).toContain("shut down before the answer came");
      expect(outcome).toContain("may or may not have run");
      expect(resumed()).toBe(0);
      expect(await echo(client, "after")).toBe("after");
    } finally {
      await client.close().catch(() => {});
    }
  });
});
