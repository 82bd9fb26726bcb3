import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import {
  builtBinary,
  type ConnectedClient,
  connectHttp,
  EVERYTHING,
  firstText,
  freePort,
  tempDir,
  waitFor,
  writeConfig,
} from "../helpers.ts";

// The compiled binary, end to end: build, serve, list, search, invoke, stop.
const work = tempDir("mcpgw-bin-");
let binary: string;
const marker = `binary-e2e-${crypto.randomUUID().slice(0, 8)}`;
let server: ReturnType<typeof Bun.spawn>;
let url: string;
let session: ConnectedClient;

beforeAll(async () => {
  binary = builtBinary();
  const port = await freePort();
  const config = writeConfig(`
backends:
  everything:
    command: node
    args: ["${EVERYTHING}", "stdio", "${marker}"]
`);
  // Run from an empty folder, as a user would, with its own state directory.
  server = Bun.spawn([binary, "serve", "--config", config, "--port", String(port)], {
    cwd: work,
    env: { ...process.env, XDG_STATE_HOME: join(work, "state") },
    stdout: "pipe",
    stderr: "pipe",
  });
  url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/health`).catch(() => undefined))?.ok, 15_000);
  session = await connectHttp(url);
}, 60_000);

afterAll(async () => {
  await session?.close();
  server?.kill("SIGKILL");
});

describe("the compiled binary", () => {
  test("--version prints the version and commit", () => {
    const result = spawnSync(binary, ["--version"], { encoding: "utf8" });
    expect(result.stdout.trim()).toMatch(/^mcp-gateway \d+\.\d+\.\d+ \([0-9a-f]{7}|unknown\)$/);
  });

  test("lists, searches and invokes through a real backend, then stops cleanly", async () => {
    const { tools } = await session.client.listTools();
    expect(tools).toHaveLength(4);
    await waitFor(async () => {
      const health = await (await fetch(`${url}/health`)).json();
      return health.backends.everything.tools > 0;
    });
    const search = await session.client.callTool({
      name: "gateway_search_tools",
      arguments: { query: "echo a message back" },
    });
    const matches = (search.structuredContent as { matches: { server: string; tool: string }[] })
      .matches;
    expect(matches[0]).toMatchObject({ server: "everything", tool: "echo" });
    const result = await session.client.callTool({
      name: "gateway_invoke",
      arguments: { server: "everything", tool: "echo", arguments: { message: "from the binary" } },
    });
    expect(firstText(result)).toContain("from the binary");
    await session.close();

    server.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    expect(await new Response(server.stdout as ReadableStream).text()).toBe("");
    const left = spawnSync("pgrep", ["-f", marker], { encoding: "utf8" });
    expect(left.stdout.trim()).toBe("");
  });
});
