import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { runCli } from "../cli/_run.ts";
import {
  BUN,
  cleanupsAfterAll,
  EVERYTHING,
  FIXTURE_SERVER,
  firstText,
  ROOT,
  tempDir,
  writeConfig,
} from "../helpers.ts";

const cleanups = cleanupsAfterAll();

const CONFIG = writeConfig(
  [
    "capabilities: { enabled: false }",
    "routing_profiles:",
    "  coding: { allow_backends: [fixture] }",
    "  research: { allow_backends: [everything] }",
    "backends:",
    `  fixture: { command: ${BUN}, args: ["${FIXTURE_SERVER}"] }`,
    `  everything: { command: node, args: ["${EVERYTHING}", "stdio"] }`,
    "",
  ].join("\n"),
);

/** A client that spawns `serve --stdio` with `args`, as Claude Code or Cursor spawns a server. */
async function spawnedBy(name: string, args: string[]): Promise<Client> {
  const client = new Client({ name, version: "1" }, { capabilities: {} });
  const transport = new StdioClientTransport({
    command: BUN,
    args: [join(ROOT, "src/main.ts"), "serve", "--stdio", "--config", CONFIG, ...args],
    env: { ...process.env, XDG_STATE_HOME: tempDir() } as Record<string, string>,
    stderr: "pipe",
  });
  await client.connect(transport);
  cleanups.push(() => client.close().catch(() => {}));
  return client;
}

describe("routing profiles × clients that spawn the gateway over stdio (no header to send)", () => {
  test("serve --stdio --profile NAME gives each client its own tool set, in lists, search and calls", async () => {
    const [coding, research] = await Promise.all([
      spawnedBy("claude-code-coding", ["--profile", "coding"]),
      spawnedBy("claude-desktop-research", ["--profile", "research"]),
    ]);
    const servers = async (client: Client) =>
      (
        (await client.callTool({ name: "gateway_list_servers", arguments: {} }))
          .structuredContent as { servers: { name: string }[] }
      ).servers.map((s) => s.name);
    expect(await servers(coding)).toEqual(["fixture"]);
    expect(await servers(research)).toEqual(["everything"]);
    const search = async (client: Client, query: string) =>
      JSON.stringify(
        (await client.callTool({ name: "gateway_search_tools", arguments: { query } }))
          .structuredContent,
      );
    expect(await search(research, "echo a message back")).not.toContain('"fixture"');
    expect(await search(coding, "sum of two numbers")).not.toContain('"everything"');
    const sum = await coding.callTool({
      name: "gateway_invoke",
      arguments: { server: "everything", tool: "get-sum", arguments: { a: 1, b: 2 } },
    });
    expect(sum.isError).toBe(true);
    expect(firstText(sum)).toStartWith("[SERVER_NOT_FOUND]");
    const echo = await coding.callTool({
      name: "gateway_invoke",
      arguments: { server: "fixture", tool: "echo", arguments: { message: "hi" } },
    });
    expect(firstText(echo)).toBe("hi");
  }, 60_000);

  test("an unknown profile is refused at start, naming those that exist; over HTTP it says what to use", () => {
    const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: tempDir() };
    const stdio = runCli(["serve", "--stdio", "--config", CONFIG, "--profile", "cooking"], {
      env,
      stdin: "",
    });
    expect(stdio.code).not.toBe(0);
    expect(stdio.stderr).toContain('unknown routing profile "cooking"');
    expect(stdio.stderr).toContain("coding, research");
    const http = runCli(["serve", "--config", CONFIG, "--port", "0", "--profile", "coding"], {
      env,
    });
    expect(http.code).not.toBe(0);
    expect(http.stderr).toContain("X-MCP-Profile");
  }, 30_000);
});
