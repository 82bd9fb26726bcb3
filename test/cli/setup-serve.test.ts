import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { parse as parseYaml } from "yaml";
import { loadConfig } from "../../src/config/load.ts";
import { runGateway } from "../../src/gateway/run.ts";
import { BUN, EVERYTHING, firstText, freePort, ROOT, tempDir } from "../helpers.ts";
import { runCli } from "./_run.ts";

setDefaultTimeout(60_000);

const KEY = "sk-abcdefghijklmnopqrstuvwx123456";
/** Tool results unredacted, so the key a backend received can be read back. */
const SHOW_RESULTS = { MCP_GATEWAY_SECURITY__REDACT_RESULTS: "false" };

/** A HOME where Claude Desktop and Cursor both run server-everything, with a key in its env. */
function home() {
  const dir = tempDir("mcpgw-e2e-");
  const bin = join(dir, "bin");
  mkdirSync(bin);
  const wrapper = join(bin, "mcp-gateway");
  writeFileSync(wrapper, `#!/bin/sh\nexec "${BUN}" "${join(ROOT, "src/main.ts")}" "$@"\n`);
  chmodSync(wrapper, 0o755);
  const server = { command: "node", args: [EVERYTHING], env: { EVERYTHING_API_KEY: KEY } };
  const desktop = join(dir, ".config/Claude/claude_desktop_config.json");
  const cursor = join(dir, ".cursor/mcp.json");
  for (const file of [desktop, cursor]) {
    mkdirSync(join(file, ".."), { recursive: true });
    writeFileSync(file, `${JSON.stringify({ mcpServers: { everything: server } }, null, 2)}\n`);
  }
  const env = { HOME: dir, PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}` };
  return { dir, wrapper, desktop, cursor, env };
}

async function echo(client: Client): Promise<string> {
  const result = await client.callTool({
    name: "gateway_invoke",
    arguments: {
      server: "everything",
      tool: "echo",
      arguments: { message: "through the gateway" },
    },
  });
  expect(result.isError).toBeFalsy();
  return firstText(result);
}

describe("setup, then the clients use the gateway", () => {
  test("Claude Desktop's rewritten entry runs the gateway over stdio, which runs the imported server", async () => {
    const box = home();
    const config = join(box.dir, ".config/mcp-gateway/gateway.yaml");
    const run = runCli(["setup", "--yes", "--configure-client", "--client", "claude-desktop"], {
      env: box.env,
    });
    expect(run.code).toBe(0);
    expect(readFileSync(config, "utf8")).not.toContain(KEY);
    expect(readFileSync(box.desktop, "utf8")).not.toContain(KEY);
    // The key moved out of the client file is kept where the gateway reads it, and said so.
    const secrets = join(box.dir, ".config/mcp-gateway/secrets.env");
    expect(run.stderr).toContain(`kept in ${secrets} (mode 0600)`);
    expect(run.stderr).toContain("EVERYTHING_API_KEY");
    expect(statSync(secrets).mode & 0o777).toBe(0o600);

    const entry = JSON.parse(readFileSync(box.desktop, "utf8")).mcpServers["mcp-gateway"];
    expect(entry).toEqual({ command: box.wrapper, args: ["serve", "--stdio", "--config", config] });
    // Start it exactly as Claude Desktop would: the entry's command and args, no env of its own.
    const client = new Client({ name: "claude-desktop-like", version: "1.0.0" });
    await client.connect(
      new StdioClientTransport({
        command: entry.command,
        args: entry.args,
        // Results are redacted by default (security.redact_results); this test reads the key.
        env: { ...box.env, XDG_STATE_HOME: tempDir(), ...SHOW_RESULTS },
        stderr: "pipe",
      }),
    );
    try {
      expect(await echo(client)).toContain("through the gateway");
      // Search finds the imported server's tool, and invoking it shows the key reached it.
      const found = await client.callTool({
        name: "gateway_search_tools",
        arguments: { query: "environment variables", server: "everything" },
      });
      const matches = (found.structuredContent as { matches: { tool: string }[] }).matches;
      expect(matches.map((match) => match.tool)).toContain("get-env");
      const env = await client.callTool({
        name: "gateway_invoke",
        arguments: { server: "everything", tool: "get-env" },
      });
      expect(env.isError).toBeFalsy();
      expect(firstText(env)).toContain(KEY);
    } finally {
      await client.close();
    }
  });

  test("Cursor's rewritten entry reaches the gateway over HTTP on the configured port", async () => {
    const box = home();
    const port = await freePort();
    const config = join(box.dir, "gateway.yaml");
    writeFileSync(config, `server:\n  port: ${port}\n`);
    const run = runCli(
      ["setup", "--config", config, "--yes", "--configure-client", "--client", "cursor"],
      {
        env: box.env,
      },
    );
    expect(run.code).toBe(0);
    // A config outside ~/.config (in a project, say) never gets the secrets beside it, where
    // they could be committed: it names the user's own secrets file.
    expect(existsSync(join(box.dir, "secrets.env"))).toBe(false);
    expect(parseYaml(readFileSync(config, "utf8")).env_files).toEqual([
      "~/.config/mcp-gateway/secrets.env",
    ]);
    const url = JSON.parse(readFileSync(box.cursor, "utf8")).mcpServers["mcp-gateway"].url;
    expect(url).toBe(`http://127.0.0.1:${port}/mcp`);

    // Started with the user's own environment: the key comes from the secrets file.
    const env = { ...box.env, ...SHOW_RESULTS };
    const running = await runGateway({
      config: loadConfig({ path: config, env }),
      port,
      memoryState: true,
      env,
    });
    const client = new Client({ name: "cursor-like", version: "1.0.0" });
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      expect(await echo(client)).toContain("through the gateway");
      const shown = await client.callTool({
        name: "gateway_invoke",
        arguments: { server: "everything", tool: "get-env" },
      });
      expect(firstText(shown)).toContain(KEY);
    } finally {
      await client.close().catch(() => {});
      await running.stop();
    }
  });
});
