import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { serverOfArgv } from "../../src/setup/processes.ts";
import { runCli } from "../cli/_run.ts";
import { BUN, tempDir } from "../helpers.ts";
import { read } from "./_home.ts";

setDefaultTimeout(30_000);

describe("servers found in running processes", () => {
  test("argv shapes that are MCP servers, and ones that are not", () => {
    expect(serverOfArgv(["npm", "exec", "@modelcontextprotocol/server-memory"])).toEqual({
      name: "memory",
      command: "npx",
      args: ["-y", "@modelcontextprotocol/server-memory"],
    });
    expect(
      serverOfArgv([
        "node",
        "/home/me/.npm/_npx/1a2b/node_modules/@modelcontextprotocol/server-filesystem/dist/index.js",
        "/home/me/docs",
      ]),
    ).toEqual({
      name: "filesystem",
      command: "npx",
      args: ["-y", "@modelcontextprotocol/server-filesystem", "/home/me/docs"],
    });
    expect(serverOfArgv(["/usr/bin/uvx", "mcp-server-fetch", "--ignore-robots-txt"])).toEqual({
      name: "fetch",
      command: "uvx",
      args: ["mcp-server-fetch", "--ignore-robots-txt"],
    });
    expect(serverOfArgv(["/home/me/.local/bin/mcp-server-time"])).toEqual({
      name: "time",
      command: "/home/me/.local/bin/mcp-server-time",
      args: [],
    });
    expect(serverOfArgv(["vim", "mcp-server-notes.txt"])).toBeUndefined();
    expect(serverOfArgv(["bash", "-c", "sleep 5"])).toBeUndefined();
  });

  test("setup offers a running server for import and never rewrites the process", async () => {
    const home = tempDir("mcpgw-proc-");
    const suffix = `zz${process.pid}`;
    const pkg = `@modelcontextprotocol/server-${suffix}`;
    // A harmless process whose command line looks like an MCP server started by a client.
    const child = Bun.spawn([BUN, "-e", "setInterval(() => {}, 1e6)", pkg, "/srv/data"], {
      stdout: "ignore",
      stderr: "ignore",
    });
    try {
      await Bun.sleep(200);
      const env = { HOME: home, PATH: process.env.PATH ?? "/usr/bin:/bin" };
      const run = runCli(
        ["setup", "--client", "process", "--only", suffix, "--yes", "--configure-client"],
        { env },
      );
      expect(run.stderr).not.toContain("ERROR");
      expect(run.code).toBe(0);
      expect(run.stderr).toContain(`Running processes: 1 server in /proc/${child.pid}/cmdline`);
      const backends = parseYaml(read(join(home, ".config/mcp-gateway/gateway.yaml"))).backends;
      expect(backends[suffix]).toEqual({ command: "npx", args: ["-y", pkg, "/srv/data"] });
      // Without --client process, running processes are not looked at.
      const plain = runCli(["setup", "--only", suffix, "--yes", "--dry-run"], { env });
      expect(plain.stderr).toContain("no MCP servers to import");
      expect(plain.stderr).not.toContain("Running processes");
    } finally {
      child.kill();
      await child.exited;
    }
  });
});
