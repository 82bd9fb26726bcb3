import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseTOML } from "confbox";
import { parse as parseJsonc } from "jsonc-parser";
import { parse as parseYaml } from "yaml";
import { loadConfig } from "../../src/config/load.ts";
import { tempDir } from "../helpers.ts";
import { clientHome, read, SECRETS } from "../setup/_home.ts";
import { runCli } from "./_run.ts";

// Spawns backends and CLIs: generous under a loaded machine; nothing here measures time.
setDefaultTimeout(30_000);

const backupsOf = (home: string) => join(home, ".local/state/mcp-gateway/backups");

function expectNoSecrets(text: string): void {
  for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
}

describe("setup", () => {
  test("`setup wizard` is the same import as `setup`", () => {
    const box = clientHome();
    const run = runCli(["setup", "wizard", "--yes", "--only", "github"], {
      env: box.env,
      cwd: box.project,
    });
    expect(run.code).toBe(0);
    expect(Object.keys(parseYaml(read(box.config)).backends)).toEqual(["github"]);
  });

  test("--yes imports every server found and leaves every client file as it was", () => {
    const box = clientHome();
    const run = runCli(["setup", "--yes"], { env: box.env, cwd: box.project });
    expect(run.stderr).not.toContain("ERROR");
    expect(run.code).toBe(0);
    for (const [path, text] of Object.entries(box.files)) expect(read(path)).toBe(text);

    const written = read(box.config);
    expectNoSecrets(written + run.stdout + run.stderr);
    const backends = parseYaml(written).backends;
    expect(Object.keys(backends)).toEqual([
      "filesystem",
      "github",
      "sentry",
      "postgres",
      "memory",
      "filesystem-cursor",
      "linear",
      "perplexity",
      "Remote-Docs",
      "context7",
      "time",
      "old-style",
      "fetch",
      "brave",
      "docs",
      "notion",
    ]);
    expect(backends.github).toEqual({
      command: "npx",
      args: ["-y", "@modelcontextprotocol/server-github"],
      env: { GITHUB_PERSONAL_ACCESS_TOKEN: "${GITHUB_PERSONAL_ACCESS_TOKEN}" },
    });
    expect(backends.sentry).toEqual({
      url: "https://mcp.sentry.dev/mcp",
      headers: { Authorization: "Bearer ${SENTRY_TOKEN}" },
      transport: "streamable-http",
    });
    expect(backends.postgres.args).toEqual([
      "-y",
      "@modelcontextprotocol/server-postgres",
      "${POSTGRES_URL}",
    ]);
    expect(backends.memory.env).toEqual({ MEMORY_FILE_PATH: "${MEMORY_FILE:-/tmp/memory.json}" });
    expect(backends["filesystem-cursor"].args[2]).toBe(`${box.home}/code`);
    expect(backends.perplexity.env).toEqual({ PERPLEXITY_API_KEY: "${PERPLEXITY_KEY}" });
    expect(backends["Remote-Docs"]).toEqual({
      url: "https://docs.example.com/mcp",
      transport: "streamable-http",
    });
    expect(backends.context7.headers).toEqual({ CONTEXT7_API_KEY: "${CONTEXT7_API_KEY}" });
    expect(backends["old-style"]).toEqual({
      command: "node",
      args: ["/opt/server.js"],
      env: { DEBUG: "1" },
    });
    expect(backends.fetch).toEqual({ command: "uvx", args: ["mcp-server-fetch"], timeout: "120s" });
    expect(backends.brave.enabled).toBe(false);
    expect(backends.docs.env).toEqual({ API_TOKEN: "${API_TOKEN}" });
    expect(backends.notion.headers).toEqual({ Authorization: "Bearer ${NOTION_TOKEN}" });

    // The user is told which variables to set, where the names changed, and what was merged.
    for (const name of [
      "GITHUB_PERSONAL_ACCESS_TOKEN",
      "SENTRY_TOKEN",
      "POSTGRES_URL",
      "CONTEXT7_API_KEY",
      "BRAVE_API_KEY",
      "API_TOKEN",
      "PERPLEXITY_KEY",
    ]) {
      expect(run.stderr).toContain(name);
    }
    expect(run.stderr).toContain("filesystem from Cursor is imported as filesystem-cursor");
    expect(run.stderr).toContain("configured in Claude Desktop and Cursor; imported once");
    expect(run.stderr).toContain("skipped mcp-server-github");

    // The secrets are kept where every start of the gateway reads them: secrets.env (0600)
    // beside the config, in its env_files; the message says where.
    const secretsFile = join(box.config, "../secrets.env");
    expect(statSync(secretsFile).mode & 0o777).toBe(0o600);
    expect(parseYaml(written).env_files).toEqual(["secrets.env"]);
    expect(run.stderr).toContain(`kept in ${secretsFile} (mode 0600)`);
    // What was written loads with them; a backend whose variable is unset (a VS Code input
    // setup cannot know) is marked, not fatal.
    const config = loadConfig({ path: box.config, env: { HOME: box.home } });
    expect(config.backends).toHaveLength(16);
    const github = config.backends.find((b) => b.name === "github");
    expect(github?.configError).toBeUndefined();
    expect(github?.env.GITHUB_PERSONAL_ACCESS_TOKEN).toBe(SECRETS.github);
    expect(config.backends.find((b) => b.name === "perplexity")?.configError).toContain(
      "PERPLEXITY_KEY",
    );
    const withVars = loadConfig({
      path: box.config,
      env: { GITHUB_PERSONAL_ACCESS_TOKEN: "x", SENTRY_TOKEN: "y" },
    });
    expect(withVars.backends.find((b) => b.name === "sentry")?.headers.Authorization).toBe(
      "Bearer y",
    );

    // Running it again finds nothing new and writes nothing.
    const again = runCli(["setup", "--yes"], { env: box.env, cwd: box.project });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("already has every chosen server");
    expect(read(box.config)).toBe(written);
    expect(readdirSync(backupsOf(box.home))).toHaveLength(1);
  });

  test("--dry-run writes nothing at all and prints the diff", () => {
    const box = clientHome();
    const run = runCli(["setup", "--yes", "--dry-run", "--configure-client"], {
      env: box.env,
      cwd: box.project,
    });
    expect(run.code).toBe(0);
    expect(existsSync(box.config)).toBe(false);
    expect(existsSync(join(box.home, ".local"))).toBe(false);
    for (const [path, text] of Object.entries(box.files)) expect(read(path)).toBe(text);
    expect(run.stdout).toContain(`+++ ${box.config}`);
    expect(run.stdout).toContain(
      '+      GITHUB_PERSONAL_ACCESS_TOKEN: "${GITHUB_PERSONAL_ACCESS_TOKEN}"',
    );
    expect(run.stdout).toContain(`--- ${join(box.home, ".cursor/mcp.json")}`);
    expect(run.stdout).toContain('+    "mcp-gateway": {');
    expect(run.stdout).toContain(`+++ ${join(box.config, "../secrets.env")}`);
    expect(run.stdout).toContain("+GITHUB_PERSONAL_ACCESS_TOKEN=<redacted>");
    expectNoSecrets(run.stdout + run.stderr);
    expect(run.stderr).toContain("dry run: nothing was written");
  });

  test("--configure-client points every client at the gateway, keeping unrelated keys, with byte-identical backups that restore puts back", () => {
    const box = clientHome();
    const run = runCli(["setup", "--yes", "--configure-client"], {
      env: box.env,
      cwd: box.project,
    });
    expect(run.code).toBe(0);
    const url = "http://127.0.0.1:39400/mcp";
    const stdio = { command: "mcp-gateway", args: ["serve", "--stdio", "--config", box.config] };
    const json = (path: string) =>
      parseJsonc(read(join(box.home, path)), [], { allowTrailingComma: true });

    const desktop = json(".config/Claude/claude_desktop_config.json");
    expect(desktop).toEqual({ mcpServers: { "mcp-gateway": stdio }, globalShortcut: "Ctrl+Space" });
    const code = json(".claude.json");
    expect(code).toEqual({
      numStartups: 42,
      theme: "dark",
      mcpServers: { "mcp-gateway": { type: "http", url } },
      projects: { "/home/me/app": { allowedTools: [], mcpServers: {} } },
    });
    expect(parseJsonc(read(join(box.project, ".mcp.json")))).toEqual({
      mcpServers: { "mcp-gateway": { type: "http", url } },
    });
    expect(json(".cursor/mcp.json")).toEqual({ mcpServers: { "mcp-gateway": { url } } });
    const vscode = json(".config/Code/User/mcp.json");
    expect(vscode.servers).toEqual({ "mcp-gateway": { type: "http", url } });
    expect(vscode.inputs[0].id).toBe("perplexity-key");
    expect(read(join(box.home, ".config/Code/User/mcp.json"))).toContain("// My servers");
    expect(json(".codeium/windsurf/mcp_config.json")).toEqual({
      mcpServers: { "mcp-gateway": { serverUrl: url } },
    });
    const zed = json(".config/zed/settings.json");
    expect(zed.theme).toBe("One Dark");
    expect(zed.vim_mode).toBe(true);
    expect(zed.context_servers).toEqual({
      "mcp-server-github": { source: "extension", settings: {} },
      "mcp-gateway": { source: "custom", ...stdio, env: {} },
    });
    expect(read(join(box.home, ".config/zed/settings.json")).startsWith("// Zed settings\n")).toBe(
      true,
    );
    const cline = json(
      ".config/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json",
    );
    expect(cline).toEqual({
      mcpServers: { "mcp-gateway": { type: "streamableHttp", url, disabled: false } },
    });
    const codexText = read(join(box.home, ".codex/config.toml"));
    expect(parseTOML(codexText)).toEqual({
      model: "gpt-5",
      mcp_servers: { "mcp-gateway": stdio },
      profiles: { fast: { model: "gpt-5-mini" } },
    });
    expect(codexText).toContain("# MCP servers");
    expectNoSecrets(read(box.config));

    // Every changed client file was copied byte for byte before it was written.
    const [id] = readdirSync(backupsOf(box.home));
    const dir = join(backupsOf(box.home), id!);
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    const copied = manifest.files.filter((file: { existed: boolean }) => file.existed);
    expect(copied).toHaveLength(Object.keys(box.files).length);
    for (const file of copied) {
      expect(readFileSync(join(dir, file.copy))).toEqual(Buffer.from(box.files[file.path]!));
    }

    const restore = runCli(["setup", "restore"], { env: box.env });
    expect(restore.code).toBe(0);
    for (const [path, text] of Object.entries(box.files)) {
      expect(readFileSync(path)).toEqual(Buffer.from(text));
    }
    expect(existsSync(box.config)).toBe(false);
    const none = runCli(["setup", "restore"], { env: box.env });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("no backup left to restore");
  });

  test("a moved secret never takes a name the environment or secrets.env holds with another value", () => {
    const box = clientHome();
    // The user's shell already has the name, for something else: it would win over env_files.
    const env = { ...box.env, GITHUB_PERSONAL_ACCESS_TOKEN: "someone-elses" };
    const run = runCli(["setup", "--only", "github"], { env, cwd: box.project });
    expect(run.code).toBe(0);
    const github = parseYaml(read(box.config)).backends.github;
    expect(github.env).toEqual({
      GITHUB_PERSONAL_ACCESS_TOKEN: "${GITHUB_PERSONAL_ACCESS_TOKEN_2}",
    });
    const loaded = loadConfig({ path: box.config, env });
    expect(loaded.backends[0]?.env.GITHUB_PERSONAL_ACCESS_TOKEN).toBe(SECRETS.github);

    // A second import adds its line and keeps the first.
    const secrets = join(box.config, "../secrets.env");
    const first = read(secrets);
    expect(runCli(["setup", "--only", "sentry"], { env, cwd: box.project }).code).toBe(0);
    expect(read(secrets).startsWith(first)).toBe(true);
    expect(read(secrets)).toContain("SENTRY_TOKEN=");
    expect(parseYaml(read(box.config)).env_files).toEqual(["secrets.env"]);
  });

  test("restore refuses to overwrite a file edited since, unless --force", () => {
    const box = clientHome();
    expect(
      runCli(["setup", "--yes", "--configure-client", "--client", "cursor"], { env: box.env }).code,
    ).toBe(0);
    const cursor = join(box.home, ".cursor/mcp.json");
    writeFileSync(cursor, '{"mcpServers": {}}\n');
    const refused = runCli(["setup", "restore"], { env: box.env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`changed since setup wrote them: ${cursor}`);
    expect(read(cursor)).toBe('{"mcpServers": {}}\n');
    expect(runCli(["setup", "restore", "--force"], { env: box.env }).code).toBe(0);
    expect(read(cursor)).toBe(box.files[cursor]!);
  });

  test("without a terminal it asks for --yes or --only, and writes nothing", () => {
    const box = clientHome();
    const run = runCli(["setup"], { env: box.env, cwd: box.project });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("pass --yes to import all 16 servers found, or --only NAME,...");
    expect(existsSync(box.config)).toBe(false);
  });

  test("--only picks servers by name; --json prints only JSON on stdout", () => {
    const box = clientHome();
    const run = runCli(["setup", "--only", "github,Remote Docs", "--json", "--configure-client"], {
      env: box.env,
      cwd: box.project,
    });
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.backends.map((b: { name: string }) => b.name)).toEqual(["github", "Remote-Docs"]);
    expect(out.variables).toEqual([
      {
        name: "GITHUB_PERSONAL_ACCESS_TOKEN",
        where: ["backends.github.env.GITHUB_PERSONAL_ACCESS_TOKEN"],
        stored: true,
      },
    ]);
    expect(out.secretsFile).toBe(join(box.config, "../secrets.env"));
    expect(out.clients.map((c: { client: string }) => c.client).sort()).toEqual([
      "claude-desktop",
      "cursor",
      "vscode",
    ]);
    expect(out.backup).toBeString();
    expect(Object.keys(parseYaml(read(box.config)).backends)).toEqual(["github", "Remote-Docs"]);
    // Only the chosen servers left the clients; the others stay where they were.
    const cursor = parseJsonc(read(join(box.home, ".cursor/mcp.json")));
    expect(Object.keys(cursor.mcpServers)).toEqual(["filesystem", "linear", "mcp-gateway"]);
    expectNoSecrets(run.stdout);

    const unknown = runCli(["setup", "--only", "nope"], { env: box.env, cwd: box.project });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("--only: not found: nope");
  });

  test("an existing gateway.yaml keeps its comments; a clashing name gets a suffix and a note", () => {
    const box = clientHome();
    const config = join(box.home, "gw", "gateway.yaml");
    const original = `# my gateway
server:
  port: 4000 # not the default

backends:
  # the one I wrote myself
  github:
    command: gh-mcp
`;
    Bun.write(config, original);
    const run = runCli(
      ["setup", "--only", "github", "--config", config, "--configure-client", "--client", "cursor"],
      {
        env: box.env,
      },
    );
    expect(run.code).toBe(0);
    const text = read(config);
    expect(text.startsWith(original)).toBe(true);
    expect(parseYaml(text).backends["github-cursor"].args).toEqual([
      "-y",
      "@modelcontextprotocol/server-github",
    ]);
    expect(run.stderr).toContain(
      "github from Cursor is imported as github-cursor: gateway.yaml already has a different backend of that name",
    );
    // The rewritten client uses the configured port.
    expect(parseJsonc(read(join(box.home, ".cursor/mcp.json"))).mcpServers["mcp-gateway"]).toEqual({
      url: "http://127.0.0.1:4000/mcp",
    });
  });

  test("--help documents the flags and restore", () => {
    const run = runCli(["setup", "--help"], { env: { HOME: tempDir() } });
    expect(run.code).toBe(0);
    for (const flag of [
      "--yes",
      "--configure-client",
      "--dry-run",
      "--only",
      "--client",
      "--config",
      "restore",
    ]) {
      expect(run.stdout).toContain(flag);
    }
  });
});
