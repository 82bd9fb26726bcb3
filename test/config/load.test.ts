import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseDuration } from "../../src/config/duration.ts";
import { expandString, parseDotenv } from "../../src/config/env.ts";
import { loadConfig, splitCommandLine } from "../../src/config/load.ts";
import { hashKey } from "../../src/security/keys.ts";
import { tempDir, writeConfig } from "../helpers.ts";

function load(yaml: string, env: Record<string, string> = {}, name = "gateway.yaml") {
  const file = writeConfig(yaml, name);
  return { file, config: loadConfig({ path: file, env }) };
}

function loadError(yaml: string, env: Record<string, string> = {}): string {
  const file = writeConfig(yaml);
  try {
    loadConfig({ path: file, env });
  } catch (error) {
    return `${(error as Error).message}`.replace(file, "FILE");
  }
  throw new Error("expected the config to be refused");
}

describe("durations", () => {
  test.each([
    ["500ms", 500],
    ["30s", 30_000],
    ["2m", 120_000],
    ["1h", 3_600_000],
    ["15", 15_000],
    [20, 20_000],
    ["1.5s", 1500],
  ] as const)("%p is %p ms", (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });
  test.each(["", "fast", "10 parsecs", "-1s"])("%p is not a duration", (input) => {
    expect(parseDuration(input)).toBeUndefined();
  });
});

describe("variable expansion", () => {
  const env = { TOKEN: "abc", EMPTY: "" };
  test.each([
    ["${TOKEN}", "abc"],
    ["Bearer ${TOKEN}", "Bearer abc"],
    ["${MISSING:-fallback}", "fallback"],
    ["${EMPTY:-fallback}", "fallback"],
    ["${TOKEN:-fallback}", "abc"],
    ["$${TOKEN}", "${TOKEN}"],
    ["no vars", "no vars"],
  ])("%p -> %p", (input, output) => {
    expect(expandString(input, env, () => {})).toBe(output);
  });

  test("a missing variable is reported by name", () => {
    const missing: string[] = [];
    expandString("x ${NOPE} y", env, (name) => missing.push(name));
    expect(missing).toEqual(["NOPE"]);
  });

  test("VAR_FILE supplies VAR from a file", () => {
    const file = join(tempDir(), "secret");
    writeFileSync(file, "from-file\n");
    expect(expandString("${SECRET}", { SECRET_FILE: file }, () => {})).toBe("from-file");
  });

  test("an env:NAME auth key reads NAME_FILE too, and its absence names both", () => {
    const file = join(tempDir(), "token");
    writeFileSync(file, "a-token-from-a-docker-secret\n");
    const yaml = "auth:\n  enabled: true\n  bearer_token: env:GW_TOKEN\n";
    const { config } = load(yaml, { GW_TOKEN_FILE: file });
    expect(config.auth.bearer_token).toBe(hashKey("a-token-from-a-docker-secret"));
    expect(loadError(yaml)).toContain("set GW_TOKEN (or GW_TOKEN_FILE, a file holding it)");
  });

  test("dotenv parsing", () => {
    expect(parseDotenv("# c\nA=1\nexport B=\"two words\"\nC='q'\nD=plain # comment\n")).toEqual({
      A: "1",
      B: "two words",
      C: "q",
      D: "plain",
    });
  });
});

describe("command lines", () => {
  test.each([
    ["npx -y server", ["npx", "-y", "server"]],
    ['node "my server.js" --flag', ["node", "my server.js", "--flag"]],
    ["echo 'a b' c\\ d", ["echo", "a b", "c d"]],
  ])("%p", (line, parts) => {
    expect(splitCommandLine(line)).toEqual(parts);
  });
});

