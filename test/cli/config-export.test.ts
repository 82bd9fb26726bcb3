import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml, stringify } from "yaml";
import { loadConfig } from "../../src/config/load.ts";
import { tempDir } from "../helpers.ts";
import { runCli } from "./_run.ts";

setDefaultTimeout(60_000);

const CONFIG = `server: { port: 4100, session_ttl: 90s }
backends:
  github:
    command: npx
    args: ["-y", "@modelcontextprotocol/server-github", "--api-key=sk-live-abcdefghijklmnopqrstuvwxyz"]
    env:
      GITHUB_PERSONAL_ACCESS_TOKEN: "\${GH_TOKEN}"
      LOG_LEVEL: debug
    timeout: 2m
    idle_stop: 1500ms
  remote:
    url: https://bob:hunter2@api.example.com/mcp?token=abcdef123456&region=eu
    headers:
      Authorization: "Bearer \${REMOTE_TOKEN}"
      X-Api-Key: plain-key-123456
      X-Team: blue
`;

const SECRETS = [
  "sk-live-abcdefghijklmnopqrstuvwxyz",
  "ghp_realtokenvalue1234567890abcdefghij",
  "hunter2",
  "abcdef123456",
  "remote-secret-token",
  "plain-key-123456",
];

function setup() {
  const home = tempDir("mcpgw-export-");
  const file = join(home, "gateway.yaml");
  writeFileSync(file, CONFIG);
  const env = {
    HOME: home,
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    GH_TOKEN: "ghp_realtokenvalue1234567890abcdefghij",
    REMOTE_TOKEN: "remote-secret-token",
  };
  return { home, file, env };
}

describe("config export", () => {
  test("prints the effective config as YAML with every secret redacted, and it loads again", () => {
    const { home, file, env } = setup();
    const run = runCli(["config", "export", "--config", file], { env });
    expect(run.code).toBe(0);
    for (const secret of SECRETS) expect(run.stdout + run.stderr).not.toContain(secret);
    const tree = parseYaml(run.stdout);
    expect(tree.server).toMatchObject({ host: "127.0.0.1", port: 4100, session_ttl: "90s" });
    const github = tree.backends.github;
    expect(github.args[2]).toBe("--api-key=<redacted>");
    expect(github.env).toEqual({ GITHUB_PERSONAL_ACCESS_TOKEN: "<redacted>", LOG_LEVEL: "debug" });
    expect(github.timeout).toBe("2m");
    expect(github.idle_stop).toBe("1500ms");
    const remote = tree.backends.remote;
    expect(remote.url).toBe(
      "https://bob:<redacted>@api.example.com/mcp?token=<redacted>&region=eu",
    );
    expect(remote.headers).toEqual({
      Authorization: "Bearer <redacted>",
      "X-Api-Key": "<redacted>",
      "X-Team": "blue",
    });
    expect(run.stderr).toContain("secrets are shown as <redacted>");

    // The export is itself a valid config with the same shape and durations.
    const again = join(home, "exported.yaml");
    writeFileSync(again, run.stdout);
    const original = loadConfig({ path: file, env });
    const reloaded = loadConfig({ path: again, env: {} });
    expect(reloaded.server).toEqual(original.server);
    expect(reloaded.backends.map((b) => [b.name, b.timeout, b.idle_stop, b.transport])).toEqual(
      original.backends.map((b) => [b.name, b.timeout, b.idle_stop, b.transport]),
    );
  });

  test("--format json prints only JSON on stdout", () => {
    const { file, env } = setup();
    const run = runCli(["config", "export", "--format", "json", "--config", file], { env });
    expect(run.code).toBe(0);
    const tree = JSON.parse(run.stdout);
    expect(tree.backends.remote.headers["X-Team"]).toBe("blue");
    for (const secret of SECRETS) expect(run.stdout).not.toContain(secret);
  });

  test("with no config file it exports the built-in default; a bad format is refused", () => {
    const home = tempDir("mcpgw-export-");
    const env = { HOME: home, PATH: process.env.PATH ?? "" };
    const run = runCli(["config", "export", "--format", "json"], { env });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).server).toMatchObject({ port: 39400, session_ttl: "30m" });
    expect(run.stderr).toContain("the built-in default");
    const bad = runCli(["config", "export", "--format", "toml"], { env });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("--format");
  });

  test("the YAML is byte for byte what the yaml library writes, on a rich config", () => {
    const { file, env } = setup();
    writeFileSync(
      file,
      `${CONFIG}    description: "a: quoted one"
  docs:
    url: http://127.0.0.1:9000/mcp
    enabled: false
    description: '#1 of "them"'
  odd:
    command: ./server
    args: ["true", "1.5", "0x1f", "", "null", "a:", "?", "-y", "- y", "#x", "a b", "é", "...", "x\\ty"]
    cwd: /tmp/a b
failsafe: { error_budget: { threshold: 0.25 } }
cost_governance:
  enabled: true
  tool_costs: { "github__create_issue": 0.5, "1": 2 }
`,
    );
    const yamlRun = runCli(["config", "export", "--config", file], { env });
    const jsonRun = runCli(["config", "export", "--format", "json", "--config", file], { env });
    expect(yamlRun.code).toBe(0);
    expect(yamlRun.stdout).toBe(stringify(JSON.parse(jsonRun.stdout), { lineWidth: 0 }));
    // The plain default (the library is not needed for it) is the same bytes too.
    const home = tempDir("mcpgw-export-");
    const bare = { HOME: home, PATH: process.env.PATH ?? "" };
    const plain = runCli(["config", "export"], { env: bare });
    const plainJson = runCli(["config", "export", "--format", "json"], { env: bare });
    expect(plain.stdout).toBe(stringify(JSON.parse(plainJson.stdout), { lineWidth: 0 }));
  });

  test("its info line is consola's: `ℹ` and the message, or JSON with --log-format json", () => {
    const { file, env } = setup();
    const run = runCli(["config", "export", "--config", file], { env });
    expect(run.stderr).toBe(`ℹ effective config of ${file}; secrets are shown as <redacted>\n`);
    const json = runCli(["config", "export", "--log-format", "json", "--config", file], { env });
    const line = JSON.parse(json.stderr.trim());
    expect(line).toMatchObject({ level: "info", message: run.stderr.slice(2).trim() });
    const quiet = runCli(["config", "export", "--log-level", "warn", "--config", file], { env });
    expect(quiet.stderr).toBe("");
  });
});
