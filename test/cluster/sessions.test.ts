/**
 * Sessions across instances: three gateway processes on one real `redis-server`, behind a real
 * round-robin nginx. A session initialized on one instance goes on from the others (relayed to
 * its owner, progress included), and a stream whose instance is killed resumes on another with
 * `Last-Event-ID`, losing no event that was stored.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { initializeBody, MCP_HEADERS } from "../security/_helpers.ts";
import { clusterConfig, type Instance, startInstance, startProxy } from "./_instances.ts";
import { type RedisServer, startRedis } from "./_redis.ts";

setDefaultTimeout(60_000);

let redis: RedisServer;
let instances: Instance[] = [];
let nginx: Awaited<ReturnType<typeof startProxy>>;
/** A session opened on the instance the resume test kills, for the adoption race after it. */
let orphan: string | undefined;

beforeAll(async () => {
  if (!Bun.which("redis-server")) return;
  redis = await startRedis();
  const config = clusterConfig(redis.url);
  instances = await Promise.all(["a", "b", "c"].map((id) => startInstance(config, id)));
  nginx = await startProxy(instances.map((instance) => instance.port));
});

afterAll(async () => {
  await nginx?.stop();
  await Promise.all(instances.map((instance) => instance.kill()));
  await redis?.kill();
});

async function openSessions(): Promise<number[]> {
  return Promise.all(
    instances
      .filter((instance) => instance.process.exitCode === null && !instance.process.killed)
      .map(
        async (instance) =>
          ((await (await fetch(`${instance.url}/health`)).json()) as { sessions: number }).sessions,
      ),
  );
}

