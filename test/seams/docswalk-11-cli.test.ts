import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseTOML } from "confbox";
import type { CommandSpec } from "../../src/cli/_tree.ts";
import { tree } from "../../src/cli/_tree.ts";
import { runCli } from "../cli/_run.ts";
import { ROOT, tempDir } from "../helpers.ts";

setDefaultTimeout(60_000);

// A new user following README.md and docs/cli.md on a fresh machine, command by command.

describe("list after add, with a variable not set yet", () => {
  test("shows the backends in the file's order", () => {
    const home = tempDir("mcpgw-home-");
    const env = { HOME: home, PATH: process.env.PATH! };
    // docs/cli.md's add: a known server needing a variable, a remote one, a stdio one.
    expect(runCli(["init"], { env }).code).toBe(0);
    expect(runCli(["add", "github"], { env }).code).toBe(0);
    expect(
      runCli(
        ["add", "--url", "https://example.com/mcp", "remote", "--header", "X-Api: ${REMOTE_KEY}"],
        {
          env,
        },
      ).code,
    ).toBe(0);
    expect(
      runCli(["add", "mytool", "-e", "FOO=bar", "--", "npx", "-y", "some-pkg"], { env }).code,
    ).toBe(0);
    const listed = runCli(["list", "--json"], { env });
    expect(listed.code).toBe(0);
    const backends = (JSON.parse(listed.stdout) as { backends: { name: string; error?: string }[] })
      .backends;
    // github and remote wait for GITHUB_PERSONAL_ACCESS_TOKEN and REMOTE_KEY; they came last.
    expect(backends.map((b) => b.name)).toEqual(["github", "remote", "mytool"]);
    expect(backends[0]!.error).toContain("GITHUB_PERSONAL_ACCESS_TOKEN");
    const table = runCli(["list"], { env, cwd: join(home) }).stdout.split("\n");
    expect(table.map((line) => line.split(/\s+/)[0]).filter(Boolean)).toEqual([
      "github",
      "remote",
      "mytool",
    ]);
  });
});

describe("a gateway.json where the search looks (README: YAML, JSON, JSONC and TOML all work)", () => {
  test("list and doctor name it and --config instead of silently using the built-in default", () => {
    const home = tempDir("mcpgw-home-");
    const env = { HOME: home, PATH: process.env.PATH! };
    const file = join(home, "gateway.json");
    writeFileSync(file, JSON.stringify({ backends: { mem: { command: "node", args: ["x.js"] } } }));
    const listed = runCli(["list"], { env });
    expect(listed.code).toBe(0);
    expect(listed.stderr).toContain(
      `${file} is not searched (only gateway.yaml is); pass --config ${file}`,
    );
    const doctor = runCli(["doctor", "--json"], { env });
    const checks = (
      JSON.parse(doctor.stdout) as { checks: { name: string; status: string; message: string }[] }
    ).checks;
    expect(checks.find((c) => c.name === "config" && c.status === "warn")?.message).toContain(
      `pass --config ${file}`,
    );
    // Named, it loads.
    const named = runCli(["list", "--config", file], { env });
    expect(named.stdout).toContain("mem");
  });
});

describe("every command's flags", () => {
  test("are in README.md or docs/ (help and docs cannot drift apart unnoticed)", () => {
    const docs = ["README.md", ...readdirSync(join(ROOT, "docs")).map((name) => `docs/${name}`)]
      .filter((file) => file.endsWith(".md"))
      .map((file) => readFileSync(join(ROOT, file), "utf8"))
      .join("\n");
    const missing: string[] = [];
    const walk = (spec: CommandSpec, path: string[]) => {
      for (const [name, arg] of Object.entries(spec.args ?? {})) {
        if (arg.type === "positional") continue;
        // A boolean flag may be documented by its negation (`--no-meta-mcp`).
        const no = arg.type === "boolean" ? "(?:no-)?" : "";
        if (!new RegExp(`--${no}${name}\\b`).test(docs))
          missing.push(`${path.join(" ")} --${name}`);
      }
      for (const [name, sub] of Object.entries(spec.subCommands ?? {})) walk(sub, [...path, name]);
    };
    walk(tree, ["mcp-gateway"]);
    expect(missing).toEqual([]);
  });
});

describe("a bad MCP_GATEWAY_<SECTION>__<KEY> override (docs/configuration.md, Environment overrides)", () => {
  test("is named in the error, since the file does not hold it", () => {
    const home = tempDir("mcpgw-home-");
    const env = { HOME: home, PATH: process.env.PATH! };
    expect(runCli(["init"], { env }).code).toBe(0);
    const typo = runCli(["list"], { env: { ...env, MCP_GATEWAY_SERVER__PROT: "8080" } });
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain("unknown key server.prot (set by MCP_GATEWAY_SERVER__PROT)");
    const wrong = runCli(["list"], { env: { ...env, MCP_GATEWAY_META_MCP__ENABLED: "nope" } });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("meta_mcp.enabled: ");
    expect(wrong.stderr).toContain("(set by MCP_GATEWAY_META_MCP__ENABLED)");
    // An error of the file's own is not blamed on a variable that is set.
    writeFileSync(join(home, "bad.yaml"), "backends: { x: { command: 1 } }\n");
    const own = runCli(["list", "--config", join(home, "bad.yaml")], {
      env: { ...env, MCP_GATEWAY_SERVER__PORT: "5" },
    });
    expect(own.stderr).toContain("backends.x.command: ");
    expect(own.stderr).not.toContain("set by");
  });
});

