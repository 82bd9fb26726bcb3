import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { BUN, FIXTURE_SERVER, firstText, ROOT, tempDir } from "../helpers.ts";

setDefaultTimeout(60_000);

// Where the gateway finds its config and its variables, through `mcp-gateway serve` itself.

describe("$MCP_GATEWAY_CONFIG", () => {
  test("naming a missing file stops serve with an error naming it, instead of serving another config", () => {
    const home = tempDir("mcpgw-edge-");
    // A config the search order would otherwise fall through to.
    writeFileSync(join(home, "gateway.yaml"), "capabilities: { enabled: false }\n");
    const missing = join(home, "typo", "gateway.yaml");
    const run = Bun.spawnSync(
      [BUN, join(ROOT, "src/main.ts"), "serve", "--port", "0", "--log-level", "warn"],
      {
        cwd: home,
        env: {
          HOME: home,
          PATH: process.env.PATH ?? "",
          NO_COLOR: "1",
          MCP_GATEWAY_CONFIG: missing,
        },
        stdout: "pipe",
        stderr: "pipe",
        // A gateway that started anyway would serve until killed.
        timeout: 15_000,
      },
    );
    expect(run.exitCode).not.toBe(0);
    expect(run.signalCode ?? null).toBeNull();
    const stderr = run.stderr.toString();
    expect(stderr).toContain(missing);
    expect(stderr).toContain("$MCP_GATEWAY_CONFIG");
  });
});

describe("env_files", () => {
  test("~ expands to the home folder, and a missing file is skipped with a warning", async () => {
    const home = tempDir("mcpgw-edge-");
    mkdirSync(join(home, "secrets"));
    // The backend starts only if the variable came from ~/secrets/fixture.env.
    writeFileSync(join(home, "secrets/fixture.env"), `FIXTURE_PATH=${FIXTURE_SERVER}\n`);
    const config = join(tempDir("mcpgw-edge-config-"), "gateway.yaml");
    writeFileSync(
      config,
      [
        "capabilities: { enabled: false }",
        'env_files: ["~/not-there.env", "~/secrets/fixture.env"]',
        "backends:",
        "  fixture:",
        `    command: ${BUN}`,
        '    args: ["${FIXTURE_PATH}"]',
        "",
      ].join("\n"),
    );
    const transport = new StdioClientTransport({
      command: BUN,
      args: [join(ROOT, "src/main.ts"), "serve", "--stdio", "--config", config],
      env: { HOME: home, PATH: process.env.PATH ?? "", NO_COLOR: "1" },
      stderr: "pipe",
    });
    let stderr = "";
    transport.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const client = new Client({ name: "edge-client", version: "1.0.0" });
    await client.connect(transport);
    try {
      const echo = await client.callTool({
        name: "gateway_invoke",
        arguments: { server: "fixture", tool: "echo", arguments: { message: "from ~" } },
      });
      expect(firstText(echo)).toContain("from ~");
      expect(echo.isError).toBeFalsy();
      expect(stderr).toContain(`${join(home, "not-there.env")} does not exist; skipped`);
    } finally {
      await client.close();
    }
  });
});
