import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { BUN, connectHttp, FIXTURE_SERVER, firstText, ROOT, tempDir, waitFor } from "../helpers.ts";
import { runCli, runCliAsync } from "./_run.ts";

setDefaultTimeout(60_000);

// Day one: `mcp-gateway add github` writes `${GITHUB_PERSONAL_ACCESS_TOKEN}`, which the user has
// not set yet. That backend is failed alone; every session still starts and the rest serves, over
// HTTP (`serve`) and stdio (`serve --stdio`), and every report names the missing variable.
const VARIABLE = "GITHUB_PERSONAL_ACCESS_TOKEN";
const home = tempDir("mcpgw-unset-");
const config = join(home, "gateway.yaml");
// Exactly this environment: the variable is unset whatever the machine running the test has.
const env = { HOME: home, PATH: process.env.PATH ?? "", XDG_STATE_HOME: join(home, "state") };

interface Server {
  name: string;
  state: string;
  error?: string;
}

async function servers(client: Client): Promise<Server[]> {
  const result = await client.callTool({ name: "gateway_list_servers", arguments: {} });
  return (result.structuredContent as { servers: Server[] }).servers;
}

/** What a client sees: the broken backend failed by name, the good one answering. */
async function checkSession(client: Client): Promise<void> {
  const listed = await servers(client);
  expect(listed.find((s) => s.name === "github")).toMatchObject({ state: "failed" });
  expect(listed.find((s) => s.name === "github")?.error).toContain(`${VARIABLE} is not set`);
  expect(listed.map((s) => s.name)).toContain("fixture");
  // Lists merged across backends skip the failed one instead of failing.
  await client.listResources();
  await client.listPrompts();
  const echo = await client.callTool({
    name: "gateway_invoke",
    arguments: { server: "fixture", tool: "echo", arguments: { message: "still serving" } },
  });
  expect(echo.isError).toBeFalsy();
  expect(firstText(echo)).toContain("still serving");
  const broken = await client.callTool({
    name: "gateway_invoke",
    arguments: { server: "github", tool: "search_repositories", arguments: {} },
  });
  expect(broken.isError).toBe(true);
  expect(firstText(broken)).toContain(VARIABLE);
}

let serve: ReturnType<typeof Bun.spawn> | undefined;
let url = "";
let startLog = "";

beforeAll(async () => {
  expect(runCli(["add", "github", "--config", config], { env }).code).toBe(0);
  const added = runCli(["add", "fixture", "--config", config, "--", BUN, FIXTURE_SERVER], { env });
  expect(added.code).toBe(0);
  serve = Bun.spawn([BUN, join(ROOT, "src/main.ts"), "serve", "--config", config, "--port", "0"], {
    env: { ...env, NO_COLOR: "1" },
    stdout: "ignore",
    stderr: "pipe",
  });
  const reader = (serve.stderr as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  await waitFor(async () => {
    const { value, done } = await reader.read();
    if (done) throw new Error(`serve exited: ${startLog}`);
    startLog += decoder.decode(value);
    return /listening on (\S+)\/mcp/.test(startLog);
  }, 30_000);
  url = startLog.match(/listening on (\S+)\/mcp/)![1]!;
  reader.releaseLock();
});

afterAll(() => {
  serve?.kill();
});

describe("a backend with an unset ${VAR} is failed alone", () => {
  test("the log at start names it and counts every backend, the built-in capabilities one too", () => {
    expect(startLog).toMatch(new RegExp(`backend:github.*failed.*${VARIABLE} is not set`));
    // github, fixture and the built-in capabilities backend.
    expect(startLog).toContain("(3 backends, 1 failed)");
  });

  test("a fresh state folder without skills is the usual case, not a warning", () => {
    // The one warning is the failed backend's.
    expect(startLog.match(/WARN/g)).toHaveLength(1);
    expect(startLog).not.toContain("skills does not exist");
  });

  test("over HTTP, initialize succeeds and the other backends serve", async () => {
    const session = await connectHttp(url);
    try {
      await checkSession(session.client);
    } finally {
      await session.close();
    }
  });

  test("a stateless 2026-07-28 client is served too", async () => {
    const client = new Client(
      { name: "modern", version: "1" },
      { versionNegotiation: { mode: { pin: "2026-07-28" } } },
    );
    await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`)));
    try {
      await checkSession(client);
    } finally {
      await client.close();
    }
  });

  test("/health reports it failed and the gateway degraded, not down", async () => {
    const response = await fetch(`${url}/health`);
    expect(response.status).toBe(200);
    const health = (await response.json()) as {
      status: string;
      backends: Record<string, { state: string; error?: string }>;
    };
    expect(health.status).toBe("degraded");
    expect(health.backends.github?.state).toBe("failed");
    expect(health.backends.github?.error).toContain(VARIABLE);
  });

  test("over stdio, initialize succeeds and the other backends serve", async () => {
    const client = new Client({ name: "stdio-client", version: "1.0.0" });
    await client.connect(
      new StdioClientTransport({
        command: BUN,
        args: [join(ROOT, "src/main.ts"), "serve", "--stdio", "--config", config],
        env: { ...env, XDG_STATE_HOME: tempDir() },
        stderr: "pipe",
      }),
    );
    try {
      await checkSession(client);
    } finally {
      await client.close();
    }
  });

  test("list and doctor name the backend and the variable", async () => {
    const list = runCli(["list", "--config", config], { env });
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`github .*${VARIABLE} is not set`));
    const doctor = await runCliAsync(["doctor", "--config", config, "--json"], { env });
    const checks = (JSON.parse(doctor.stdout) as { checks: { name: string; status: string }[] })
      .checks;
    expect(checks.find((c) => c.name === "backend:github")?.status).toBe("fail");
    expect(checks.find((c) => c.name === "backend:fixture")?.status).toBe("ok");
  });
});
