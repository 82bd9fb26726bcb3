import { describe, expect, test } from "bun:test";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { clientFiles } from "../../src/setup/clients.ts";
import { type FoundServer, scanClients } from "../../src/setup/discover.ts";
import { tempDir } from "../helpers.ts";
import { clientHome } from "./_home.ts";

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

const byName = (servers: FoundServer[]) => Object.fromEntries(servers.map((s) => [s.name, s]));

describe("client discovery", () => {
  test("finds every client's servers in a Linux HOME", () => {
    const box = clientHome();
    const scanned = scanClients({ env: { HOME: box.home }, projectDir: box.project });
    const counts = scanned
      .filter((file) => file.exists)
      .map((file) => [file.file.client, file.file.scope, file.servers.length]);
    expect(counts).toEqual([
      ["claude-desktop", "user", 2],
      ["claude-code", "user", 2],
      ["claude-code", "project", 1],
      ["cursor", "user", 3],
      ["vscode", "user", 2],
      ["windsurf", "user", 1],
      ["zed", "user", 3],
      ["cline", "user", 2],
      ["codex", "user", 2],
    ]);
    const all = byName(scanned.flatMap((file) => file.servers));
    expect(all.postgres!.keyPath).toEqual(["projects", "/home/me/app", "mcpServers", "postgres"]);
    expect(all.postgres!.origin).toBe("Claude Code (project /home/me/app)");
    expect(all.memory!.origin).toBe(`Claude Code (project ${box.project})`);
    expect(all["old-style"]!.entry).toEqual({
      command: "node",
      args: ["/opt/server.js"],
      env: { DEBUG: "1" },
    });
    expect(all["mcp-server-github"]!.skipped).toContain("Zed extension");
    expect(all.context7!.entry).toEqual({
      url: "https://mcp.context7.com/mcp",
      headers: { CONTEXT7_API_KEY: "ctx7sk-1234567890abcdef" },
    });
    expect(all.fetch!.entry).toEqual({
      command: "uvx",
      args: ["mcp-server-fetch"],
      timeout: "120s",
    });
    expect(all.brave!.entry!.enabled).toBe(false);
    expect(all.notion!.entry).toEqual({
      url: "https://mcp.notion.com/mcp",
      headers: { Authorization: "Bearer ${NOTION_TOKEN}" },
    });
    expect(all.notion!.needs.map((need) => need.variable)).toEqual(["NOTION_TOKEN"]);
  });

  test("honours XDG_CONFIG_HOME, CLAUDE_CONFIG_DIR and CODEX_HOME, and reads macOS locations", () => {
    const home = tempDir("mcpgw-locations-");
    const xdg = join(home, "xdg");
    const server = '{"mcpServers": {"s": {"command": "x"}}}';
    const files = [
      join(xdg, "Claude/claude_desktop_config.json"),
      join(home, "claude-dir/.claude.json"),
      join(home, "Library/Application Support/Code/User/mcp.json"),
      join(xdg, "zed/settings.json"),
      join(
        home,
        "Library/Application Support/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json",
      ),
      join(home, "codex-home/config.toml"),
    ];
    for (const file of files) {
      if (file.endsWith(".toml")) write(file, '[mcp_servers.s]\ncommand = "x"\n');
      else if (file.includes("zed")) write(file, '{"context_servers": {"s": {"command": "x"}}}');
      else if (file.endsWith("User/mcp.json")) write(file, '{"servers": {"s": {"command": "x"}}}');
      else write(file, server);
    }
    // Decoys where the overridden variables say not to look.
    write(join(home, ".config/Claude/claude_desktop_config.json"), server);
    write(join(home, ".codex/config.toml"), '[mcp_servers.decoy]\ncommand = "x"\n');
    const env = {
      HOME: home,
      XDG_CONFIG_HOME: xdg,
      CLAUDE_CONFIG_DIR: join(home, "claude-dir"),
      CODEX_HOME: join(home, "codex-home"),
    };
    const found = scanClients({ env }).filter((file) => file.servers.length > 0);
    expect(found.map((file) => file.file.path)).toEqual(files);
    expect(clientFiles(env).map((file) => file.path)).not.toContain(
      join(home, ".codex/config.toml"),
    );
  });

  test("a file that cannot be parsed is reported with its line; the others are still read", () => {
    const box = clientHome();
    const cursor = join(box.home, ".cursor/mcp.json");
    writeFileSync(cursor, '{\n  "mcpServers": {\n    "a": { "command": "x" \n  }\n');
    const scanned = scanClients({ env: { HOME: box.home } });
    const broken = scanned.find((file) => file.file.path === cursor)!;
    expect(broken.error).toContain(`${cursor}: cannot parse:`);
    expect(broken.error).toContain("line");
    expect(scanned.filter((file) => file.servers.length > 0).length).toBe(7);
    rmSync(cursor);
    writeFileSync(join(box.home, ".codeium/windsurf/mcp_config.json"), '{"mcpServers": []}');
    const wrong = scanClients({ env: { HOME: box.home } }).find(
      (file) => file.file.client === "windsurf",
    )!;
    expect(wrong.error).toContain("mcpServers is not an object");
  });

  test("translates each client's variables: VS Code inputs and env, workspace folders, literal ${", () => {
    const home = tempDir("mcpgw-vars-");
    const project = join(home, "proj");
    write(
      join(project, ".vscode/mcp.json"),
      JSON.stringify({
        servers: {
          a: {
            command: "node",
            args: ["${workspaceFolder}/server.js", "${userHome}/x", "${env:LOG}"],
            env: { KEY: "${input:api-key}" },
          },
        },
      }),
    );
    write(
      join(home, ".config/Code/User/mcp.json"),
      JSON.stringify({ servers: { b: { command: "node", args: ["${workspaceFolder}/s.js"] } } }),
    );
    write(
      join(home, ".config/Claude/claude_desktop_config.json"),
      JSON.stringify({ mcpServers: { c: { command: "echo", args: ["${NOT_EXPANDED}"] } } }),
    );
    write(
      join(home, ".codex/config.toml"),
      `[mcp_servers.d]
command = "x"
env_vars = ["LOG_LEVEL"]
env = { STATIC = "1" }
enabled = false
tool_timeout_sec = 900
[mcp_servers.e]
url = "https://e.example/mcp"
env_http_headers = { "X-Key" = "E_KEY" }
http_headers = { "X-Team" = "blue" }
`,
    );
    const servers = byName(
      scanClients({ env: { HOME: home }, projectDir: project }).flatMap((f) => f.servers),
    );
    expect(servers.a!.entry).toEqual({
      command: "node",
      args: [`${project}/server.js`, `${home}/x`, "${LOG}"],
      env: { KEY: "${API_KEY}" },
      cwd: project,
    });
    expect(servers.a!.needs).toEqual([
      { variable: "API_KEY", why: 'VS Code asked for input "api-key" (env.KEY)' },
    ]);
    expect(servers.b!.entry!.args).toEqual(["${workspaceFolder}/s.js"]);
    expect(servers.b!.needs[0]!.variable).toBe("workspaceFolder");
    // Claude Desktop expands nothing, so `${` stays literal through the gateway's expansion too.
    expect(servers.c!.entry!.args).toEqual(["$${NOT_EXPANDED}"]);
    const file = join(home, "gw.yaml");
    writeFileSync(file, `backends:\n  c:\n    command: echo\n    args: ["$\${NOT_EXPANDED}"]\n`);
    expect(loadConfig({ path: file, env: {} }).backends[0]!.args).toEqual(["${NOT_EXPANDED}"]);
    expect(servers.d!.entry).toEqual({
      command: "x",
      env: { LOG_LEVEL: "${LOG_LEVEL}", STATIC: "1" },
      enabled: false,
      timeout: "600s",
    });
    expect(servers.e!.entry!.headers).toEqual({ "X-Key": "${E_KEY}", "X-Team": "blue" });
    // What Codex read from its own environment, the gateway's must have: setup lists them.
    expect(servers.d!.needs).toEqual([
      { variable: "LOG_LEVEL", why: "Codex read it from its own environment (env_vars)" },
    ]);
    expect(servers.e!.needs).toEqual([
      {
        variable: "E_KEY",
        why: "Codex read it from its own environment (env_http_headers.X-Key)",
      },
    ]);
  });

  test("skips entries that are the gateway itself or have nothing to run, and notes unknown keys", () => {
    const home = tempDir("mcpgw-skip-");
    write(
      join(home, ".cursor/mcp.json"),
      JSON.stringify({
        mcpServers: {
          "mcp-gateway": { url: "http://127.0.0.1:39400/mcp" },
          renamed: { url: "http://127.0.0.1:39400/mcp" },
          binary: { command: "/usr/local/bin/mcp-gateway", args: ["serve", "--stdio"] },
          empty: { env: { A: "1" } },
          odd: "not an object",
          extra: { command: "x", alwaysAllow: ["t"], mystery: 1 },
        },
      }),
    );
    const servers = byName(
      scanClients({ env: { HOME: home }, gatewayUrl: "http://127.0.0.1:39400/mcp" }).flatMap(
        (f) => f.servers,
      ),
    );
    expect(servers["mcp-gateway"]!.skipped).toBe("it is this gateway");
    expect(servers.renamed!.skipped).toBe("it is this gateway");
    expect(servers.binary!.skipped).toBe("it is this gateway");
    expect(servers.empty!.skipped).toBe("it has neither a command nor a url");
    expect(servers.odd!.skipped).toBe("its entry is not an object");
    expect(servers.extra!.entry).toEqual({ command: "x" });
    expect(servers.extra!.notes).toEqual(["extra: ignored unknown key mystery"]);
  });
});
