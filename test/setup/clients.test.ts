import { describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseJsonc } from "jsonc-parser";
import { type ClientFile, clientFiles } from "../../src/setup/clients.ts";
import { scanClients } from "../../src/setup/discover.ts";
import { rewriteClientText } from "../../src/setup/rewrite.ts";
import { tempDir } from "../helpers.ts";

const user = (client: ClientFile["client"], path: string): ClientFile => ({
  client,
  path,
  scope: "user",
});

describe("client file locations per platform", () => {
  const APPDATA = "C:\\Users\\me\\AppData\\Roaming";
  const PROFILE = "C:\\Users\\me";

  test("Windows: each client's documented location under APPDATA and USERPROFILE", () => {
    const files = clientFiles({ APPDATA, USERPROFILE: PROFILE }, "D:\\src\\app", "win32");
    expect(files).toEqual([
      user("claude-desktop", `${APPDATA}\\Claude\\claude_desktop_config.json`),
      user("claude-code", `${PROFILE}\\.claude.json`),
      { client: "claude-code", path: "D:\\src\\app\\.mcp.json", scope: "project" },
      user("cursor", `${PROFILE}\\.cursor\\mcp.json`),
      { client: "cursor", path: "D:\\src\\app\\.cursor\\mcp.json", scope: "project" },
      user("vscode", `${APPDATA}\\Code\\User\\mcp.json`),
      {
        ...user("vscode", `${APPDATA}\\Code\\User\\settings.json`),
        serversPath: ["mcp", "servers"],
      },
      { client: "vscode", path: "D:\\src\\app\\.vscode\\mcp.json", scope: "project" },
      user("windsurf", `${PROFILE}\\.codeium\\windsurf\\mcp_config.json`),
      user("zed", `${APPDATA}\\Zed\\settings.json`),
      user(
        "cline",
        `${APPDATA}\\Code\\User\\globalStorage\\saoudrizwan.claude-dev\\settings\\cline_mcp_settings.json`,
      ),
      user("codex", `${PROFILE}\\.codex\\config.toml`),
      { client: "codex", path: "D:\\src\\app\\.codex\\config.toml", scope: "project" },
      user("continue", `${PROFILE}\\.continue\\config.yaml`),
      {
        ...user("continue", `${PROFILE}\\.continue\\config.json`),
        format: "json",
        legacy: "continue-json",
      },
    ]);
  });

  test("Windows: without APPDATA, %USERPROFILE%\\AppData\\Roaming; without USERPROFILE, HOME", () => {
    const paths = clientFiles({ HOME: "C:\\home" }, undefined, "win32").map((file) => file.path);
    expect(paths).toContain("C:\\home\\AppData\\Roaming\\Claude\\claude_desktop_config.json");
    expect(paths).toContain("C:\\home\\AppData\\Roaming\\Zed\\settings.json");
    expect(paths).toContain("C:\\home\\.cursor\\mcp.json");
  });

  test("Windows honours CLAUDE_CONFIG_DIR and CODEX_HOME", () => {
    const env = {
      APPDATA,
      USERPROFILE: PROFILE,
      CLAUDE_CONFIG_DIR: "E:\\claude",
      CODEX_HOME: "E:\\codex",
    };
    const paths = clientFiles(env, undefined, "win32").map((file) => file.path);
    expect(paths).toContain("E:\\claude\\.claude.json");
    expect(paths).toContain("E:\\codex\\config.toml");
    expect(paths).not.toContain(`${PROFILE}\\.claude.json`);
  });

  test("Linux and macOS: no Windows locations; Windows: no Linux or macOS ones", () => {
    for (const platform of ["linux", "darwin"] as const) {
      const paths = clientFiles({ HOME: "/home/me", APPDATA }, undefined, platform).map(
        (file) => file.path,
      );
      expect(paths).toContain("/home/me/.config/Code/User/settings.json");
      expect(paths).toContain(
        "/home/me/Library/Application Support/Claude/claude_desktop_config.json",
      );
      expect(paths.filter((path) => path.includes("\\") || path.includes("AppData"))).toEqual([]);
    }
    const windows = clientFiles({ APPDATA, USERPROFILE: PROFILE }, undefined, "win32");
    expect(windows.filter((file) => /\.config|Library|\//.test(file.path))).toEqual([]);
  });
});

describe("VS Code user settings.json (servers under mcp.servers)", () => {
  const settings = `{
  // editor settings stay
  "editor.fontSize": 14,
  "mcp": {
    "servers": {
      "memory": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"] },
      "docs": { "type": "http", "url": "https://example.com/mcp" }
    }
  }
}
`;

  test("setup finds the servers there, with their key paths", () => {
    const home = tempDir("mcpgw-vscode-settings-");
    const file = join(home, ".config/Code/User/settings.json");
    mkdirSync(join(home, ".config/Code/User"), { recursive: true });
    writeFileSync(file, settings);
    const scanned = scanClients({ env: { HOME: home }, platform: "linux" });
    const found = scanned.find((entry) => entry.file.path === file)!;
    expect(found.error).toBeUndefined();
    expect(found.servers.map((server) => [server.name, server.keyPath, server.entry])).toEqual([
      [
        "memory",
        ["mcp", "servers", "memory"],
        { command: "npx", args: ["-y", "@modelcontextprotocol/server-memory"] },
      ],
      [
        "docs",
        ["mcp", "servers", "docs"],
        { url: "https://example.com/mcp", transport: "streamable-http" },
      ],
    ]);
  });

  test("--configure-client replaces them with the gateway under mcp.servers, keeping the rest", () => {
    const file: ClientFile = {
      client: "vscode",
      path: "/h/.config/Code/User/settings.json",
      scope: "user",
      serversPath: ["mcp", "servers"],
    };
    const out = rewriteClientText(
      file,
      settings,
      [
        ["mcp", "servers", "memory"],
        ["mcp", "servers", "docs"],
      ],
      { type: "http", url: "http://127.0.0.1:39400/mcp" },
    );
    expect(out).toContain("// editor settings stay");
    expect(parseJsonc(out)).toEqual({
      "editor.fontSize": 14,
      mcp: { servers: { "mcp-gateway": { type: "http", url: "http://127.0.0.1:39400/mcp" } } },
    });
  });
});
