import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../cli/_run.ts";
import { tempDir } from "../helpers.ts";

// Spawns the CLI: slow on a loaded machine.
setDefaultTimeout(30_000);

/**
 * The original's `setup export` names its client entry `gateway` (`http://localhost:39400/mcp`,
 * or `mcp-gateway serve --stdio -c FILE`). Switching, `setup export` and `setup
 * --configure-client` here added `mcp-gateway` beside it, so the client reached the same gateway
 * twice and listed every meta tool twice. The entry that points at this gateway under another
 * name is now replaced by this gateway's; other servers stay.
 */
function home() {
  const dir = tempDir("mcpgw-sw12-export-");
  const config = join(dir, "gateway.yaml");
  writeFileSync(config, "backends: {}\n");
  mkdirSync(join(dir, "work"));
  return { dir, config, env: { HOME: dir, PATH: process.env.PATH ?? "" } };
}

const servers = (path: string) =>
  (JSON.parse(readFileSync(path, "utf8")) as { mcpServers: Record<string, unknown> }).mcpServers;

describe("a client entry the original's setup export wrote", () => {
  test("setup export replaces it instead of adding a second entry for the same gateway", () => {
    const { dir, config, env } = home();
    const claude = join(dir, ".claude.json");
    writeFileSync(
      claude,
      JSON.stringify({
        mcpServers: {
          gateway: { type: "http", url: "http://localhost:39400/mcp" },
          other: { command: "npx", args: ["-y", "other-server"] },
        },
      }),
    );
    const run = runCli(["setup", "export", "--target", "claude-code", "-c", config], {
      env,
      cwd: join(dir, "work"),
    });
    expect(run.code).toBe(0);
    const after = servers(claude);
    expect(Object.keys(after).sort()).toEqual(["mcp-gateway", "other"]);
  });

  test("its stdio form (mcp-gateway serve --stdio -c FILE) is replaced too", () => {
    const { dir, config, env } = home();
    const cursor = join(dir, ".cursor", "mcp.json");
    mkdirSync(join(dir, ".cursor"));
    writeFileSync(
      cursor,
      JSON.stringify({
        mcpServers: {
          gateway: { command: "mcp-gateway", args: ["serve", "--stdio", "-c", config] },
        },
      }),
    );
    const run = runCli(["setup", "export", "--target", "cursor", "-c", config], {
      env,
      cwd: join(dir, "work"),
    });
    expect(run.code).toBe(0);
    expect(Object.keys(servers(cursor))).toEqual(["mcp-gateway"]);
  });

  test("setup --configure-client moves the other servers in and replaces it", () => {
    const { dir, config, env } = home();
    const claude = join(dir, ".claude.json");
    writeFileSync(
      claude,
      JSON.stringify({
        mcpServers: {
          gateway: { type: "http", url: "http://localhost:39400/mcp" },
          other: { command: "npx", args: ["-y", "other-server"] },
        },
      }),
    );
    const run = runCli(
      ["setup", "--yes", "--configure-client", "--client", "claude-code", "-c", config],
      { env, cwd: join(dir, "work") },
    );
    expect(run.code).toBe(0);
    expect(Object.keys(servers(claude))).toEqual(["mcp-gateway"]);
    expect(readFileSync(config, "utf8")).toContain("other:");
  });
});