describe("loading gateway.yaml", () => {
  test("no file anywhere gives the built-in default", () => {
    const config = loadConfig({ env: { HOME: tempDir() }, cwd: tempDir() });
    expect(config.server).toMatchObject({ host: "127.0.0.1", port: 39400 });
    expect(config.backends).toEqual([]);
    expect(config.file).toBeUndefined();
  });

  test("stdio and HTTP backends, with expansion in every string", () => {
    const { config } = load(
      `
server: { port: 4000 }
backends:
  files:
    command: npx
    args: ["-y", "@modelcontextprotocol/server-filesystem", "\${ROOT:-/tmp}"]
    env: { LOG_LEVEL: "\${LOG_LEVEL:-info}" }
    cwd: ./work
    timeout: 2m
  remote:
    url: https://example.com/mcp
    headers: { Authorization: "Bearer \${TOKEN}" }
`,
      { TOKEN: "t0k" },
    );
    expect(config.server.port).toBe(4000);
    const [files, remote] = config.backends;
    expect(files).toMatchObject({
      name: "files",
      transport: "stdio",
      command: "npx",
      args: ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"],
      env: { LOG_LEVEL: "info" },
      timeout: 120_000,
    });
    expect(files!.cwd).toEndWith("/work");
    expect(remote).toMatchObject({
      name: "remote",
      transport: "auto",
      url: "https://example.com/mcp",
      headers: { Authorization: "Bearer t0k" },
      timeout: 60_000,
    });
  });

  test("the original gateway's keys load: http_url, streamable_http, one command string", () => {
    const { config } = load(`
backends:
  legacy_stdio:
    command: "npx -y @modelcontextprotocol/server-memory"
    stop_when_idle_for: 5m
  legacy_http:
    http_url: http://localhost:8080/sse
  legacy_streamable:
    http_url: http://localhost:8080/mcp
    streamable_http: true
meta_mcp: { enabled: true, cache_ttl: 5m }
failsafe: { circuit_breaker: { failure_threshold: 3 } }
`);
    const byName = Object.fromEntries(config.backends.map((b) => [b.name, b]));
    expect(byName.legacy_stdio).toMatchObject({
      command: "npx",
      args: ["-y", "@modelcontextprotocol/server-memory"],
      idle_stop: 300_000,
    });
    expect(byName.legacy_http).toMatchObject({
      url: "http://localhost:8080/sse",
      transport: "auto",
    });
    expect(byName.legacy_streamable!.transport).toBe("streamable-http");
    expect(config.warnings.join("\n")).toContain("meta_mcp.cache_ttl");
  });

  test("JSON, JSONC and TOML configs load too", () => {
    expect(load('{"server":{"port":1}}', {}, "g.json").config.server.port).toBe(1);
    expect(load('{\n// c\n"server":{"port":2,},}', {}, "g.jsonc").config.server.port).toBe(2);
    expect(load("[server]\nport = 3\n", {}, "g.toml").config.server.port).toBe(3);
  });

  test("a missing variable under a backend marks only that backend failed", () => {
    const { config } = load(`
backends:
  github:
    command: npx
    args: ["-y", "server-github"]
    env: { GITHUB_TOKEN: "\${GITHUB_TOKEN}" }
  ok:
    command: node
`);
    const github = config.backends.find((b) => b.name === "github")!;
    expect(github.configError).toBe(
      "backends.github.env.GITHUB_TOKEN: environment variable GITHUB_TOKEN is not set",
    );
    expect(config.backends.find((b) => b.name === "ok")!.configError).toBeUndefined();
  });

  test.each([
    ["broken YAML", "backends: [unclosed", /FILE: cannot parse/],
    ["an unknown key", "sever: { port: 1 }", /FILE: unknown key sever/],
    [
      "an unknown nested key",
      "backends:\n  a:\n    command: x\n    comand: y\n",
      /unknown key backends\.a\.comand/,
    ],
    ["a wrong type", "server: { port: high }", /FILE: server\.port: .*number/],
    [
      "a wrong type in an array",
      "backends:\n  github:\n    command: x\n    args: [a, 2]\n",
      /backends\.github\.args\[1\]: .*string/,
    ],
    [
      "a backend with neither command nor url",
      "backends:\n  a: { env: {} }\n",
      /backends\.a: needs either `command`/,
    ],
    [
      "a bad backend name",
      "backends:\n  Bad__Name: { command: x }\n",
      /backends\.Bad__Name: a backend name is ASCII letters.*no "__".*rename it, e\.g\. Bad_Name/,
    ],
    [
      "a bad duration",
      "backends:\n  a: { command: x, timeout: soon }\n",
      /backends\.a\.timeout: expected a duration/,
    ],
    [
      "a missing variable outside backends",
      'server: { host: "${HOST_VAR}" }',
      /server\.host: environment variable HOST_VAR is not set/,
    ],
    ["a reserved backend name", "backends:\n  gateway: { command: x }\n", /reserved/],
  ])("%s is one clear error naming the file and path", (_what, yaml, pattern) => {
    expect(loadError(yaml)).toMatch(pattern);
  });

  test("a missing --config file says so", () => {
    expect(() => loadConfig({ path: "/nonexistent/gateway.yaml" })).toThrow(
      "config file not found: /nonexistent/gateway.yaml",
    );
  });

  test("env_files are read relative to the config, and the environment wins", () => {
    const dir = tempDir();
    writeFileSync(join(dir, ".env"), "A=from-file\nB=from-file\n");
    const file = join(dir, "gateway.yaml");
    writeFileSync(
      file,
      'env_files: [.env]\nbackends:\n  x:\n    command: "${A}"\n    args: ["${B}"]\n',
    );
    const config = loadConfig({ path: file, env: { B: "from-env" } });
    expect(config.backends[0]).toMatchObject({ command: "from-file", args: ["from-env"] });
  });

  test("MCP_GATEWAY_* variables override the file", () => {
    const { config } = load("server: { port: 1 }", {
      MCP_GATEWAY_PORT: "2",
      MCP_GATEWAY_SERVER__HOST: "::1",
    });
    expect(config.server).toMatchObject({ port: 2, host: "::1" });
  });

  test("the config search order starts with $MCP_GATEWAY_CONFIG, then ./gateway.yaml", () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "gateway.yaml"), "server: { port: 11 }");
    const other = writeConfig("server: { port: 12 }");
    expect(loadConfig({ cwd, env: { HOME: cwd } }).server.port).toBe(11);
    expect(loadConfig({ cwd, env: { HOME: cwd, MCP_GATEWAY_CONFIG: other } }).server.port).toBe(12);
  });
});
