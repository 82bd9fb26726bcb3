/**
 * An outside tester at the seams (round 9): the many kinds of MCP client. Not only the SDK's
 * client: Claude Desktop's spawned `serve --stdio`, clients of each protocol revision, and raw
 * HTTP as real clients write it (batches, string ids, progress tokens of every type, a
 * cancellation in flight), each crossed with the gateway's paths (`/mcp` with gateway_invoke,
 * `/mcp/{backend}`).
 */
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  BUN,
  cleanupsAfterAll,
  FIXTURE_SERVER,
  ROOT,
  startGateway,
  tempDir,
  waitFor,
} from "../helpers.ts";
import { MCP_HEADERS } from "../security/_helpers.ts";

setDefaultTimeout(40_000);
const cleanups = cleanupsAfterAll();

type Message = { id?: unknown; result?: Record<string, unknown>; error?: { code: number } };

/**
 * `serve --stdio` spawned as Claude Desktop spawns it (a config file, newline-delimited JSON-RPC
 * on stdin and stdout): `send` writes a raw line; `lines` is every line it printed on stdout.
 */
function spawnStdio(config: string) {
  const child = Bun.spawn(
    [BUN, join(ROOT, "src/main.ts"), "serve", "--stdio", "--config", config],
    {
      stdin: "pipe",
      stdout: "pipe",
      stderr: "ignore",
      env: { ...process.env, XDG_STATE_HOME: tempDir() },
    },
  );
  cleanups.push(() => child.kill());
  let out = "";
  void (async () => {
    for await (const chunk of child.stdout) out += new TextDecoder().decode(chunk);
  })();
  const lines = () => out.split("\n").filter(Boolean);
  const messages = () => lines().map((line) => JSON.parse(line) as Message);
  const send = (line: string) => {
    child.stdin.write(`${line}\n`);
    child.stdin.flush();
  };
  /** The answer to `id`, once it is on stdout. */
  const answer = (id: unknown, timeoutMs = 10_000): Promise<Message> =>
    waitFor(
      () => messages().find((m) => m.id === id && ("result" in m || "error" in m)),
      timeoutMs,
    ) as Promise<Message>;
  return { child, send, lines, messages, answer };
}

const fixtureConfig = (dir: string, log = join(dir, "fixture.log")) =>
  `capabilities: { enabled: false }\nbackends:\n  fixture:\n    command: ${BUN}\n    args: ["${FIXTURE_SERVER}"]\n    env: { FIXTURE_LOG: "${log}" }\n`;

