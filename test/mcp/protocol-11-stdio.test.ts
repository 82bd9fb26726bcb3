/**
 * `serve --stdio` driven by a raw client writing bytes, as clients that are not the TypeScript
 * SDK write them: a UTF-8 byte-order mark before the first message (.NET's `StreamWriter` with
 * `Encoding.UTF8`, PowerShell pipes), CRLF line ends, blank lines, a message split across writes
 * and two in one write; then stdin's end, on which the gateway exits and its backends with it.
 * A message over the 10 MiB limit closed the transport, and the gateway exited without a word:
 * it is answered -32600 now, and the session goes on.
 */
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { topLevelId } from "../../src/mcp/stdio.ts";
import { BUN, FIXTURE_SERVER, ROOT, tempDir, waitFor, writeConfig } from "../helpers.ts";

setDefaultTimeout(60_000);

const children: { kill(): void }[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill();
});

/** A JSON-RPC answer read off stdout. */
type Answer = {
  result?: { protocolVersion?: string; content?: { text?: string }[] };
  error?: { code: number; message: string };
};

/** The gateway over stdio with the fixture backend, and every line it writes on stdout. */
function startStdio() {
  const config = writeConfig(
    `capabilities: { enabled: false }\nbackends:\n  fixture:\n    command: ${BUN}\n    args: ["${FIXTURE_SERVER}"]\n`,
  );
  const child = Bun.spawn(
    [BUN, `${ROOT}/src/main.ts`, "serve", "--stdio", "-c", config, "--log-level", "warn"],
    {
      stdin: "pipe",
      stdout: "pipe",
      stderr: "ignore",
      env: { ...process.env, XDG_STATE_HOME: tempDir() },
    },
  );
  children.push(child);
  const lines: string[] = [];
  void (async () => {
    let buffer = "";
    const decoder = new TextDecoder();
    for await (const chunk of child.stdout) {
      buffer += decoder.decode(chunk, { stream: true });
      for (let end = buffer.indexOf("\n"); end !== -1; end = buffer.indexOf("\n")) {
        lines.push(buffer.slice(0, end));
        buffer = buffer.slice(end + 1);
      }
    }
  })();
  const write = (bytes: string | Uint8Array) => {
    child.stdin.write(bytes);
    child.stdin.flush();
  };
  const answer = (id: string | number): Promise<Answer> =>
    waitFor(() => {
      const line = lines.find((text) => (JSON.parse(text) as { id?: unknown }).id === id);
      return line ? (JSON.parse(line) as Answer) : undefined;
    }, 30_000) as Promise<Answer>;
  return { child, lines, write, answer };
}

const init = (id: number | string) =>
  JSON.stringify({
    jsonrpc: "2.0",
    id,
    method: "initialize",
    params: {
      protocolVersion: "2025-06-18",
      capabilities: {},
      clientInfo: { name: "raw", version: "1" },
    },
  });

describe("serve --stdio with a raw client", () => {
  test("a byte-order mark before the first message is ignored, not a parse error", async () => {
    const { write, answer, lines } = startStdio();
    write(new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(`${init(1)}\n`)]));
    const opened = await answer(1);
    expect(opened.result?.protocolVersion).toBe("2025-06-18");
    expect(lines.some((line) => line.includes("-32700"))).toBe(false);
  });

  test("CRLF, blank lines, split and joined writes, then EOF: every answer, a clean exit, no backend left", async () => {
    const { child, write, answer, lines } = startStdio();
    const first = init(1);
    write(first.slice(0, 15));
    await Bun.sleep(50);
    write(`${first.slice(15)}\r\n\r\n   \n`);
    await answer(1);
    write(`${JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })}\r\n`);
    const pid = JSON.stringify({
      jsonrpc: "2.0",
      id: "pid",
      method: "tools/call",
      params: {
        name: "gateway_invoke",
        arguments: { server: "fixture", tool: "pid", arguments: {} },
      },
    });
    write(`${JSON.stringify({ jsonrpc: "2.0", id: 0, method: "ping" })}\r\n${pid.slice(0, 30)}`);
    await Bun.sleep(50);
    write(`${pid.slice(30)}\r\n`);
    expect((await answer(0)).result).toEqual({});
    const called = await answer("pid");
    const text = (called.result?.content?.[0]?.text ?? "") as string;
    const backend = Number(/\d+/.exec(text)?.[0]);
    expect(backend).toBeGreaterThan(0);
    expect(lines.some((line) => line.includes('"error"'))).toBe(false);

    child.stdin.end();
    expect(await child.exited).toBe(0);
    // The backend the gateway started went with it.
    await waitFor(() => {
      try {
        process.kill(backend, 0);
        return false;
      } catch {
        return true;
      }
    });
  });
});

describe("messages the stdio reader refuses, and the session goes on", () => {
  test("one over the 10 MiB limit is answered -32600 by its id, and the next is served", async () => {
    const { child, write, answer } = startStdio();
    write(`${init(1)}\n`);
    await answer(1);
    write(`${JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })}\n`);
    const huge = JSON.stringify({
      jsonrpc: "2.0",
      id: "huge",
      method: "tools/call",
      params: {
        name: "gateway_invoke",
        arguments: {
          server: "fixture",
          tool: "echo",
          arguments: { message: "x".repeat(11 * 1024 * 1024) },
        },
      },
    });
    // In pieces, as a pipe carries it.
    for (let at = 0; at < huge.length; at += 1024 * 1024) write(huge.slice(at, at + 1024 * 1024));
    write("\n");
    write(`${JSON.stringify({ jsonrpc: "2.0", id: "after", method: "ping" })}\n`);
    const refused = await answer("huge");
    expect(refused.error?.code).toBe(-32600);
    expect(refused.error?.message).toContain("over 10485760 bytes");
    expect((await answer("after")).result).toEqual({});
    expect(child.exitCode).toBeNull();
  });

  test("an integer id past 2^53 - 1 is refused naming it, and the session goes on", async () => {
    const { write, answer, lines } = startStdio();
    write(`${init(1)}\n`);
    await answer(1);
    write('{"jsonrpc":"2.0","id":12345678901234567890,"method":"ping"}\n');
    write(`${JSON.stringify({ jsonrpc: "2.0", id: "after", method: "ping" })}\n`);
    expect((await answer("after")).result).toEqual({});
    const refusal = lines.find((line) => line.includes("12345678901234567890"));
    expect(refusal).toContain("use a smaller integer or a string id");
  });

  test("the id of one over the limit is read at its top level only", () => {
    const cases: [string, string | number | undefined][] = [
      ['{"jsonrpc":"2.0","id":7,"method":"x"', 7],
      ['{"method":"x","params":{"id":"inner","a":[{"id":1}]},"id":"outer"}', "outer"],
      ['{"method":"x","params":{"id":"inner"', undefined],
      ['{"id" : "a\\"b", "method":"x"}', 'a"b'],
      ['{"method":"id","x":"id","params":{}}', undefined],
      ['{"jsonrpc":"2.0","method":"notifications/x","params":{"text":"xxxx', undefined],
    ];
    for (const [text, id] of cases) expect(topLevelId(text)).toEqual(id);
  });
});
