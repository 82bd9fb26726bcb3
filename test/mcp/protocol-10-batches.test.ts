/**
 * JSON-RPC batches were removed in protocol revision 2025-06-18. The SDK's transport serves a
 * batch on any session, so a session negotiated at 2025-06-18 or later had its batch served as
 * if batching still existed. Now such a batch is refused whole (-32600, naming the revision), on
 * `/mcp`, `/mcp/{backend}` and `serve --stdio`, while a 2025-03-26 session (whose revision has
 * batches) is served as before.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUN, FIXTURE_SERVER, ROOT, startFixtureGateway, tempDir, waitFor } from "../helpers.ts";
import { type Message, openSession, request } from "./_protocol-10.ts";

setDefaultTimeout(40_000);

let gateway: Awaited<ReturnType<typeof startFixtureGateway>>;
beforeAll(async () => {
  gateway = await startFixtureGateway();
});
afterAll(async () => {
  await gateway?.stop();
});

const batch = [request(1, "ping"), request(2, "tools/list")];

describe("a JSON-RPC batch over HTTP", () => {
  for (const path of ["/mcp", "/mcp/fixture"]) {
    for (const version of ["2025-06-18", "2025-11-25"]) {
      test(`${path}, a ${version} session: refused whole, -32600 naming the revision`, async () => {
        const { post } = await openSession(gateway.url, version, path);
        const answer = await post(batch);
        expect(answer.status).toBe(400);
        expect(answer.messages).toHaveLength(1);
        expect(answer.messages[0]?.id).toBeNull();
        expect(answer.messages[0]?.error?.code).toBe(-32600);
        expect(answer.messages[0]?.error?.message).toContain(
          `JSON-RPC batches are not supported in protocol revision ${version}`,
        );
        // The session goes on: one message a POST.
        expect((await post(request(3, "ping"))).messages[0]?.result).toEqual({});
      });
    }

    test(`${path}, a 2025-03-26 session: each request of the batch is answered`, async () => {
      const { post } = await openSession(gateway.url, "2025-03-26", path);
      const answer = await post(batch);
      expect(answer.status).toBe(200);
      const byId = new Map(answer.messages.map((message) => [message.id, message]));
      expect(byId.get(1)?.result).toEqual({});
      expect(byId.get(2)?.result?.tools).toBeArray();
    });
  }

  test("an initialize in a batch asking for 2025-06-18 or later is refused too", async () => {
    const init = request("init", "initialize", {
      protocolVersion: "2025-11-25",
      capabilities: {},
      clientInfo: { name: "raw", version: "1" },
    });
    const response = await fetch(`${gateway.url}/mcp`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify([init]),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get("mcp-session-id")).toBeNull();
    const body = (await response.json()) as Message;
    expect(body.error?.code).toBe(-32600);
    expect(body.error?.message).toContain("not supported in protocol revision 2025-11-25");
  });
});

/** `serve --stdio` with the fixture backend: `send` writes a line; `answer` waits for an id's. */
function spawnStdio() {
  const dir = tempDir();
  const config = join(dir, "gateway.yaml");
  writeFileSync(
    config,
    `capabilities: { enabled: false }\nbackends:\n  fixture:\n    command: ${BUN}\n    args: ["${FIXTURE_SERVER}"]\n`,
  );
  const child = Bun.spawn(
    [
      BUN,
      join(ROOT, "src/main.ts"),
      "serve",
      "--stdio",
      "--config",
      config,
      "--log-level",
      "error",
    ],
    {
      stdin: "pipe",
      stdout: "pipe",
      stderr: "ignore",
      env: { ...process.env, XDG_STATE_HOME: dir },
    },
  );
  const lines: Message[] = [];
  void (async () => {
    let buffer = "";
    for await (const chunk of child.stdout as ReadableStream<Uint8Array>) {
      buffer += new TextDecoder().decode(chunk);
      for (let end = buffer.indexOf("\n"); end !== -1; end = buffer.indexOf("\n")) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        if (line.trim()) lines.push(JSON.parse(line) as Message);
      }
    }
  })();
  return {
    lines,
    send(value: unknown) {
      child.stdin.write(`${JSON.stringify(value)}\n`);
      child.stdin.flush();
    },
    answer: (id: string | number | null, timeoutMs = 15_000) =>
      waitFor(() => lines.find((line) => line.id === id), timeoutMs) as Promise<Message>,
    stop: () => child.kill(),
  };
}

describe("a JSON-RPC batch over stdio", () => {
  for (const [version, served] of [
    ["2025-11-25", false],
    ["2025-03-26", true],
  ] as const) {
    test(`a ${version} client: ${served ? "each request answered" : "refused, -32600"}`, async () => {
      const stdio = spawnStdio();
      try {
        stdio.send(
          request(0, "initialize", {
            protocolVersion: version,
            capabilities: {},
            clientInfo: { name: "raw", version: "1" },
          }),
        );
        expect((await stdio.answer(0, 20_000)).result?.protocolVersion).toBe(version);
        stdio.send({ jsonrpc: "2.0", method: "notifications/initialized" });
        stdio.send(batch);
        if (served) {
          expect((await stdio.answer(1)).result).toEqual({});
          expect((await stdio.answer(2)).result?.tools).toBeArray();
          return;
        }
        const refused = await stdio.answer(null);
        expect(refused.error?.code).toBe(-32600);
        expect(refused.error?.message).toContain("not supported in protocol revision 2025-11-25");
        // Neither request of the batch was served.
        stdio.send(request(3, "ping"));
        await stdio.answer(3);
        expect(stdio.lines.some((line) => line.id === 1 || line.id === 2)).toBe(false);
      } finally {
        stdio.stop();
      }
    });
  }
});