describe("serve --stdio as a desktop client spawns it", () => {
  const dir = tempDir();
  const config = join(dir, "gateway.yaml");
  writeFileSync(config, fixtureConfig(dir));
  const stdio = spawnStdio(config);

  test("a 2025-03-26 client's JSON-RPC batch is answered, each request on its own line", async () => {
    stdio.send(
      JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: {
          protocolVersion: "2025-03-26",
          capabilities: {},
          clientInfo: { name: "claude-ai", version: "0.1.0" },
        },
      }),
    );
    expect((await stdio.answer(1, 20_000)).result?.protocolVersion).toBe("2025-03-26");
    stdio.send(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }));
    // 2025-03-26: servers MUST support receiving batches. The SDK's stdio reader dropped the
    // whole line: neither request was ever answered.
    stdio.send(
      JSON.stringify([
        { jsonrpc: "2.0", id: 2, method: "ping" },
        { jsonrpc: "2.0", id: 3, method: "tools/list" },
        { jsonrpc: "2.0", method: "notifications/roots/list_changed" },
      ]),
    );
    expect((await stdio.answer(2)).result).toEqual({});
    expect((await stdio.answer(3)).result?.tools).toBeArray();
  });

  test("the 2025-03-26 client gets no resource_link block (its revision has none)", async () => {
    stdio.send(
      JSON.stringify({
        jsonrpc: "2.0",
        id: "rich",
        method: "tools/call",
        params: { name: "gateway_invoke", arguments: { server: "fixture", tool: "rich" } },
      }),
    );
    const content = (await stdio.answer("rich")).result?.content as { type: string }[];
    expect(content.map((block) => block.type)).toContain("audio");
    expect(content.map((block) => block.type)).not.toContain("resource_link");
  });

  test("a request the schema refuses is answered with its id, a line that is not JSON with -32700", async () => {
    // A fractional progress token: the HTTP front answers 400 with the id; stdio said nothing.
    stdio.send(
      JSON.stringify({
        jsonrpc: "2.0",
        id: "bad-1",
        method: "tools/call",
        params: { name: "gateway_list_servers", arguments: {}, _meta: { progressToken: 1.5 } },
      }),
    );
    expect((await stdio.answer("bad-1")).error?.code).toBe(-32600);
    stdio.send("this is not JSON");
    await waitFor(() => stdio.messages().some((m) => m.id === null && m.error?.code === -32700));
    // The connection still serves.
    stdio.send(JSON.stringify({ jsonrpc: "2.0", id: 4, method: "ping" }));
    expect((await stdio.answer(4)).result).toEqual({});
  });

  test("nothing but JSON-RPC on stdout through a noisy backend, its crash and a bad reload", async () => {
    const call = (id: number, tool: string) =>
      stdio.send(
        JSON.stringify({
          jsonrpc: "2.0",
          id,
          method: "tools/call",
          params: { name: "gateway_invoke", arguments: { server: "fixture", tool, arguments: {} } },
        }),
      );
    call(10, "garbage");
    await stdio.answer(10);
    call(11, "crash");
    await stdio.answer(11);
    writeFileSync(config, `${fixtureConfig(dir)}  broken:\n    command: /nonexistent/gw-x\n`);
    await Bun.sleep(1500);
    writeFileSync(config, "backends: [this is: not valid\n");
    await Bun.sleep(1500);
    call(12, "echo");
    await stdio.answer(12);
    for (const line of stdio.lines()) {
      expect(JSON.parse(line).jsonrpc).toBe("2.0");
    }
  });
});

