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
