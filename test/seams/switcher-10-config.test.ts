import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { runCli } from "../cli/_run.ts";
import { tempDir } from "../helpers.ts";

// Spawns the CLI: slow on a loaded machine.
setDefaultTimeout(30_000);

/**
 * Parts of gateway.yaml files the original gateway accepts: the sections its
 * examples/gateway-full.yaml documents (RFC-0070, 0072, 0073, 0074), which it reads and ignores,
 * and the firewall rules' scan names of its ScanType (pii, sequence_anomaly, memory_poisoning).
 */
const ORIGINAL = `server:
  host: 127.0.0.1
  port: 39400
security:
  firewall:
    enabled: true
    rules:
      - match: "exec_*"
        action: block
        reason: Execution tools blocked by policy
        scan: [shell_injection, path_traversal]
      - match: "memory:*"
        action: block
        scan: [memory_poisoning]
      - match: "*"
        action: warn
        scan: [credentials, pii, prompt_injection, sequence_anomaly]
config_export:
  enabled: true
  format: yaml
  redact_secrets: true
discovery:
  enabled: true
  scan_interval: 60s
  sources:
    - type: npm
      enabled: true
semantic_search:
  enabled: true
  max_results: 10
  min_score: 0.1
tool_profiles:
  enabled: true
  persistence_path: ./data/tool_profiles.json
backends:
  echo:
    command: "echo hi"
`;

describe("an original gateway.yaml with its documented sections and scan names", () => {
  test("loads; each part this gateway does not have is warned about by name", () => {
    const dir = tempDir();
    const file = join(dir, "gateway.yaml");
    writeFileSync(file, ORIGINAL);
    const config = loadConfig({ path: file, env: { PATH: process.env.PATH } });
    const warnings = config.warnings.join("\n");
    for (const key of ["config_export", "discovery", "semantic_search", "tool_profiles"]) {
      expect(warnings).toContain(`${key} is not supported by this gateway yet; ignored`);
    }
    expect(warnings).toContain("security.firewall.rules[2].scan: pii");
    expect(warnings).toContain("security.firewall.rules[2].scan: sequence_anomaly");
    // A rule left with nothing to scan here is dropped, so it cannot shadow the rules after it.
    expect(warnings).toContain("security.firewall.rules[1]");
    expect(config.security.firewall.rules).toEqual([
      {
        match: "exec_*",
        action: "block",
        reason: "Execution tools blocked by policy",
        scan: ["shell", "path"],
      },
      { match: "*", action: "warn", scan: ["credentials", "injection"] },
    ]);

    const listed = runCli(["list", "--config", file], {
      env: { HOME: dir, PATH: process.env.PATH! },
    });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain("echo");
    expect(listed.stderr).toContain("semantic_search is not supported");
  });
});

describe("the original's environment variables that this gateway does not read", () => {
  test("are warned about by name when set, with what to use instead", () => {
    const dir = tempDir();
    const file = join(dir, "gateway.yaml");
    writeFileSync(file, "backends: {}\n");
    const env = {
      PATH: process.env.PATH,
      MCP_GATEWAY_FIREWALL_SKIP_KEYS: "body,notes",
      MCP_GATEWAY_SKILLS_REGISTRY: join(dir, "skills.json"),
    };
    // Run from its folder (not the repository's, whose capabilities/ would be named).
    const warnings = loadConfig({ path: file, env, cwd: dir }).warnings.join("\n");
    expect(warnings).toContain("MCP_GATEWAY_FIREWALL_SKIP_KEYS is not read by this gateway");
    expect(warnings).toContain("MCP_GATEWAY_SKILLS_REGISTRY is not read by this gateway");
    expect(loadConfig({ path: file, env: { PATH: process.env.PATH }, cwd: dir }).warnings).toEqual(
      [],
    );
  });
});

describe("the original's ./config.yaml (second in its search order)", () => {
  test("is the config when it is a gateway config; an unrelated config.yaml is not", () => {
    const dir = tempDir();
    const home = join(dir, "home");
    const env = { HOME: home, PATH: process.env.PATH! };
    writeFileSync(
      join(dir, "config.yaml"),
      'server:\n  port: 39400\nmeta_mcp:\n  enabled: true\nbackends:\n  tavily:\n    command: "npx -y tavily-mcp"\n',
    );
    const listed = runCli(["list"], { env, cwd: dir });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain("tavily");

    // Another program's config.yaml in the folder is left alone, as before.
    const other = join(dir, "other");
    mkdirSync(other);
    writeFileSync(join(other, "config.yaml"), "version: 2\nservices:\n  web: {image: nginx}\n");
    const none = runCli(["list"], { env, cwd: other });
    expect(none.code).toBe(0);
    expect(none.stderr + none.stdout).toContain("no config file found");
  });
});
