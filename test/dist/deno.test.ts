import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import {
  type ConnectedClient,
  connectHttp,
  findDeno,
  firstText,
  freePort,
  MEMORY,
  ROOT,
  startEverythingHttp,
  tempDir,
  waitFor,
  writeConfig,
} from "../helpers.ts";

// The gateway from source under Deno 2 (the npm `deno` package), driven by the SDK's client:
// a Streamable HTTP backend, a stdio backend, node:sqlite state and Deno.serve.

/** The permissions docs/deno.md gives; keep the two in step. */
const DENO_PERMISSIONS = [
  "--allow-net",
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-run",
];

const DENO = findDeno();
if (!DENO)
  console.warn("skipping the Deno test: node_modules has no Deno binary (npm ci installs it)");

/** Processes whose environment carries `marker` (Linux /proc), to prove none outlive the gateway. */
function processesMarked(marker: string): number[] {
  if (!existsSync("/proc/self/environ")) return [];
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, "latin1").includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe.skipIf(!DENO)("the gateway under Deno", () => {
  const marker = `MCPGW_DENO_TEST=${process.pid}-${Date.now()}`;
  const stateHome = tempDir("mcpgw-deno-state-");
  let everything: Awaited<ReturnType<typeof startEverythingHttp>>;
  let gateway: Subprocess<"ignore", "pipe", "pipe">;
  let url: string;
  let session: ConnectedClient;

  beforeAll(async () => {
    everything = await startEverythingHttp("streamableHttp");
    const [key, value] = marker.split("=");
    const config = writeConfig(`
backends:
  everything:
    url: ${everything.url}
  memory:
    command: node
    args: ["${MEMORY}"]
    env: { ${key}: "${value}", MEMORY_FILE_PATH: "${join(tempDir(), "memory.jsonl")}" }
`);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    gateway = Bun.spawn(
      [
        DENO!,
        "run",
        ...DENO_PERMISSIONS,
        "src/main.ts",
        "serve",
        "--config",
        config,
        "--port",
        `${port}`,
      ],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH!, HOME: tempDir(), XDG_STATE_HOME: stateHome, NO_COLOR: "1" },
        stdin: "ignore",
        stdout: "pipe",
        stderr: "pipe",
      },
    );
    await waitFor(async () => {
      const response = await fetch(`${url}/health`).catch(() => undefined);
      const health = (await response?.json()) as
        | { backends: Record<string, { state: string }> }
        | undefined;
      return health?.backends.everything?.state === "ready";
    }, 30_000);
    session = await connectHttp(url);
  }, 40_000);

  afterAll(async () => {
    await session?.close();
    gateway?.kill("SIGKILL");
    everything?.stop();
  });

  test("tools/list shows the meta tools", async () => {
    const { tools } = await session.client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual([
      "gateway_list_servers",
      "gateway_list_tools",
      "gateway_search_tools",
      "gateway_invoke",
    ]);
  });

  test("search finds a backend tool and invoke calls it over Streamable HTTP", async () => {
    const search = await session.client.callTool({
      name: "gateway_search_tools",
      arguments: { query: "echo back the message", server: "everything" },
    });
    const matches = (search.structuredContent as { matches: { tool: string }[] }).matches;
    expect(matches.map((match) => match.tool)).toContain("echo");
    const result = await session.client.callTool({
      name: "gateway_invoke",
      arguments: { server: "everything", tool: "echo", arguments: { message: "from deno" } },
    });
    expect(result.isError).toBeFalsy();
    expect(firstText(result)).toContain("from deno");
  });

  test("a stdio backend starts and answers (node:child_process under Deno)", async () => {
    const created = await session.client.callTool({
      name: "gateway_invoke",
      arguments: {
        server: "memory",
        tool: "create_entities",
        arguments: { entities: [{ name: "deno", entityType: "runtime", observations: ["v2"] }] },
      },
    });
    expect(created.isError).toBeFalsy();
    const graph = await session.client.callTool({
      name: "gateway_invoke",
      arguments: { server: "memory", tool: "read_graph", arguments: {} },
    });
    expect(JSON.parse(firstText(graph)).entities).toEqual([
      { name: "deno", entityType: "runtime", observations: ["v2"] },
    ]);
    expect(processesMarked(marker).length).toBeGreaterThan(0);
  });

  test("tool lists persist in node:sqlite; SIGTERM stops at once with no orphans", async () => {
    expect(existsSync(join(stateHome, "mcp-gateway", "state.db"))).toBe(true);
    // The client stays connected: its open SSE stream must not hold the shutdown up.
    const started = performance.now();
    gateway.kill("SIGTERM");
    const code = await gateway.exited;
    expect(code).toBe(0);
    // Not held for the 30 s shutdown_timeout by the open stream (5 s was tight under load).
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(await new Response(gateway.stdout).text()).toBe("");
    const stderr = await new Response(gateway.stderr).text();
    expect(stderr).not.toContain("not usable");
    expect(stderr).toContain("SIGTERM: stopping");
    await waitFor(() => processesMarked(marker).length === 0, 15_000);
  }, 15_000);
});
