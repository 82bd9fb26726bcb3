/**
 * `Last-Event-ID` × a Redis outage in the middle of a stream: the events sent while Redis was
 * down are kept in the instance's memory, those after it in Redis again. A client that resumes
 * must get exactly the events after the one it names, in the order they were sent. Before, a
 * replay read Redis's events and then the outage's: resuming after an event sent once Redis was
 * back re-sent the outage's events (older ones, again), and resuming after an outage's event
 * skipped every event sent since Redis came back (the call's answer among them).
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import type { RunningGateway } from "../../src/gateway/run.ts";
import { waitFor } from "../helpers.ts";
import { initializeBody, MCP_HEADERS } from "../security/_helpers.ts";
import { clusterYaml, useCluster } from "./_config.ts";

setDefaultTimeout(120_000);

const { redis, instances } = useCluster(
  (redisUrl, id) => clusterYaml(redisUrl, id, "seams-10-resume"),
  { ids: ["a"], backend: "fixture" },
);

interface Event {
  id: string;
  data: { id?: unknown; method?: string; params?: { progress?: number }; result?: unknown };
}

/** Reads SSE events from `response` and hands each to `each` until the stream ends or `until`. */
async function readEvents(
  response: Response,
  each: (event: Event) => void | Promise<void>,
  until?: Promise<unknown>,
): Promise<void> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const stop = until?.then(() => reader.cancel());
  for (;;) {
    const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const id = /^id: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.+)$/m.exec(block)?.[1];
      if (id && data) await each({ id, data: JSON.parse(data) });
    }
  }
  await stop;
}

/** What an event is, for comparing: a step's progress, or the call's answer. */
const label = (event: Event) =>
  event.data.method === "notifications/progress"
    ? `progress ${event.data.params?.progress}`
    : event.data.result
      ? "answer"
      : JSON.stringify(event.data);

describe.skipIf(!Bun.which("redis-server"))("resuming a stream that spanned a Redis outage", () => {
  test("a replay sends the events after the one named, in the order they were sent", async () => {
    const [a] = instances as [RunningGateway & { url: string }];
    const url = `${a.url}/mcp/fixture`;
    const opened = await fetch(url, {
      method: "POST",
      headers: { ...MCP_HEADERS, "mcp-protocol-version": "2025-11-25" },
      body: initializeBody(),
    });
    await opened.text();
    const session = opened.headers.get("mcp-session-id")!;
    const headers = {
      ...MCP_HEADERS,
      "mcp-protocol-version": "2025-11-25",
      "mcp-session-id": session,
    };
    await fetch(url, {
      method: "POST",
      headers,
      body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
    }).then((response) => response.text());
    // Eight steps of progress; Redis goes down after the second and is back before the sixth.
    const call = await fetch(url, {
      method: "POST",
      headers,
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 7,
        method: "tools/call",
        params: {
          name: "slow",
          arguments: { steps: 8, delayMs: 600 },
          _meta: { progressToken: "p" },
        },
      }),
    });
    const live: Event[] = [];
    await readEvents(call, async (event) => {
      live.push(event);
      const step = event.data.params?.progress;
      if (step === 2) {
        await redis.kill();
        await waitFor(() => a.cluster?.status().redis === "down");
      }
      if (step === 4) {
        await redis.restart();
        await waitFor(() => a.cluster?.status().redis === "connected", 15_000);
      }
    });
    const sent = live.filter((event) => event.data.method || event.data.result);
    expect(sent.map(label)).toEqual([
      ...[1, 2, 3, 4, 5, 6, 7, 8].map((step) => `progress ${step}`),
      "answer",
    ]);
    // Resuming after each of these: one stored before the outage is gone with Redis's memory
    // (it restarted empty), so from the outage's first event on.
    const resume = async (after: Event): Promise<string[]> => {
      const response = await fetch(url, {
        headers: { ...headers, accept: "text/event-stream", "last-event-id": after.id },
      });
      const replayed: Event[] = [];
      await readEvents(response, (event) => void replayed.push(event), Bun.sleep(1500));
      return replayed.filter((event) => event.data.method || event.data.result).map(label);
    };
    const later = (index: number) => sent.slice(index + 1).map(label);
    // After an event sent while Redis was down: every later one, those since it came back too.
    expect(await resume(sent[2]!)).toEqual(later(2));
    // After the last progress (sent once Redis was back): the answer alone.
    expect(await resume(sent[7]!)).toEqual(later(7));
  });
});
