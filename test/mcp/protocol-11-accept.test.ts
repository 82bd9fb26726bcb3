/**
 * Clients that are not the TypeScript SDK send Accept headers the SDK's transport refused with
 * 406: curl's default `*\/*`, no Accept at all, `application/*`, or only `application/json`
 * (hand-written clients, agent frameworks that read JSON and no SSE). Each admits an answer the
 * gateway can give: the first three get the usual one, a JSON-only client gets its answer as one
 * JSON body. A header that admits neither form is still 406, saying what to send. Under Deno a
 * request's headers cannot be changed: the SDK is handed a copy with its own Accept (rewriting
 * the header in place failed every POST there, the SDK's own client's too).
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import {
  BUN,
  FIXTURE_SERVER,
  findDeno,
  firstText,
  freePort,
  ROOT,
  startFixtureGateway,
  tempDir,
  waitFor,
  writeConfig,
} from "../helpers.ts";
import { messagesOf } from "./_protocol-10.ts";

setDefaultTimeout(30_000);

let gateway: Awaited<ReturnType<typeof startFixtureGateway>>;
beforeAll(async () => {
  gateway = await startFixtureGateway();
});
afterAll(async () => {
  await gateway?.stop();
});

const VERSION = "2025-11-25";
const INIT = {
  jsonrpc: "2.0",
  id: 0,
  method: "initialize",
  params: { protocolVersion: VERSION, capabilities: {}, clientInfo: { name: "raw", version: "1" } },
};

/** A POST with exactly `accept` (undefined: no Accept header at all). */
async function post(
  accept: string | undefined,
  body: unknown,
  session?: string,
  path = "/mcp",
): Promise<Response> {
  const headers = new Headers({ "content-type": "application/json" });
  if (accept !== undefined) headers.set("accept", accept);
  if (session) {
    headers.set("mcp-session-id", session);
    headers.set("mcp-protocol-version", VERSION);
  }
  return fetch(`${gateway.url}${path}`, {
    method: "POST",
    headers,
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
}

/** Opens a session with `accept` on every request and runs a tool call through it. */
async function useSession(accept: string | undefined, path = "/mcp/fixture") {
  const opened = await post(accept, INIT, undefined, path);
  expect(opened.status).toBe(200);
  const session = opened.headers.get("mcp-session-id") ?? "";
  expect(session).not.toBe("");
  const init = messagesOf(await opened.text());
  expect(init.find((m) => m.id === 0)?.result?.protocolVersion).toBe(VERSION);
  const ready = await post(
    accept,
    { jsonrpc: "2.0", method: "notifications/initialized" },
    session,
    path,
  );
  expect(ready.status).toBe(202);
  const call = await post(
    accept,
    {
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: { name: "echo", arguments: { message: "hello" }, _meta: { progressToken: "t" } },
    },
    session,
    path,
  );
  return { opened, call, session };
}

describe("Accept headers real clients send", () => {
  for (const accept of ["*/*", "application/json, */*;q=0.8", "text/*, */*"]) {
    test(`Accept: ${accept} is served as a client that reads both`, async () => {
      const { opened, call } = await useSession(accept);
      expect(opened.headers.get("content-type")).toContain("text/event-stream");
      expect(call.status).toBe(200);
      const answer = messagesOf(await call.text()).find((m) => m.id === 1);
      expect(firstText(answer?.result ?? {})).toBe("hello");
    });
  }

  test("no Accept header at all is served (RFC 9110: any type)", async () => {
    // Bun's fetch adds `Accept: */*` to a request without one: a raw socket sends none.
    const { port } = new URL(gateway.url);
    const body = JSON.stringify(INIT);
    const socketAnswer = await new Promise<string>((resolve, reject) => {
      let text = "";
      Bun.connect({
        hostname: "127.0.0.1",
        port: Number(port),
        socket: {
          open(socket) {
            socket.write(
              `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n` +
                `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
            );
          },
          data(_socket, data) {
            text += data.toString();
          },
          close() {
            resolve(text);
          },
          error(_socket, error) {
            reject(error);
          },
        },
      }).catch(reject);
    });
    expect(socketAnswer.split("\r\n")[0]).toBe("HTTP/1.1 200 OK");
    expect(socketAnswer).toContain('"protocolVersion":"2025-11-25"');
  });

  for (const accept of ["application/json", "application/json; charset=utf-8", "application/*"]) {
    test(`Accept: ${accept} gets each answer as one JSON body`, async () => {
      const { opened, call, session } = await useSession(accept);
      expect(opened.headers.get("content-type")).toContain("application/json");
      expect(call.status).toBe(200);
      expect(call.headers.get("content-type")).toContain("application/json");
      expect(call.headers.get("mcp-session-id")).toBe(session);
      // One JSON-RPC response (no SSE framing, no progress notification before it).
      const answer = (await call.json()) as { id: number; result: { content: unknown } };
      expect(answer.id).toBe(1);
      expect(firstText(answer.result)).toBe("hello");
    });
  }

  test("a JSON-only client's long call through the meta tools is answered as JSON", async () => {
    const accept = "application/json";
    const opened = await post(accept, INIT);
    const session = opened.headers.get("mcp-session-id") ?? "";
    await opened.text();
    await post(accept, { jsonrpc: "2.0", method: "notifications/initialized" }, session);
    const call = await post(
      accept,
      {
        jsonrpc: "2.0",
        id: "slow",
        method: "tools/call",
        params: {
          name: "gateway_invoke",
          arguments: { server: "fixture", tool: "slow", arguments: { steps: 3, delayMs: 100 } },
          _meta: { progressToken: 5 },
        },
      },
      session,
    );
    expect(call.headers.get("content-type")).toContain("application/json");
    const answer = (await call.json()) as { id: string; result: { content: unknown } };
    expect(answer.id).toBe("slow");
    expect(firstText(answer.result)).toContain("done 3");
  });

  test("Accept: text/event-stream alone is served with SSE", async () => {
    const { call } = await useSession("text/event-stream");
    expect(call.headers.get("content-type")).toContain("text/event-stream");
    const answer = messagesOf(await call.text()).find((m) => m.id === 1);
    expect(firstText(answer?.result ?? {})).toBe("hello");
  });

  test("the GET stream opens for Accept: */*", async () => {
    const { session, call } = await useSession("application/json, text/event-stream");
    await call.text();
    const abort = new AbortController();
    const stream = await fetch(`${gateway.url}/mcp/fixture`, {
      headers: { accept: "*/*", "mcp-session-id": session, "mcp-protocol-version": VERSION },
      signal: abort.signal,
    });
    expect(stream.status).toBe(200);
    expect(stream.headers.get("content-type")).toContain("text/event-stream");
    abort.abort();
  });

  test("a header that admits neither form is 406, naming the header to send", async () => {
    const refused = await post("text/html", INIT);
    expect(refused.status).toBe(406);
    const error = ((await refused.json()) as { error: { message: string } }).error;
    expect(error.message).toContain("Accept: text/html");
    expect(error.message).toContain("send Accept: application/json, text/event-stream");
    const q0 = await post("application/json;q=0, text/event-stream;q=0", INIT);
    expect(q0.status).toBe(406);
  });
});

const DENO = findDeno();

describe.skipIf(!DENO)("under Deno, whose requests' headers cannot be changed", () => {
  let child: ReturnType<typeof Bun.spawn> | undefined;
  let base = "";
  beforeAll(async () => {
    const config = writeConfig(
      `capabilities: { enabled: false }\nbackends:\n  fixture:\n    command: ${BUN}\n    args: ["${FIXTURE_SERVER}"]\n`,
    );
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const permissions = [
      "--allow-net",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-run",
    ];
    child = Bun.spawn(
      [
        DENO!,
        "run",
        ...permissions,
        "src/main.ts",
        "serve",
        "--config",
        config,
        "--port",
        `${port}`,
      ],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH!, HOME: tempDir(), XDG_STATE_HOME: tempDir(), NO_COLOR: "1" },
        stdin: "ignore",
        stdout: "ignore",
        stderr: "ignore",
      },
    );
    await waitFor(async () => {
      const response = await fetch(`${base}/health`).catch(() => undefined);
      const health = (await response?.json()) as
        | { backends: Record<string, { state: string }> }
        | undefined;
      return health?.backends.fixture?.state === "ready";
    }, 40_000);
  }, 60_000);
  afterAll(() => {
    child?.kill("SIGKILL");
  });

  for (const accept of ["application/json, text/event-stream", "*/*", "application/json"]) {
    test(`Accept: ${accept} initializes and calls a tool`, async () => {
      const send = (body: unknown, session?: string) =>
        fetch(`${base}/mcp/fixture`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            accept,
            ...(session ? { "mcp-session-id": session, "mcp-protocol-version": VERSION } : {}),
          },
          body: JSON.stringify(body),
        });
      const opened = await send(INIT);
      expect(opened.status).toBe(200);
      const session = opened.headers.get("mcp-session-id") ?? "";
      await opened.text();
      await (await send({ jsonrpc: "2.0", method: "notifications/initialized" }, session)).text();
      const call = await send(
        {
          jsonrpc: "2.0",
          id: 1,
          method: "tools/call",
          params: { name: "echo", arguments: { message: "deno" } },
        },
        session,
      );
      expect(call.status).toBe(200);
      const answer = messagesOf(await call.text()).find((m) => m.id === 1);
      expect(firstText(answer?.result ?? {})).toBe("deno");
    });
  }
});
