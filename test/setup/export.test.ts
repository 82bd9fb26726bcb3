import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseTOML } from "confbox";
import { runCli } from "../cli/_run.ts";
import { BUN, ROOT, tempDir } from "../helpers.ts";
import { read } from "./_home.ts";

setDefaultTimeout(30_000);

const CURSOR = `{
  // my servers
  "mcpServers": {
    "time": { "command": "uvx", "args": ["mcp-server-time"] }
  }
}
`;
const CODEX = `model = "gpt-5"

[mcp_servers.fetch]
command = "uvx"
args = ["mcp-server-fetch"]
`;

function exportHome() {
  const home = tempDir("mcpgw-export-");
  const cursor = join(home, ".cursor", "mcp.json");
  const codex = join(home, ".codex", "config.toml");
  mkdirSync(join(home, ".cursor"), { recursive: true });
  mkdirSync(join(home, ".codex"), { recursive: true });
  writeFileSync(cursor, CURSOR);
  writeFileSync(codex, CODEX);
  const env = { HOME: home, PATH: process.env.PATH ?? "/usr/bin:/bin" };
  return { home, cursor, codex, env };
}

const backups = (home: string) => {
  const dir = join(home, ".local/state/mcp-gateway/backups");
  return existsSync(dir) ? readdirSync(dir) : [];
};

describe("setup export", () => {
  test("--target all --dry-run prints the diff and writes nothing", () => {
    const box = exportHome();
    const run = runCli(["setup", "export", "--target", "all", "--dry-run"], { env: box.env });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`+++ ${box.cursor}`);
    expect(run.stdout).toContain('+    "mcp-gateway": {');
    expect(run.stdout).toContain("+[mcp_servers.mcp-gateway]");
    expect(read(box.cursor)).toBe(CURSOR);
    expect(read(box.codex)).toBe(CODEX);
    expect(backups(box.home)).toEqual([]);
  });

  test("--target all points every existing client file at the gateway, other servers kept, backed up", () => {
    const box = exportHome();
    const run = runCli(["setup", "export", "--target", "all"], { env: box.env });
    expect(run.stderr).not.toContain("ERROR");
    expect(run.code).toBe(0);
    const cursor = read(box.cursor);
    expect(cursor).toContain("// my servers");
    expect(JSON.parse(cursor.replace("// my servers", "")).mcpServers).toEqual({
      time: { command: "uvx", args: ["mcp-server-time"] },
      "mcp-gateway": { url: "http://127.0.0.1:39400/mcp" },
    });
    const codex = parseTOML(read(box.codex)) as { mcp_servers: Record<string, unknown> };
    expect(Object.keys(codex.mcp_servers)).toEqual(["fetch", "mcp-gateway"]);
    // Only files that exist are touched with "all".
    expect(existsSync(join(box.home, ".codeium"))).toBe(false);
    expect(backups(box.home).length).toBe(1);

    // Run again: nothing to change, no new backup.
    const again = runCli(["setup", "export", "--target", "all"], { env: box.env });
    expect(again.stderr).toContain("already point at the gateway");
    expect(backups(box.home).length).toBe(1);
    // The backup puts the files back.
    expect(runCli(["setup", "restore"], { env: box.env }).code).toBe(0);
    expect(read(box.cursor)).toBe(CURSOR);
  });

  test("--target CLIENT creates that client's file when it has none; an unknown one is named", () => {
    const box = exportHome();
    const run = runCli(["setup", "export", "--target", "windsurf"], { env: box.env });
    expect(run.code).toBe(0);
    const file = join(box.home, ".codeium/windsurf/mcp_config.json");
    expect(JSON.parse(read(file))).toEqual({
      mcpServers: { "mcp-gateway": { serverUrl: "http://127.0.0.1:39400/mcp" } },
    });
    expect(read(box.cursor)).toBe(CURSOR);
    const bad = runCli(["setup", "export", "--target", "emacs"], { env: box.env });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("--target: unknown client emacs");
    const none = runCli(["setup", "export"], { env: box.env });
    expect(none.stderr).toContain("pass --target all");
  });

  test("--watch puts the gateway back when an editor saves the client file without it", async () => {
    const box = exportHome();
    const child = Bun.spawn(
      [BUN, join(ROOT, "src/main.ts"), "setup", "export", "--target", "cursor", "--watch"],
      { cwd: box.home, env: { NO_COLOR: "1", ...box.env }, stdout: "pipe", stderr: "pipe" },
    );
    try {
      const started = Date.now();
      while (!read(box.cursor).includes("mcp-gateway")) {
        if (Date.now() - started > 15_000) throw new Error("export never wrote the file");
        await Bun.sleep(50);
      }
      // Wait for the watcher to be up (it logs once the first write is done).
      await Bun.sleep(1000);
      // An editor's save: a new file renamed over the old one, the gateway entry gone.
      const edited = CURSOR.replace("mcp-server-time", "mcp-server-time@2");
      writeFileSync(`${box.cursor}.tmp`, edited);
      renameSync(`${box.cursor}.tmp`, box.cursor);
      const saved = Date.now();
      while (!read(box.cursor).includes("mcp-gateway")) {
        if (Date.now() - saved > 10_000) throw new Error("the gateway entry was not put back");
        await Bun.sleep(25);
      }
      const text = read(box.cursor);
      expect(text).toContain("mcp-server-time@2");
      expect(text).toContain('"url": "http://127.0.0.1:39400/mcp"');
      console.log(`re-applied ${Date.now() - saved} ms after the save`);
    } finally {
      child.kill("SIGTERM");
      await child.exited;
    }
    expect(await new Response(child.stderr).text()).toContain("watching 1 client files");
  });
});