describe("MCP_GATEWAY_LOG_LEVEL and MCP_GATEWAY_LOG_FORMAT with a wrong value", () => {
  test("are named in the error, not the flags the user did not type", () => {
    const env = { HOME: tempDir("mcpgw-home-"), PATH: process.env.PATH! };
    const level = runCli(["list"], { env: { ...env, MCP_GATEWAY_LOG_LEVEL: "verbose" } });
    expect(level.code).toBe(1);
    expect(level.stderr).toContain("MCP_GATEWAY_LOG_LEVEL must be one of");
    const format = runCli(["list"], { env: { ...env, MCP_GATEWAY_LOG_FORMAT: "yaml" } });
    expect(format.code).toBe(1);
    expect(format.stderr).toContain("MCP_GATEWAY_LOG_FORMAT must be text or json, got yaml");
    expect(runCli(["list", "--log-level", "loud"], { env }).stderr).toContain(
      "--log-level must be one of",
    );
  });
});

describe("keys revoke of the last key while auth is on (docs/security.md: refused)", () => {
  test("says it is the last key and what to do, and leaves the file as it was", () => {
    const home = tempDir("mcpgw-home-");
    const env = { HOME: home, PATH: process.env.PATH! };
    expect(runCli(["keys", "create", "ci", "--enable-auth"], { env }).code).toBe(0);
    const file = join(home, ".config/mcp-gateway/gateway.yaml");
    const before = readFileSync(file, "utf8");
    const revoked = runCli(["keys", "revoke", "ci"], { env });
    expect(revoked.code).toBe(1);
    // It read as a broken file: "auth.enabled: auth is on but no api_keys ... add a key".
    expect(revoked.stderr).toContain("ci is the last key and auth.enabled is on");
    expect(revoked.stderr).toContain("mcp-gateway keys create NAME");
    expect(readFileSync(file, "utf8")).toBe(before);
    // With another key, it goes.
    expect(runCli(["keys", "create", "laptop"], { env }).code).toBe(0);
    expect(runCli(["keys", "revoke", "ci"], { env }).code).toBe(0);
  });
});

describe("setup export on a machine with no gateway config yet", () => {
  test("writes a stdio entry that starts the gateway (not one naming a config that does not exist)", () => {
    const home = tempDir("mcpgw-home-");
    const env = { HOME: home, PATH: process.env.PATH! };
    const exported = runCli(["setup", "export", "--target", "codex"], { env });
    expect(exported.code).toBe(0);
    const entry = (
      parseTOML(readFileSync(join(home, ".codex/config.toml"), "utf8")) as {
        mcp_servers: Record<string, { args: string[] }>;
      }
    ).mcp_servers["mcp-gateway"]!;
    // It named ~/.config/mcp-gateway/gateway.yaml, and serve --stdio refused: config file not found.
    expect(entry.args).toEqual(["serve", "--stdio"]);
    const started = runCli(entry.args, { env, stdin: "" });
    expect(started.stderr).not.toContain("config file not found");
    expect(started.code).toBe(0);
  });
});

describe("doctor on docs/operations.md's playbook, whose servers this config lacks", () => {
  test("warns for each step that calls a server no enabled backend serves", () => {
    const home = tempDir("mcpgw-home-");
    const env = { HOME: home, PATH: process.env.PATH! };
    const folder = join(home, "pb");
    mkdirSync(folder);
    writeFileSync(
      join(folder, "report.yaml"),
      `name: weather_report
description: Weather report for a city
steps:
  - { name: forecast, tool: capabilities:weather_forecast, args: { latitude: 1, longitude: 2 } }
  - { name: weather, tool: weather:current, args: { city: $args.city } }
  - { name: notes, tool: off:write, args: {}, optional: true }
`,
    );
    writeFileSync(
      join(home, "gateway.yaml"),
      "playbooks: { directories: [./pb] }\nbackends:\n  off: { command: node, enabled: false }\n",
    );
    const doctor = runCli(["doctor", "--json"], { env });
    const warnings = (
      JSON.parse(doctor.stdout) as { checks: { name: string; status: string; message: string }[] }
    ).checks
      .filter((c) => c.name === "playbooks" && c.status === "warn")
      .map((c) => c.message.slice(c.message.indexOf("step ")));
    // It said "1 playbook(s) served" and nothing more; each run failed at its weather step.
    expect(warnings).toEqual([
      'step "weather" of weather_report calls weather:current, but no backend is named weather: every run fails there',
      'step "notes" of weather_report calls off:write, but backend off is disabled: the step fails at each run (it is optional: the run goes on)',
    ]);
  });
});
