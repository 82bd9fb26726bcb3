import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import {
  BUN,
  cleanupsAfterAll,
  FIXTURE_SERVER,
  freePort,
  startGateway,
  tempDir,
  writeConfig,
} from "../helpers.ts";
import { type CliResult, runCliAsync } from "./_run.ts";

setDefaultTimeout(60_000);

// `mcp-gateway tools search|call` from source: against a running gateway through the SDK's
// client (with and without auth), and against the config's gateway started in-process when
// nothing listens. The backend is our fixture MCP server over stdio.
const KEY = "mgw_tools-cli-test-key-0123456789abcdefghijklmno";
const cleanups = cleanupsAfterAll();

const BACKENDS = `
capabilities: { enabled: false }
backends:
  fx:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
`;

/** Runs the CLI without blocking this process, so a gateway started here can answer it. */
function cli(
  args: string[],
  options: { env?: Record<string, string>; stdin?: string } = {},
): Promise<CliResult> {
  const home = tempDir("mcpgw-tools-");
  return runCliAsync(["tools", ...args], {
    env: { HOME: home, PATH: process.env.PATH!, ...options.env },
    ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
  });
}

/** A config whose port nothing listens on: the CLI falls back to an in-process gateway. */
async function idleConfig(): Promise<{ file: string; url: string }> {
  const port = await freePort();
  const file = writeConfig(
    `server: { port: ${port} }\nstate_dir: ${join(tempDir(), "state")}\n${BACKENDS}`,
  );
  return { file, url: `http://127.0.0.1:${port}/mcp` };
}

describe("tools with no gateway running", () => {
  test("search starts the config's gateway in this process and says so", async () => {
    const { file, url } = await idleConfig();
    const run = await cli(["search", "echo a message back", "--config", file, "--json"]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(
      `no gateway is running at ${url}; starting one in this process from ${file}`,
    );
    const { matches } = JSON.parse(run.stdout);
    expect(matches[0]).toMatchObject({ server: "fx", tool: "echo" });
    expect(matches[0].inputSchema.properties.message).toEqual({ type: "string" });
    expect(matches.length).toBeLessThanOrEqual(5);
  });

  test("search prints one line per match; --limit and --server narrow it", async () => {
    const { file } = await idleConfig();
    const run = await cli([
      "search",
      "process",
      "--config",
      file,
      "--limit",
      "2",
      "--server",
      "fx",
    ]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(/^fx:\S+ +\d+\.\d\d {2}\S/);
  });

  test("call prints the tool's text; --args - reads the arguments from stdin", async () => {
    const { file } = await idleConfig();
    const run = await cli([
      "call",
      "fx",
      "echo",
      "--args",
      '{"message":"hello there"}',
      "--config",
      file,
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("hello there");
    const piped = await cli(["call", "fx", "echo", "--args", "-", "--config", file], {
      stdin: '{"message":"from stdin"}',
    });
    expect(piped.code).toBe(0);
    expect(piped.stdout).toContain("from stdin");
  });

  test.each([
    [["call", "fx", "echo", "--args", "{message"], "--args is not valid JSON"],
    [["call", "fx", "echo", "--args", "[1]"], "--args must be a JSON object"],
    [["call", "fx", "ech"], "[TOOL_NOT_FOUND]"],
    [["call", "fx", "fail"], "went wrong"],
    [["call", "nope", "echo"], "[SERVER_NOT_FOUND]"],
    [["search", "x", "--limit", "0"], "--limit must be a whole number from 1 to 25"],
  ])("%p fails with a one-line reason", async (args, reason) => {
    const { file } = await idleConfig();
    const run = await cli([...args, "--config", file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(reason);
    expect(run.stdout).toBe("");
  });

  test("call --json prints the whole result, isError included, and still exits 1 on a tool error", async () => {
    const { file } = await idleConfig();
    const run = await cli(["call", "fx", "fail", "--config", file, "--json"]);
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout);
    expect(result.isError).toBe(true);
    expect(result.content[0].type).toBe("text");
  });

  test("an explicit --url that does not answer is an error, not a fallback", async () => {
    const { file } = await idleConfig();
    const port = await freePort();
    const run = await cli([
      "search",
      "echo",
      "--config",
      file,
      "--url",
      `http://127.0.0.1:${port}/mcp`,
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`cannot reach the gateway at http://127.0.0.1:${port}/mcp`);
  });
});

describe("tools against a running gateway", () => {
  test("search and call go through it (its dashboard sees the call)", async () => {
    const gateway = await startGateway(BACKENDS);
    cleanups.push(() => gateway.stop());
    const url = `${gateway.url}/mcp`;
    const search = await cli(["search", "echo a message back", "--url", url, "--json"]);
    expect(search.code).toBe(0);
    expect(search.stderr).toContain(`using the gateway at ${url}`);
    expect(JSON.parse(search.stdout).matches[0].tool).toBe("echo");

    const call = await cli([
      "call",
      "fx",
      "echo",
      "--url",
      url,
      "--args",
      '{"message":"via http"}',
    ]);
    expect(call.code).toBe(0);
    expect(call.stdout).toContain("via http");
    const { calls } = await (await fetch(`${gateway.url}/api/calls`)).json();
    expect(calls.map((c: { tool: string }) => c.tool)).toEqual(["echo"]);
  });

  test("with auth on, a key from --key or MCP_GATEWAY_KEY is needed", async () => {
    const gateway = await startGateway(
      `${BACKENDS}auth: { enabled: true, api_keys: [{ name: cli, key: "${KEY}" }] }\n`,
    );
    cleanups.push(() => gateway.stop());
    const url = `${gateway.url}/mcp`;
    const refused = await cli(["search", "echo", "--url", url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `the gateway at ${url} needs a valid key: pass --key or set MCP_GATEWAY_KEY`,
    );
    const wrong = await cli(["search", "echo", "--url", url, "--key", "mgw_wrong"]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("needs a valid key");

    const flag = await cli(["search", "echo", "--url", url, "--key", KEY, "--json"]);
    expect(flag.code).toBe(0);
    const env = await cli(["call", "fx", "echo", "--url", url, "--args", '{"message":"keyed"}'], {
      env: { MCP_GATEWAY_KEY: KEY },
    });
    expect(env.code).toBe(0);
    expect(env.stdout).toContain("keyed");
    // The container's admin token variable is read too.
    const token = await cli(["search", "echo", "--url", url, "--json"], {
      env: { MCP_GATEWAY_TOKEN: KEY },
    });
    expect(token.code).toBe(0);
  });
});
