import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { runCli } from "../cli/_run.ts";
import { tempDir } from "../helpers.ts";
import { read } from "./_home.ts";

setDefaultTimeout(30_000);

/** Continue's config.yaml as its docs show it: `mcpServers` is a list of entries with a name. */
const CONTINUE_YAML = `name: My Config
version: 0.0.1
schema: v1
models:
  - name: local
    provider: ollama
    model: llama3
# the servers Continue's agent uses
mcpServers:
  - name: memory
    command: npx
    args: ["-y", "@modelcontextprotocol/server-memory"]
  - name: docs
    type: streamable-http
    url: https://docs.example.com/mcp
`;

function continueHome() {
  const home = tempDir("mcpgw-continue-");
  const file = join(home, ".continue", "config.yaml");
  mkdirSync(join(home, ".continue"), { recursive: true });
  writeFileSync(file, CONTINUE_YAML);
  const env = { HOME: home, PATH: process.env.PATH ?? "/usr/bin:/bin" };
  return { home, file, env, config: join(home, ".config/mcp-gateway/gateway.yaml") };
}

describe("Continue", () => {
  test("setup imports the servers of ~/.continue/config.yaml and points it at the gateway", () => {
    const box = continueHome();
    const run = runCli(["setup", "--yes", "--client", "continue", "--configure-client"], {
      env: box.env,
    });
    expect(run.stderr).not.toContain("ERROR");
    expect(run.code).toBe(0);
    const backends = parseYaml(read(box.config)).backends;
    expect(backends.memory).toEqual({
      command: "npx",
      args: ["-y", "@modelcontextprotocol/server-memory"],
    });
    expect(backends.docs).toEqual({
      url: "https://docs.example.com/mcp",
      transport: "streamable-http",
    });
    const text = read(box.file);
    expect(text).toContain("# the servers Continue's agent uses");
    const rewritten = parseYaml(text);
    expect(rewritten.models).toEqual([{ name: "local", provider: "ollama", model: "llama3" }]);
    expect(rewritten.mcpServers).toEqual([
      { name: "mcp-gateway", type: "streamable-http", url: "http://127.0.0.1:39400/mcp" },
    ]);

    // Run again: the gateway's own entry is recognised, nothing is imported twice.
    const again = runCli(["setup", "--yes", "--client", "continue"], { env: box.env });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("no MCP servers to import");
  });

  test("an mcpServers that is not a list is reported with the file's path", () => {
    const box = continueHome();
    writeFileSync(box.file, "mcpServers:\n  memory:\n    command: npx\n");
    const run = runCli(["setup", "--yes", "--client", "continue"], { env: box.env });
    expect(run.stderr).toContain(`${box.file}: mcpServers is not a list`);
  });

  test("the deprecated ~/.continue/config.json: its unnamed servers are imported under derived names, the file is left alone", () => {
    const box = continueHome();
    const legacy = join(box.home, ".continue", "config.json");
    const text = `${JSON.stringify(
      {
        models: [],
        experimental: {
          modelContextProtocolServers: [
            {
              transport: {
                type: "stdio",
                command: "npx",
                args: ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"],
              },
            },
            { transport: { type: "stdio", command: "uvx", args: ["mcp-server-git"] } },
            { name: "remote", transport: { type: "sse", url: "https://sse.example.com/sse" } },
            { transport: { type: "websocket", url: "ws://127.0.0.1:9000" } },
          ],
        },
      },
      null,
      2,
    )}\n`;
    writeFileSync(legacy, text);
    writeFileSync(box.file, "mcpServers: []\n");
    const run = runCli(["setup", "--yes", "--client", "continue", "--configure-client"], {
      env: box.env,
    });
    expect(run.code).toBe(0);
    const backends = parseYaml(read(box.config)).backends;
    expect(backends.filesystem).toEqual({
      command: "npx",
      args: ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"],
    });
    expect(backends.git).toEqual({ command: "uvx", args: ["mcp-server-git"] });
    expect(backends.remote).toEqual({ url: "https://sse.example.com/sse", transport: "sse" });
    expect(Object.keys(backends)).not.toContain("127-0-0-1");
    expect(run.stderr + run.stdout).toContain("websocket transport");
    // Deprecated: read, never rewritten (config.yaml, which had no servers, is left as it was).
    expect(readFileSync(legacy, "utf8")).toBe(text);
    expect(read(box.file)).toBe("mcpServers: []\n");
  });

  test("a workspace's .continue/mcpServers/ blocks (YAML, and JSON copied from another client) are imported and replaced", () => {
    const box = continueHome();
    const project = tempDir("mcpgw-continue-project-");
    const blocks = join(project, ".continue", "mcpServers");
    mkdirSync(blocks, { recursive: true });
    const yamlBlock = join(blocks, "sqlite.yaml");
    writeFileSync(
      yamlBlock,
      "name: SQLite block\nversion: 0.0.1\nschema: v1\nmcpServers:\n  - name: sqlite\n    command: uvx\n    args: [mcp-server-sqlite, --db-path, test.db]\n",
    );
    const jsonBlock = join(blocks, "from-claude.json");
    writeFileSync(
      jsonBlock,
      `${JSON.stringify({ mcpServers: { time: { command: "uvx", args: ["mcp-server-time"] } } }, null, 2)}\n`,
    );
    writeFileSync(join(blocks, "notes.txt"), "not a block\n");
    const run = runCli(
      ["setup", "--yes", "--client", "continue", "--configure-client", "--project", project],
      { env: box.env },
    );
    expect(run.stderr).not.toContain("ERROR");
    expect(run.code).toBe(0);
    const backends = parseYaml(read(box.config)).backends;
    expect(backends.sqlite).toEqual({
      command: "uvx",
      args: ["mcp-server-sqlite", "--db-path", "test.db"],
      cwd: project,
    });
    expect(backends.time?.command).toBe("uvx");
    expect(
      parseYaml(readFileSync(yamlBlock, "utf8")).mcpServers.map((s: { name: string }) => s.name),
    ).toEqual(["mcp-gateway"]);
    expect(Object.keys(JSON.parse(readFileSync(jsonBlock, "utf8")).mcpServers)).toEqual([
      "mcp-gateway",
    ]);
    expect(existsSync(join(blocks, "notes.txt"))).toBe(true);
  });
});
