import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { loadConfig } from "../../src/config/load.ts";
import { connectHttp, firstText, startGateway, tempDir } from "../helpers.ts";
import { read } from "../setup/_home.ts";
import { runCli } from "./_run.ts";

setDefaultTimeout(60_000);

const envOf = (home: string) => ({ HOME: home, PATH: process.env.PATH ?? "/usr/bin:/bin" });

describe("init", () => {
  test("writes a commented starter config that loads and serves at once", async () => {
    const home = tempDir("mcpgw-init-");
    const run = runCli(["init"], { env: envOf(home) });
    expect(run.code).toBe(0);
    const file = join(home, ".config/mcp-gateway/gateway.yaml");
    expect(run.stderr).toContain(`wrote ${file}`);
    const text = read(file);
    expect(text.split("\n").filter((line) => line.trim().startsWith("#")).length).toBeGreaterThan(
      8,
    );
    const config = loadConfig({ path: file, env: {} });
    expect(config.server.port).toBe(39400);
    expect(config.backends).toEqual([]);

    // It serves: /health answers and a real MCP client sees the meta tools.
    const running = await startGateway(text, {});
    try {
      const health = await fetch(`${running.url}/health`);
      expect(health.status).toBe(200);
      expect((await health.json()).status).toBe("ok");
      const client = await connectHttp(running.url);
      const listed = await client.client.callTool({ name: "gateway_list_servers", arguments: {} });
      expect(firstText(listed)).toContain("servers");
      await client.close();
    } finally {
      await running.stop();
    }
  });

  test("--profile local writes the local examples, minimal none; another profile is refused", () => {
    const home = tempDir("mcpgw-init-");
    const local = join(home, "local.yaml");
    const minimal = join(home, "minimal.yaml");
    expect(
      runCli(["init", "--profile", "local", "--config", local], { env: envOf(home) }).code,
    ).toBe(0);
    expect(loadConfig({ path: local, env: {} }).backends.map((b) => b.name)).toEqual([
      "memory",
      "sequential-thinking",
    ]);
    expect(
      runCli(["init", "--profile", "minimal", "--config", minimal], { env: envOf(home) }).code,
    ).toBe(0);
    expect(loadConfig({ path: minimal, env: {} }).backends).toEqual([]);
    const bad = runCli(["init", "--profile", "cloud", "--config", join(home, "x.yaml")], {
      env: envOf(home),
    });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("--profile must be local or minimal, got cloud");
    expect(existsSync(join(home, "x.yaml"))).toBe(false);
  });

  test("--with-examples adds working example backends; add and setup then edit the same file", () => {
    const home = tempDir("mcpgw-init-");
    const file = join(home, "here.yaml");
    expect(runCli(["init", "--with-examples", "--config", file], { env: envOf(home) }).code).toBe(
      0,
    );
    const config = loadConfig({ path: file, env: {} });
    expect(config.backends.map((b) => b.name)).toEqual(["memory", "sequential-thinking"]);
    expect(config.backends[0]!.idle_stop).toBe(600_000);
    expect(runCli(["add", "--config", file, "time"], { env: envOf(home) }).code).toBe(0);
    const text = read(file);
    expect(text).toContain("  # GitHub: set GITHUB_PERSONAL_ACCESS_TOKEN, then uncomment.");
    expect(Object.keys(parseYaml(text).backends)).toEqual([
      "memory",
      "sequential-thinking",
      "time",
    ]);
  });

  test("refuses to overwrite; --force keeps a backup that restore puts back", () => {
    const home = tempDir("mcpgw-init-");
    const dir = join(home, ".config/mcp-gateway");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "gateway.yaml");
    const mine = "# mine\nbackends: {}\n";
    writeFileSync(file, mine);
    const refused = runCli(["init"], { env: envOf(home) });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${file} already exists; pass --force`);
    expect(read(file)).toBe(mine);

    const forced = runCli(["init", "--force"], { env: envOf(home) });
    expect(forced.code).toBe(0);
    expect(read(file)).toContain("# mcp-gateway configuration.");
    expect(runCli(["setup", "restore"], { env: envOf(home) }).code).toBe(0);
    expect(read(file)).toBe(mine);
  });

  test("init writes YAML only", () => {
    const home = tempDir("mcpgw-init-");
    const run = runCli(["init", "--config", join(home, "gateway.json")], { env: envOf(home) });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("init writes YAML: give --config a .yaml path");
    expect(existsSync(join(home, "gateway.json"))).toBe(false);
  });

  test("a folder that cannot be written gives a one-line reason", () => {
    const home = tempDir("mcpgw-init-");
    const blocked = join(home, "file");
    writeFileSync(blocked, "");
    const run = runCli(["init", "--config", join(blocked, "gateway.yaml")], { env: envOf(home) });
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(existsSync(join(blocked, "gateway.yaml"))).toBe(false);
  });
});

/**
 * Each commented example backend of a starter file (`  # name:` and the deeper `  #   ...` lines
 * under it), with the "# " of its lines deleted as the file invites.
 */
function uncommentedExamples(text: string): { name: string; text: string }[] {
  const lines = text.split("\n");
  const out: { name: string; text: string }[] = [];
  lines.forEach((line, start) => {
    const head = /^(\s+)# ([a-z0-9_-]+):\s*$/.exec(line);
    if (!head) return;
    const indent = head[1]!;
    let end = start + 1;
    while (end < lines.length && lines[end]!.startsWith(`${indent}#   `)) end++;
    if (end === start + 1) return; // a one-line comment, not an example
    const copy = [...lines];
    for (let i = start; i < end; i++) copy[i] = indent + copy[i]!.slice(indent.length + 2);
    out.push({ name: head[2]!, text: copy.join("\n") });
  });
  return out;
}

describe("init's commented examples", () => {
  test.each([
    ["init", []],
    ["init --with-examples", ["--with-examples"]],
  ])("%s: every example, uncommented, loads as a backend", (_, flags) => {
    const home = tempDir("mcpgw-init-");
    const file = join(home, "gateway.yaml");
    expect(runCli(["init", "--config", file, ...flags], { env: envOf(home) }).code).toBe(0);
    const examples = uncommentedExamples(read(file));
    expect(examples.length).toBeGreaterThanOrEqual(2);
    for (const example of examples) {
      const edited = join(home, `${example.name}.yaml`);
      writeFileSync(edited, example.text);
      const listed = runCli(["list", "--config", edited, "--json"], { env: envOf(home) });
      expect(listed.stderr).toBe("");
      expect(listed.code).toBe(0);
      const { backends } = JSON.parse(listed.stdout) as { backends: { name: string }[] };
      const names = backends.map((b) => b.name);
      expect(names).toContain(example.name);
    }
  });
});