describe.skipIf(!Bun.which("redis-server"))(
  "sessions across three instances behind nginx (round robin)",
  () => {
    test("a session initialized on one instance goes on through the others, progress included", async () => {
      const client = new Client({ name: "cluster-test", version: "1.0.0" }, { capabilities: {} });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${nginx.url}/mcp/fixture`)));
      try {
        // Round robin: six calls land on every instance twice; only one of them holds the session.
        for (let i = 0; i < 6; i++) {
          const result = await client.callTool({ name: "echo", arguments: { message: `hi ${i}` } });
          expect((result.content as { text: string }[])[0]!.text).toBe(`hi ${i}`);
        }
        const progress: number[] = [];
        const result = await client.callTool(
          { name: "slow", arguments: { steps: 3, delayMs: 10 } },
          { onprogress: (p: { progress: number }) => progress.push(p.progress) },
        );
        expect((result.content as { text: string }[])[0]!.text).toBe("done 3");
        expect(progress).toEqual([1, 2, 3]);
        expect((await openSessions()).sort()).toEqual([0, 0, 1]);
      } finally {
        await client.close();
      }
    });

    test("a backend's request to the client (roots/list) reaches it, and its answer the owner, across instances", async () => {
      const client = new Client(
        { name: "cluster-roots", version: "1.0.0" },
        { capabilities: { roots: {} } },
      );
      client.setRequestHandler("roots/list", async () => ({ roots: [{ uri: "file:///cluster" }] }));
      await client.connect(new StreamableHTTPClientTransport(new URL(`${nginx.url}/mcp/fixture`)));
      try {
        // The call's stream comes back through whichever instance nginx picked; the client's
        // answer is a new POST that nginx sends to the next one; both are relayed to the owner.
        for (let i = 0; i < 3; i++) {
          const result = await client.callTool({ name: "roots", arguments: {} });
          expect((result.content as { text: string }[])[0]!.text).toContain("file:///cluster");
        }
      } finally {
        await client.close();
      }
    });

    test("2026-07-28 (stateless) requests are served by whichever instance gets them", async () => {
      const client = new Client(
        { name: "cluster-modern", version: "1.0.0" },
        { capabilities: {}, versionNegotiation: { mode: { pin: "2026-07-28" } } },
      );
      await client.connect(new StreamableHTTPClientTransport(new URL(`${nginx.url}/mcp/fixture`)));
      try {
        // Each instance runs its own fixture process: the pids say who served each call.
        const pids = new Set<string>();
        for (let i = 0; i < 6; i++) {
          const result = await client.callTool({ name: "pid", arguments: {} });
          pids.add((result.content as { text: string }[])[0]!.text);
        }
        expect(pids.size).toBe(3);
      } finally {
        await client.close();
      }
    });

    test("a stream whose instance is killed resumes on another with Last-Event-ID", async () => {
      const [a, b] = instances as [Instance, Instance];
      const headers = { ...MCP_HEADERS, "mcp-protocol-version": "2025-11-25" };
      const opened = await fetch(`${a.url}/mcp/fixture`, {
        method: "POST",
        headers,
        body: initializeBody(),
      });
      await opened.text();
      const session = opened.headers.get("mcp-session-id")!;
      const withSession = { ...headers, "mcp-session-id": session };
      await (
        await fetch(`${a.url}/mcp/fixture`, {
          method: "POST",
          headers: withSession,
          body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
        })
      ).text();
      const call = await fetch(`${a.url}/mcp/fixture`, {
        method: "POST",
        headers: withSession,
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 7,
          method: "tools/call",
          params: {
            name: "slow",
            arguments: { steps: 30, delayMs: 100 },
            _meta: { progressToken: "p" },
          },
        }),
      });
      const first = await readEvents(call.body!, 1);
      expect(first[0]!.progress).toBe(1);
      orphan = await openSession(a.url, headers);
      // Events keep being stored while the client is away; then the instance dies.
      await Bun.sleep(500);
      await a.kill();
      const resumed = await fetch(`${b.url}/mcp/fixture`, {
        headers: { ...withSession, accept: "text/event-stream", "last-event-id": first[0]!.id },
      });
      expect(resumed.status).toBe(200);
      const replayed = await readEvents(resumed.body!, 3);
      // Nothing stored was lost: the replay goes on from the event after the one last seen.
      expect(replayed.map((event) => event.progress)).toEqual([2, 3, 4]);
    });

    test("two instances that find a session's owner dead at once: one adopts it, the other relays to it", async () => {
      const [, b, c] = instances as [Instance, Instance, Instance];
      expect(orphan).toBeDefined();
      const before = await openSessions();
      const headers = {
        ...MCP_HEADERS,
        "mcp-protocol-version": "2025-11-25",
        "mcp-session-id": orphan!,
      };
      const call = (url: string, id: number) =>
        fetch(`${url}/mcp/fixture`, {
          method: "POST",
          headers,
          body: JSON.stringify({
            jsonrpc: "2.0",
            id,
            method: "tools/call",
            params: { name: "echo", arguments: { message: `race ${id}` } },
          }),
        }).then(async (response) => ({ status: response.status, text: await response.text() }));
      const answers = await Promise.all([call(b.url, 1), call(c.url, 2)]);
      expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
      expect(answers[0]!.text).toContain("race 1");
      expect(answers[1]!.text).toContain("race 2");
      // One copy of the session, not one on each.
      const after = await openSessions();
      const sum = (counts: number[]) => counts.reduce((x, y) => x + y, 0);
      expect(sum(after) - sum(before)).toBe(1);
    });
  },
);

/** Opens a 2025-11-25 session on `url` (initialize + initialized) and returns its id. */
async function openSession(url: string, headers: Record<string, string>): Promise<string> {
  const opened = await fetch(`${url}/mcp/fixture`, {
    method: "POST",
    headers,
    body: initializeBody(),
  });
  await opened.text();
  const session = opened.headers.get("mcp-session-id")!;
  await (
    await fetch(`${url}/mcp/fixture`, {
      method: "POST",
      headers: { ...headers, "mcp-session-id": session },
      body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
    })
  ).text();
  return session;
}

interface ProgressEvent {
  id: string;
  progress: number;
}

/** Reads SSE events carrying progress notifications until `count` arrived. */
async function readEvents(
  body: ReadableStream<Uint8Array>,
  count: number,
): Promise<ProgressEvent[]> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const events: ProgressEvent[] = [];
  let buffer = "";
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const id = /^id: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      const message = data ? (JSON.parse(data) as { params?: { progress?: number } }) : undefined;
      if (id && message?.params?.progress !== undefined) {
        events.push({ id, progress: message.params.progress });
      }
      end = buffer.indexOf("\n\n");
    }
  }
  await reader.cancel().catch(() => {});
  return events.slice(0, count);
}
