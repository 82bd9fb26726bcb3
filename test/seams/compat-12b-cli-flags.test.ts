import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCliAsync } from "../cli/_run.ts";
import { tempDir } from "../helpers.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh HOME with an empty gateway.yaml; the environment a script runs in. */
function home() {
  const dir = tempDir("compat-12b-cli-");
  dirs.push(dir);
  const config = join(dir, "gateway.yaml");
  writeFileSync(config, "backends: {}\n");
  return { dir, config, env: { HOME: dir, PATH: process.env.PATH! } };
}

// Scripts written for the original gateway use its spellings of flags that mean what ours do.
// Each is taken and does what the original's did (they were refused, naming ours).
describe("the original's spellings of our flags", () => {
  test("doctor --format json / -f json print the JSON report (its DEPLOYMENT.md CI step)", async () => {
    const { config, env } = home();
    for (const flags of [["--format", "json"], ["-f", "json"], ["--format=json"]]) {
      const run = await runCliAsync(["doctor", ...flags, "--config", config], { env });
      expect(run.stderr, flags.join(" ")).not.toContain("unknown option");
      expect(() => JSON.parse(run.stdout), flags.join(" ")).not.toThrow();
    }
    const table = await runCliAsync(["doctor", "--format", "table", "--config", config], { env });
    expect(table.stderr).not.toContain("unknown option");
    expect(table.stdout.trimStart().startsWith("{")).toBe(false);
    const bad = await runCliAsync(["doctor", "--format", "sarif", "--config", config], { env });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("takes json, table or plain");
  });

  test("setup export --name / -n name the clients' entry; -t is --target, --mode proxy|stdio is --client-transport", async () => {
    const { dir, config, env } = home();
    const claude = join(dir, ".claude.json");
    writeFileSync(claude, JSON.stringify({ mcpServers: {} }));
    const run = await runCliAsync(
      ["setup", "export", "--target", "claude-code", "--name", "my-gateway", "--config", config],
      { env },
    );
    expect(run.stderr).not.toContain("unknown option");
    expect(run.code).toBe(0);
    const servers = (JSON.parse(readFileSync(claude, "utf8")) as { mcpServers: object }).mcpServers;
    expect(Object.keys(servers)).toEqual(["my-gateway"]);
    // Renamed again, in the original's short spellings and stdio mode: one entry, the new name.
    const again = await runCliAsync(
      ["setup", "export", "-t", "claude-code", "-n", "gw", "-m", "stdio", "--config", config],
      { env },
    );
    expect(again.stderr).not.toContain("unknown option");
    expect(again.code).toBe(0);
    const after = (
      JSON.parse(readFileSync(claude, "utf8")) as {
        mcpServers: Record<string, { command?: string; url?: string }>;
      }
    ).mcpServers;
    expect(Object.keys(after)).toEqual(["gw"]);
    expect(after.gw!.command).toBeDefined();
    const proxy = await runCliAsync(
      ["setup", "export", "-t", "claude-code", "-n", "gw", "--mode", "proxy", "--config", config],
      { env },
    );
    expect(proxy.code).toBe(0);
    const http = (
      JSON.parse(readFileSync(claude, "utf8")) as {
        mcpServers: Record<string, { command?: string; url?: string }>;
      }
    ).mcpServers;
    expect(http.gw!.url).toContain("/mcp");
  });

  test("init -o / --output and setup wizard -o write the config named", async () => {
    const { dir, env } = home();
    for (const [i, args] of [
      ["init", "-o"],
      ["init", "--output"],
    ].entries()) {
      const file = join(dir, `init-${i}.yaml`);
      const run = await runCliAsync([...args, file], { env });
      expect(run.stderr, args.join(" ")).not.toContain("unknown option");
      expect(existsSync(file), args.join(" ")).toBe(true);
    }
    mkdirSync(join(dir, ".config/Claude"), { recursive: true });
    writeFileSync(
      join(dir, ".config/Claude/claude_desktop_config.json"),
      JSON.stringify({ mcpServers: { memory: { command: "node", args: ["memory.js"] } } }),
    );
    const wizard = join(dir, "wizard.yaml");
    const run = await runCliAsync(["setup", "wizard", "--yes", "-o", wizard], { env });
    expect(run.stderr).not.toContain("unknown option");
    expect(readFileSync(wizard, "utf8")).toContain("memory:");
  });

  test('add NAME --command "npx -y pkg" is add NAME -- npx -y pkg', async () => {
    const { config, env } = home();
    const run = await runCliAsync(
      ["add", "tool-box", "--command", "node server.js --flag", "--config", config],
      { env },
    );
    expect(run.stderr).not.toContain("unknown option");
    expect(run.code).toBe(0);
    const text = readFileSync(config, "utf8");
    expect(text).toContain("tool-box:");
    expect(text).toContain("server.js");
    expect(text).toContain("--flag");
  });

  test("cap install NAME -o DIR writes into DIR", async () => {
    const { dir, config, env } = home();
    const out = join(dir, "caps");
    const run = await runCliAsync(
      ["cap", "install", "github_repo", "-o", out, "--config", config],
      {
        env,
      },
    );
    expect(run.stderr).not.toContain("unknown option");
    expect(run.code).toBe(0);
    expect(readdirSync(out).length).toBe(1);
  });
});

// The original's `cap search QUERY -c DIR` names a capabilities folder; -c is --config here.
test("cap search -c FOLDER (the original's capabilities folder) says what --config takes, not EISDIR", async () => {
  const { dir, env } = home();
  const folder = join(dir, "capabilities");
  mkdirSync(folder);
  const run = await runCliAsync(["cap", "search", "weather", "-c", folder], { env });
  expect(run.code).toBe(1);
  expect(run.stderr).not.toContain("EISDIR");
  expect(run.stderr).toContain(`${folder} is a folder`);
  expect(run.stderr).toContain("cap list");
  const long = await runCliAsync(["cap", "search", "weather", "--capabilities", folder], { env });
  expect(long.code).toBe(1);
  expect(long.stderr).toContain("cap list");
});

// The original's ExportTarget values: vs-code-copilot (clap's spelling of VsCodeCopilot) is our
// vscode, and generic prints the entry as {mcpServers: {NAME: entry}} on stdout, writing nothing.
test("setup export --target vs-code-copilot is vscode; --target generic prints the entry", async () => {
  const { dir, config, env } = home();
  const project = join(dir, "project");
  mkdirSync(project);
  const run = await runCliAsync(
    ["setup", "export", "--target", "vs-code-copilot", "--project", project, "--config", config],
    { env },
  );
  expect(run.stderr).not.toContain("unknown client");
  expect(run.code).toBe(0);
  const generic = await runCliAsync(
    ["setup", "export", "--target", "generic", "-n", "gw", "--config", config],
    { env },
  );
  expect(generic.code).toBe(0);
  const printed = JSON.parse(generic.stdout) as { mcpServers: Record<string, { url?: string }> };
  expect(Object.keys(printed.mcpServers)).toEqual(["gw"]);
  expect(printed.mcpServers.gw!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
  const stdio = await runCliAsync(
    ["setup", "export", "--target", "generic", "--mode", "stdio", "--config", config],
    { env },
  );
  const entry = (JSON.parse(stdio.stdout) as { mcpServers: Record<string, { args?: string[] }> })
    .mcpServers["mcp-gateway"]!;
  expect(entry.args).toContain("--stdio");
});
