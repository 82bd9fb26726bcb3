import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { ConfigEditor } from "../../src/config/edit.ts";
import { loadConfig } from "../../src/config/load.ts";
import { REGISTRY, registryBackend, registryVariables } from "../../src/registry/servers.ts";
import { tempDir } from "../helpers.ts";
import { read } from "../setup/_home.ts";
import { runCli } from "./_run.ts";

const COMMENTED = `# top of file
server:
  port: 39400 # keep me

# my backends
backends:
  # first one
  memory:
    command: npx   # spaced comment
    args: ["-y", "@modelcontextprotocol/server-memory"]
    # inside memory

# trailing section
capabilities: { enabled: true }
`;

/** Every line of `original` is still in `text`, in the same order, byte for byte. */
function expectLinesKept(original: string, text: string): void {
  const lines = text.split("\n");
  let at = 0;
  for (const line of original.split("\n")) {
    const found = lines.indexOf(line, at);
    expect(found, `line kept: ${JSON.stringify(line)}`).toBeGreaterThanOrEqual(at);
    at = found + 1;
  }
}

function box(text?: string) {
  const home = tempDir("mcpgw-add-");
  const config = join(home, "gateway.yaml");
  if (text !== undefined) writeFileSync(config, text);
  const env = { HOME: home, PATH: process.env.PATH ?? "/usr/bin:/bin" };
  const cli = (verb: string, ...args: string[]) =>
    runCli([verb, "--config", config, ...args], { env });
  return { home, config, env, cli };
}

setDefaultTimeout(60_000);

