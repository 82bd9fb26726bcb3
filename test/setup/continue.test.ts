import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
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
});
