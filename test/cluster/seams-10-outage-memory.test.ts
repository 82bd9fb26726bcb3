/**
 * A Redis outage × the sessions' `Last-Event-ID` buffers: while Redis is down an instance keeps
 * each session's events in its own memory. Those count in `server.event_buffer_bytes` as a
 * single instance's do (the idlest sessions lose their oldest events first); before, each
 * session kept up to 1 MiB of them outside that total, for as long as it lived (the outage's
 * events are never moved to Redis), and `/health` said nothing was buffered: 2,000 sessions
 * streaming through a ten-minute outage could hold 2 GB.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import type { RunningGateway } from "../../src/gateway/run.ts";
import { waitFor } from "../helpers.ts";
import { initializeBody, MCP_HEADERS } from "../security/_helpers.ts";
import { clusterYaml, useCluster } from "./_config.ts";

setDefaultTimeout(120_000);

const BUDGET = 65_536;

const { redis, instances } = useCluster(
  (redisUrl, id) =>
    clusterYaml(redisUrl, id, "seams-10-memory", `server: { event_buffer_bytes: ${BUDGET} }`),
  { ids: ["a"], backend: "fixture" },
);

/** The SSE events of `response` as [id, data], read until it ends or `ms` pass. */
async function events(response: Response, ms: number): Promise<[string, string][]> {
  const reader = response.body!.getReader();
  const timer = setTimeout(() => void reader.cancel().catch(() => {}), ms);
  let text = "";
  const decoder = new TextDecoder();
  for (;;) {
    const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  clearTimeout(timer);
  return text
    .split("\n\n")
    .map((block): [string, string] => [
      /^id: (.*)$/m.exec(block)?.[1] ?? "",
      /^data: ?(.*)$/m.exec(block)?.[1] ?? "",
    ])
    .filter(([id]) => id);
}

describe.skipIf(!Bun.which("redis-server"))("events kept during a Redis outage", () => {
  test("count in server.event_buffer_bytes across sessions", async () => {
    const [a] = instances as [RunningGateway & { url: string }];
    const url = `${a.url}/mcp/fixture`;
    const sessions: Record<string, string>[] = [];
    for (let i = 0; i < 4; i++) {
      const opened = await fetch(url, {
        method: "POST",
        headers: { ...MCP_HEADERS, "mcp-protocol-version": "2025-11-25" },
        body: initializeBody(),
      });
      await opened.text();
      const headers = {
        ...MCP_HEADERS,
        "mcp-protocol-version": "2025-11-25",
        "mcp-session-id": opened.headers.get("mcp-session-id")!,
      };
      await fetch(url, {
        method: "POST",
        headers,
        body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
      }).then((response) => response.text());
      sessions.push(headers);
    }
    await redis.kill();
    await waitFor(() => a.cluster?.status().redis === "down");
    // Four sessions, three answers of 50 KB each: 600 KB, nine times the budget.
    const streams: { headers: Record<string, string>; first: string }[] = [];
    const message = "x".repeat(50_000);
    for (const headers of sessions) {
      for (let call = 0; call < 3; call++) {
        const response = await fetch(url, {
          method: "POST",
          headers,
          body: JSON.stringify({
            jsonrpc: "2.0",
            id: call + 1,
            method: "tools/call",
            params: { name: "echo", arguments: { message } },
          }),
        });
        const sent = await events(response, 10_000);
        expect(sent.at(-1)![1]).toContain(message);
        // The stream's first event (the SDK's priming one): a resume after it replays the rest.
        streams.push({ headers, first: sent[0]![0] });
      }
    }
    // What the instance can still replay is what it holds.
    let held = 0;
    for (const { headers, first } of streams) {
      const response = await fetch(url, {
        headers: { ...headers, accept: "text/event-stream", "last-event-id": first },
      });
      for (const [, data] of await events(response, 400)) held += data.length;
    }
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThanOrEqual(BUDGET);
    // And /health says so.
    const health = (await (await fetch(`${a.url}/health`)).json()) as {
      sessionLimits: { bufferedBytes: number; maxBufferedBytes: number };
    };
    expect(health.sessionLimits.bufferedBytes).toBeGreaterThan(0);
    expect(health.sessionLimits.bufferedBytes).toBeLessThanOrEqual(BUDGET);
    await redis.restart();
  });
});