describe("add / remove / list", () => {
  test("add NAME -- CMD ARGS writes command and args; -e goes to env; comments survive", () => {
    const { config, cli } = box(COMMENTED);
    const run = cli(
      "add",
      "files",
      "-e",
      "LOG_LEVEL=debug",
      "--env",
      "ROOT=/srv",
      "--",
      "npx",
      "-y",
      "@modelcontextprotocol/server-filesystem",
      "/tmp",
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`added backend files to ${config}`);
    const text = read(config);
    expectLinesKept(COMMENTED, text);
    expect(parseYaml(text).backends.files).toEqual({
      command: "npx",
      args: ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"],
      env: { LOG_LEVEL: "debug", ROOT: "/srv" },
    });
    expect(loadConfig({ path: config, env: {} }).backends.map((b) => b.name)).toEqual([
      "memory",
      "files",
    ]);
  });

  test("flags after `--` belong to the server's command, --help included", () => {
    const { config, cli } = box(COMMENTED);
    const run = cli("add", "tool", "--", "some-server", "--help", "-h", "--port", "1");
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain("USAGE");
    expect(parseYaml(read(config)).backends.tool).toEqual({
      command: "some-server",
      args: ["--help", "-h", "--port", "1"],
    });
    // Before `--` it is still the gateway's help.
    const help = cli("add", "--help", "--", "x");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("USAGE");
  });

  test("add --url writes url; --header goes to headers; --transport and --timeout are checked", () => {
    const { config, cli } = box(COMMENTED);
    const run = cli(
      "add",
      "--url",
      "https://example.com/mcp",
      "remote",
      "--header",
      "Authorization: Bearer ${REMOTE_TOKEN}",
      "-H",
      "X-Team:  blue",
      "--transport",
      "sse",
      "--timeout",
      "2m",
    );
    expect(run.code).toBe(0);
    expect(parseYaml(read(config)).backends.remote).toEqual({
      url: "https://example.com/mcp",
      headers: { Authorization: "Bearer ${REMOTE_TOKEN}", "X-Team": "blue" },
      transport: "sse",
      timeout: "2m",
    });
    const bad = cli("add", "--url", "https://example.com/mcp", "other", "--transport", "websocket");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("--transport must be streamable-http, sse or auto");
  });

  test("add NAME fills in a known server: command, args and the variables to set", () => {
    const { config, cli } = box();
    const run = cli("add", "github");
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("set GITHUB_PERSONAL_ACCESS_TOKEN");
    expect(parseYaml(read(config)).backends.github).toEqual({
      description: "GitHub repositories, issues, pull requests and code search",
      command: "npx",
      args: ["-y", "@modelcontextprotocol/server-github"],
      env: { GITHUB_PERSONAL_ACCESS_TOKEN: "${GITHUB_PERSONAL_ACCESS_TOKEN}" },
    });
    // A new file starts from the commented starter config.
    expect(read(config)).toContain("# mcp-gateway configuration.");
    const other = cli(
      "add",
      "work-github",
      "--registry",
      "github",
      "-e",
      "GITHUB_PERSONAL_ACCESS_TOKEN=${WORK_TOKEN}",
    );
    expect(other.code).toBe(0);
    expect(parseYaml(read(config)).backends["work-github"].env).toEqual({
      GITHUB_PERSONAL_ACCESS_TOKEN: "${WORK_TOKEN}",
    });
  });

  test("every registry entry becomes a backend that validates", () => {
    expect(REGISTRY.length).toBeGreaterThanOrEqual(30);
    expect(new Set(REGISTRY.map((entry) => entry.name)).size).toBe(REGISTRY.length);
    const editor = new ConfigEditor(join(tempDir(), "gateway.yaml"), "");
    for (const entry of REGISTRY) {
      editor.setBackend(entry.name, registryBackend(entry));
      // Every variable the entry names is used by it, and every one it uses is named.
      const text = JSON.stringify(registryBackend(entry));
      const used = [...text.matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((m) => m[1]);
      const named = registryVariables(entry)
        .filter((v) => v.required !== false)
        .map((v) => v.name);
      expect(used.sort()).toEqual(named.sort());
    }
    const loaded = editor.validate({});
    expect(loaded.backends).toHaveLength(REGISTRY.length);
    for (const backend of loaded.backends) expect(["npx", "uvx"]).toContain(backend.command!);
  });

  test("bad input gets a one-line reason and a non-zero exit, and the file is untouched", () => {
    const { config, cli } = box(COMMENTED);
    const cases: [string[], string][] = [
      [["add", "memory", "--", "node", "x.js"], "backends.memory already exists; pass --force"],
      [["add", "bad name", "--", "x"], 'backend name "bad name": a backend name is ASCII letters'],
      [["add", "a__b", "--", "x"], 'no "__"'],
      [["add", "gateway", "--", "x"], "reserved"],
      [["add", "githb"], "githb is not a known server (did you mean github?)"],
      [["add", "x", "-e", "NOEQUALS", "--", "y"], '-e takes KEY=VALUE, got "NOEQUALS"'],
      [["add", "x", "--header", "nocolon", "--url", "https://a.example/mcp"], "--header takes"],
      [["add", "x", "--header", "A: b", "--", "cmd"], "--header applies to remote servers"],
      [["add", "x", "--url", "ftp://a"], "--url must be an http:// or https:// URL"],
      [
        ["add", "x", "--url", "https://a.example/mcp", "--", "cmd"],
        "either a command after -- or --url",
      ],
      [["add", "x", "--timeout", "soon", "--", "cmd"], "--timeout must be a duration"],
      [["add", "--", "npx", "x"], "add needs a NAME before --"],
      [["remove", "nope"], "no backend named nope (backends: memory)"],
      [["remove", "memroy"], "did you mean memory?"],
    ];
    for (const [args, message] of cases) {
      const run = cli(args[0]!, ...args.slice(1));
      expect(run.code, args.join(" ")).toBe(1);
      expect(run.stderr, args.join(" ")).toContain(message);
      expect(run.stderr.trim().split("\n")).toHaveLength(1);
    }
    expect(read(config)).toBe(COMMENTED);
  });

  test("--force replaces in place; remove keeps every comment outside the removed block", () => {
    const { config, cli } = box(COMMENTED);
    expect(cli("add", "memory", "--force", "--", "node", "memory.js").code).toBe(0);
    const replaced = read(config);
    expect(replaced).toContain(
      '  # first one\n  memory:\n    command: node\n    args: ["memory.js"]\n\n# trailing section',
    );
    expect(cli("add", "second", "--", "x").code).toBe(0);
    expect(cli("remove", "memory").code).toBe(0);
    const text = read(config);
    for (const comment of [
      "# top of file",
      "# keep me",
      "# my backends",
      "# first one",
      "# trailing section",
    ]) {
      expect(text).toContain(comment);
    }
    expect(parseYaml(text).backends).toEqual({ second: { command: "x", args: [] } });
    expect(cli("remove", "second").code).toBe(0);
    expect(parseYaml(read(config)).backends).toEqual({});
    expect(loadConfig({ path: config, env: {} }).backends).toEqual([]);
  });

  test("list shows what the file says, never a secret; --json is data only; -q prints names", () => {
    const { config, cli } = box(`backends:
  api:
    url: https://user:hunter2@api.example.com/mcp?api_key=sk-abcdefghijklmnopqrstuvwx
    headers: { Authorization: "Bearer \${API_TOKEN}" }
  local:
    command: node
    args: ["server.js", "--token", "plain-secret-value"]
    env: { TOKEN: "also-secret" }
    enabled: false
`);
    const json = cli("list", "--json");
    expect(json.code).toBe(0);
    const out = JSON.parse(json.stdout);
    expect(out.config).toBe(config);
    const all = json.stdout + json.stderr;
    for (const secret of [
      "hunter2",
      "sk-abcdefghijklmnopqrstuvwx",
      "plain-secret-value",
      "also-secret",
    ]) {
      expect(all).not.toContain(secret);
    }
    expect(out.backends).toEqual([
      {
        name: "api",
        transport: "auto",
        enabled: true,
        url: "https://user:<redacted>@api.example.com/mcp?api_key=<redacted>",
        env: [],
        headers: ["Authorization"],
        error: "backends.api.headers.Authorization: environment variable API_TOKEN is not set",
      },
      {
        name: "local",
        transport: "stdio",
        enabled: false,
        command: "node",
        args: ["server.js", "--token", "<redacted>"],
        env: ["TOKEN"],
        headers: [],
      },
    ]);
    const quiet = cli("list", "-q");
    // In the file's order (api waits for API_TOKEN; it was listed last).
    expect(quiet.stdout).toBe("api\nlocal\n");
    const table = cli("list");
    expect(table.stdout).toContain("local  stdio  node server.js --token <redacted>  (disabled)");
  });

  test("with no --config, add writes ~/.config/mcp-gateway/gateway.yaml (XDG_CONFIG_HOME honoured)", () => {
    const home = tempDir("mcpgw-add-");
    const xdg = join(home, "xdg");
    const env = { HOME: home, XDG_CONFIG_HOME: xdg, PATH: process.env.PATH ?? "" };
    expect(runCli(["add", "memory"], { env }).code).toBe(0);
    expect(existsSync(join(xdg, "mcp-gateway/gateway.yaml"))).toBe(true);
    const listed = runCli(["list", "-q"], { env });
    expect(listed.stdout).toBe("memory\n");
  });
});
