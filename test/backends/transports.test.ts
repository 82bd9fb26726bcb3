import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  connectHttp,
  EVERYTHING,
  FILESYSTEM,
  firstText,
  startEverythingHttp,
  startGateway,
  tempDir,
  waitFor,
} from "../helpers.ts";

let streamable: Awaited<ReturnType<typeof startEverythingHttp>>;
let sse: Awaited<ReturnType<typeof startEverythingHttp>>;
let gateway: Awaited<ReturnType<typeof startGateway>>;
const root = tempDir();

beforeAll(async () => {
  [streamable, sse] = await Promise.all([
    startEverythingHttp("streamableHttp"),
    startEverythingHttp("sse"),
  ]);
  gateway = await startGateway(`
backends:
  stdio_everything:
    command: node
    args: ["${EVERYTHING}", "stdio"]
  http_everything:
    url: ${streamable.url}
  sse_detected:
    url: ${sse.url}
  sse_forced:
    url: ${sse.url}
    transport: sse
  http_forced:
    url: ${streamable.url}
    transport: streamable-http
  files:
    command: node
    args: ["${FILESYSTEM}", "${root}"]
  missing_command:
    command: /nonexistent/mcp-server
  exits_at_once:
    command: node
    args: ["-e", "console.error('bad credentials'); process.exit(2)"]
`);
  await waitFor(() =>
    gateway.gateway.pool
      .statuses()
      .every((s) => s.state === "failed" || (s.state === "ready" && s.tools > 0)),
  );
}, 30_000);

afterAll(async () => {
  await gateway?.stop();
  streamable?.stop();
  sse?.stop();
});

describe("backend transports", () => {
  test("each transport connects and is reported with the transport actually used", () => {
    const health = gateway.gateway.health();
    expect(health.backends.stdio_everything).toMatchObject({ state: "ready", transport: "stdio" });
    expect(health.backends.http_everything).toMatchObject({
      state: "ready",
      transport: "streamable-http",
    });
    expect(health.backends.http_forced).toMatchObject({
      state: "ready",
      transport: "streamable-http",
    });
    expect(health.backends.sse_detected).toMatchObject({ state: "ready", transport: "sse" });
    expect(health.backends.sse_forced).toMatchObject({ state: "ready", transport: "sse" });
    expect(health.backends.files).toMatchObject({ state: "ready", transport: "stdio" });
    for (const name of ["stdio_everything", "http_everything", "sse_detected"]) {
      expect(health.backends[name]!.tools).toBeGreaterThan(10);
    }
  });

  test("a command that does not exist fails with a message saying so", () => {
    const status = gateway.gateway.pool.status("missing_command")!;
    expect(status.state).toBe("failed");
    expect(status.error).toContain("/nonexistent/mcp-server");
  });

  test("a backend that exits at once fails with its last stderr lines", () => {
    const status = gateway.gateway.pool.status("exits_at_once")!;
    expect(status.state).toBe("failed");
    expect(status.error).toContain("bad credentials");
  });

  test("/health reports degraded with every backend's state as JSON", async () => {
    const response = await fetch(`${gateway.url}/health`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { status: string; backends: Record<string, unknown> };
    expect(body.status).toBe("degraded");
    expect(Object.keys(body.backends).sort()).toEqual(
      [
        "capabilities",
        "exits_at_once",
        "files",
        "http_everything",
        "http_forced",
        "missing_command",
        "sse_detected",
        "sse_forced",
        "stdio_everything",
      ].sort(),
    );
  });

  test("calls work through every transport, and failed backends give a tool error", async () => {
    const session = await connectHttp(gateway.url);
    try {
      for (const server of ["stdio_everything", "http_everything", "sse_detected", "sse_forced"]) {
        const result = await session.client.callTool({
          name: "gateway_invoke",
          arguments: { server, tool: "echo", arguments: { message: `via ${server}` } },
        });
        expect(firstText(result)).toContain(`via ${server}`);
      }
      const written = await session.client.callTool({
        name: "gateway_invoke",
        arguments: {
          server: "files",
          tool: "write_file",
          arguments: { path: `${root}/note.txt`, content: "hello" },
        },
      });
      expect(written.isError).toBeFalsy();
      const read = await session.client.callTool({
        name: "gateway_invoke",
        arguments: {
          server: "files",
          tool: "read_text_file",
          arguments: { path: `${root}/note.txt` },
        },
      });
      expect(firstText(read)).toBe("hello");
      const broken = await session.client.callTool({
        name: "gateway_invoke",
        arguments: { server: "exits_at_once", tool: "anything" },
      });
      expect(broken.isError).toBe(true);
      expect(firstText(broken)).toStartWith("[BACKEND_UNAVAILABLE]");
    } finally {
      await session.close();
    }
  });
});