describe("raw Streamable HTTP clients", () => {
  let url = "";
  const dir = tempDir();
  const log = join(dir, "fixture.log");

  afterAll(() => {});

  async function post(path: string, body: unknown, headers: Record<string, string>) {
    const response = await fetch(`${url}${path}`, {
      method: "POST",
      headers: { ...MCP_HEADERS, ...headers },
      body: JSON.stringify(body),
    });
    return { status: response.status, text: await response.text() };
  }

  async function session(path: string, version: string): Promise<Record<string, string>> {
    const response = await fetch(`${url}${path}`, {
      method: "POST",
      headers: MCP_HEADERS,
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: {
          protocolVersion: version,
          capabilities: {},
          clientInfo: { name: "raw", version: "1" },
        },
      }),
    });
    await response.text();
    const headers = {
      "mcp-session-id": response.headers.get("mcp-session-id") ?? "",
      "mcp-protocol-version": version,
    };
    await post(path, { jsonrpc: "2.0", method: "notifications/initialized" }, headers);
    return headers;
  }

  test("setup", async () => {
    const gateway = await startGateway(fixtureConfig(dir, log));
    cleanups.push(() => gateway.stop());
    await waitFor(() => gateway.gateway.index.tools("fixture").length > 0, 20_000);
    url = gateway.url;
  });

  for (const token of [0, "", "p-1", -3, 12_345_678_901_234]) {
    test(`progress token ${JSON.stringify(token)} comes back as sent, on /mcp and /mcp/fixture`, async () => {
      for (const [path, params] of [
        [
          "/mcp",
          {
            name: "gateway_invoke",
            arguments: { server: "fixture", tool: "slow", arguments: { steps: 2 } },
          },
        ],
        ["/mcp/fixture", { name: "slow", arguments: { steps: 2 } }],
      ] as const) {
        const headers = await session(path, "2025-06-18");
        const { text } = await post(
          path,
          {
            jsonrpc: "2.0",
            id: "c",
            method: "tools/call",
            params: { ...params, _meta: { progressToken: token } },
          },
          headers,
        );
        const events = text
          .split("\n")
          .filter((line) => line.startsWith("data: {"))
          .map((line) => JSON.parse(line.slice(6)));
        const progress = events.filter((e) => e.method === "notifications/progress");
        expect(progress.map((e) => e.params.progressToken)).toEqual([token, token]);
        expect(events.at(-1).id).toBe("c");
      }
    });
  }

  test("tools/list on /mcp/{backend} with a cursor the gateway never gave is -32602", async () => {
    const headers = await session("/mcp/fixture", "2025-06-18");
    const list = async (params: Record<string, unknown>) => {
      const { text } = await post(
        "/mcp/fixture",
        { jsonrpc: "2.0", id: 3, method: "tools/list", params },
        headers,
      );
      const line = text.split("\n").find((l) => l.startsWith("data: {"));
      return JSON.parse(line!.slice(6)) as Message;
    };
    // The backend pages by two; the gateway answers with all of them, with no cursor.
    const all = await list({});
    expect(((all.result?.tools ?? []) as unknown[]).length).toBeGreaterThan(2);
    expect(all.result?.nextCursor).toBeUndefined();
    // Before: the whole list again, so a client paging by a stale cursor saw duplicates.
    expect((await list({ cursor: "2" })).error?.code).toBe(-32602);
  });

  test("a client of an older revision gets no content block its revision does not have", async () => {
    const known: Record<string, string[]> = {
      "2024-11-05": ["text", "image", "resource"],
      "2025-03-26": ["text", "image", "audio", "resource"],
      "2025-06-18": ["text", "image", "audio", "resource", "resource_link"],
    };
    for (const [version, types] of Object.entries(known)) {
      for (const [path, params] of [
        ["/mcp", { name: "gateway_invoke", arguments: { server: "fixture", tool: "rich" } }],
        ["/mcp/fixture", { name: "rich", arguments: {} }],
      ] as const) {
        const headers = await session(path, version);
        const { text } = await post(
          path,
          { jsonrpc: "2.0", id: 5, method: "tools/call", params },
          headers,
        );
        const line = text.split("\n").find((l) => l.startsWith("data: {") && l.includes('"id":5'));
        const content = JSON.parse(line!.slice(6)).result.content as {
          type: string;
          text?: string;
        }[];
        // Before: every block as the backend sent it, audio and resource_link included.
        expect(content.map((block) => block.type).filter((type) => !types.includes(type))).toEqual(
          [],
        );
        if (version < "2025-06-18") {
          expect(content.some((block) => block.text?.includes("test://link"))).toBe(true);
        }
      }
    }
  });

  test("notifications/cancelled (string or number id) reaches the backend and ends the call's stream, on both paths", async () => {
    for (const [path, params] of [
      [
        "/mcp",
        { name: "gateway_invoke", arguments: { server: "fixture", tool: "wait", arguments: {} } },
      ],
      ["/mcp/fixture", { name: "wait", arguments: {} }],
    ] as const) {
      for (const id of [77, "call-x"]) {
        const headers = await session(path, "2025-11-25");
        const before = existsSync(log) ? readFileSync(log, "utf8") : "";
        // The SDK's own client does not abort a cancelled request's POST: it waits for the
        // stream to end. Before, it never did: one connection held open per cancelled call.
        const call = fetch(`${url}${path}`, {
          method: "POST",
          headers: { ...MCP_HEADERS, ...headers },
          body: JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params }),
        }).then((response) => response.text());
        await Bun.sleep(300);
        const cancel = { requestId: id, reason: "the user pressed stop" };
        const sent = await post(
          path,
          { jsonrpc: "2.0", method: "notifications/cancelled", params: cancel },
          headers,
        );
        expect(sent.status).toBe(202);
        await waitFor(() => readFileSync(log, "utf8").slice(before.length).includes("cancelled"));
        const ended = await Promise.race([call, Bun.sleep(5_000).then(() => "still open")]);
        expect(ended).not.toBe("still open");
        // No answer to a cancelled request (the spec: the receiver should not send one).
        expect(ended).not.toContain('"result"');
      }
    }
  });
});

