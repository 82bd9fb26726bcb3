import { describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { writeConfig } from "../helpers.ts";

/**
 * The original's gateway.example.yaml writes every setting out at its default (`secrets: []`,
 * `passthrough: false`, `warm_start: []`, `public_paths: [/health]`, `mtls: {enabled: false}`):
 * those ask for nothing this gateway does not do, so they load without a warning each (21
 * warnings for that file before, most of them noise); a setting that asks for something this
 * gateway does not do is still warned about.
 */
describe("the original's settings written at their defaults", () => {
  test("load without warnings; settings that ask for something are still warned", () => {
    const file = writeConfig(`server:
  ws_port: null
auth:
  enabled: false
  public_paths:
  - /health
meta_mcp:
  cache_tools: true
  warm_start: []
mtls:
  enabled: false
key_server:
  enabled: false
security:
  ssrf_protection: true
  firewall:
    anomaly_detection: false
backends:
  quiet:
    command: gitnexus mcp
    cwd: null
    secrets: []
    passthrough: false
  loud:
    command: other mcp
    passthrough: true
    secrets:
    - { name: token, value: "env:TOKEN", inject_as: header }
`);
    const warnings = loadConfig({ path: file, env: {} }).warnings.join("\n");
    for (const quiet of [
      "server.ws_port",
      "auth.public_paths",
      "meta_mcp.cache_tools",
      "meta_mcp.warm_start",
      "mtls",
      "key_server",
      "security.ssrf_protection",
      "security.firewall.anomaly_detection",
      "backends.quiet.",
    ]) {
      expect(warnings).not.toContain(`${quiet}`);
    }
    expect(warnings).toContain("backends.loud.secrets is not supported");
    expect(warnings).toContain("backends.loud.passthrough is not supported");
  });
});

/**
 * The original loads ./capabilities when capabilities.directories is not written; this gateway
 * does not (DESIGN: the default is none). A switcher's folder beside the config is named in a
 * warning with the line that loads it, instead of its capabilities being missing without a word.
 */
describe("a capabilities folder beside a config that lists none", () => {
  test("is named in a warning; once listed, or with a config that lists folders, it is not", () => {
    const file = writeConfig("backends: {}\n");
    const folder = join(dirname(file), "capabilities", "knowledge");
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, "weather.yaml"), 'fulcrum: "1.0"\nname: weather\n');
    const warned = loadConfig({ path: file, env: {} }).warnings.join("\n");
    expect(warned).toContain(`${join(dirname(file), "capabilities")} is not loaded`);
    expect(warned).toContain("capabilities: { directories: [./capabilities] }");
    writeFileSync(file, "capabilities: { directories: [./capabilities] }\nbackends: {}\n");
    expect(loadConfig({ path: file, env: {} }).warnings.join("\n")).not.toContain("not loaded");
  });
});

/**
 * The original's `auth.bearer_token: auto` generates a token it never shows (only a fingerprint
 * is logged), so no client ever sent it: here it is the same as no bearer token, with a warning
 * saying how to make a key. Such a config was refused, and did not start.
 */
describe("auth.bearer_token: auto", () => {
  test("loads as no bearer token, warned; alone it loads locked, as in the original", () => {
    const withKey = writeConfig(`auth:
  enabled: true
  bearer_token: auto
  api_keys:
    - { name: ci, key: "sha256:${"a".repeat(64)}" }
`);
    const config = loadConfig({ path: withKey, env: {} });
    expect(config.auth.bearer_token).toBeUndefined();
    expect(config.auth.api_keys).toHaveLength(1);
    expect(config.warnings.join("\n")).toContain("auth.bearer_token: auto made a token");
    const alone = writeConfig("auth:\n  enabled: true\n  bearer_token: auto\n");
    expect(loadConfig({ path: alone, env: {} }).warnings.join("\n")).toContain(
      "every request is refused until you add a key",
    );
  });
});

/**
 * The original turns playbooks on with `playbooks: {enabled: true}` and reads ./playbooks (its
 * default folder); here the default is none, so that config's playbooks were missing without a
 * word. Written so, it reads ./playbooks beside the config; a folder list is kept as written.
 */
describe("playbooks.enabled: true with no folder named", () => {
  test("reads ./playbooks beside the config, as the original does", () => {
    const file = writeConfig("playbooks:\n  enabled: true\n");
    expect(loadConfig({ path: file, env: {} }).playbooks.directories).toEqual([
      join(dirname(file), "playbooks"),
    ]);
    writeFileSync(file, "playbooks:\n  enabled: true\n  directories: [./recipes]\n");
    expect(loadConfig({ path: file, env: {} }).playbooks.directories).toEqual([
      join(dirname(file), "recipes"),
    ]);
  });
});