describe("a GET stream that went away without closing", () => {
  test("the client's new GET (resuming with Last-Event-ID, or not) takes over the session's stream", async () => {
    const dir = tempDir();
    const gateway = await startGateway(fixtureConfig(dir));
    cleanups.push(() => gateway.stop());
    await waitFor(() => gateway.gateway.index.tools("fixture").length > 0, 20_000);
    const file = gateway.gateway.config.file ?? "";
    // On /mcp: a backend added by a reload is news there (a /mcp/{backend} session hears only
    // its own backend's changes).
    const path = `${gateway.url}/mcp`;
    const opened = await fetch(path, {
      method: "POST",
      headers: MCP_HEADERS,
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: {
          protocolVersion: "2025-11-25",
          capabilities: {},
          clientInfo: { name: "laptop", version: "1" },
        },
      }),
    });
    await opened.text();
    const headers = {
      "mcp-session-id": opened.headers.get("mcp-session-id") ?? "",
      "mcp-protocol-version": "2025-11-25",
    };
    await fetch(path, {
      method: "POST",
      headers: { ...MCP_HEADERS, ...headers },
      body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
    }).then((r) => r.text());
    // What the session reaches changes (a backend added by a reload): list_changed on its stream.
    let added = 0;
    const change = async () => {
      added++;
      const extra = Array.from(
        { length: added },
        (_, i) => `  extra${i}:\n    command: ${BUN}\n    args: ["${FIXTURE_SERVER}"]\n`,
      );
      writeFileSync(file, fixtureConfig(dir) + extra.join(""));
      await gateway.reload();
      await waitFor(() => gateway.gateway.index.tools(`extra${added - 1}`).length > 0, 20_000);
    };
    const decoder = new TextDecoder();
    const readUntil = async (reader: ReadableStreamDefaultReader<Uint8Array>, what: string) => {
      let text = "";
      while (!text.includes(what)) text += decoder.decode((await reader.read()).value);
      return text;
    };

    // Its headers come at once: before, Bun sent them with the first bytes, the first event or
    // the 15 s keep-alive, and a client waiting for its stream to open waited that long.
    const opening = performance.now();
    // The first stream gets one event, then its client goes to sleep: nothing reads it and
    // nothing closes it, so the gateway still holds it as the session's stream.
    const first = await fetch(path, { headers: { accept: "text/event-stream", ...headers } });
    expect(first.status).toBe(200);
    expect(performance.now() - opening).toBeLessThan(10_000);
    const reader = first.body!.getReader();
    await change();
    const seen = await readUntil(reader, "tools/list_changed");
    const lastEventId = seen.match(/^id: (.+)$/m)?.[1] ?? "";
    expect(lastEventId).not.toBe("");

    // It wakes and reconnects, resuming after the last event it read. Before: 409 "Stream
    // already has an active connection", for as long as TCP took to notice the old one was
    // gone, and the session got no notifications meanwhile.
    await change();
    const resumed = await fetch(path, {
      headers: { accept: "text/event-stream", "last-event-id": lastEventId, ...headers },
    });
    expect(resumed.status).toBe(200);
    const again = resumed.body!.getReader();
    // The event it missed is replayed.
    await readUntil(again, "tools/list_changed");

    // A plain GET (no Last-Event-ID: a client that never saw an event) takes over as well.
    const plain = await fetch(path, { headers: { accept: "text/event-stream", ...headers } });
    expect(plain.status).toBe(200);
    const latest = plain.body!.getReader();
    await change();
    await readUntil(latest, "tools/list_changed");
    await latest.cancel();
    await again.cancel().catch(() => {});
    await reader.cancel().catch(() => {});
  }, 90_000);
});
