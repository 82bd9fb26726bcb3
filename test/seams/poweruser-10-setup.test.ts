import { describe, expect, test } from "bun:test";
import { mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { runCli } from "../cli/_run.ts";
import {
  BUN,
  cleanupsAfterAll,
  connectHttp,
  FILESYSTEM,
  FIXTURE_SERVER,
  firstText,
  startFromFile,
  tempDir,
} from "../helpers.ts";

const cleanups = cleanupsAfterAll();

describe("setup × a project's servers (.mcp.json, .cursor/mcp.json, ~/.claude.json projects)", () => {
  test("run in the project's folder behind the gateway, as the client ran them", async () => {
    const home = realpathSync(tempDir("poweruser-home-"));
    const project = join(home, "code", "app");
    mkdirSync(join(project, "tools"), { recursive: true });
    mkdirSync(join(project, ".cursor"), { recursive: true });
    // The project's own server, named by a path relative to the project (as most are).
    writeFileSync(join(project, "tools/srv.ts"), `import ${JSON.stringify(FIXTURE_SERVER)};\n`);
    writeFileSync(
      join(project, ".mcp.json"),
      JSON.stringify({ mcpServers: { files: { command: "node", args: [FILESYSTEM, "."] } } }),
    );
    writeFileSync(
      join(project, ".cursor/mcp.json"),
      JSON.stringify({ mcpServers: { tools: { command: BUN, args: ["./tools/srv.ts"] } } }),
    );
    writeFileSync(
      join(home, ".claude.json"),
      JSON.stringify({
        projects: {
          [project]: { mcpServers: { nested: { command: BUN, args: ["srv.ts"], cwd: "tools" } } },
        },
      }),
    );
    const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home };
    const run = runCli(["setup", "--yes", "--project", project], { env, cwd: home });
    expect(run.code).toBe(0);
    const config = join(home, ".config/mcp-gateway/gateway.yaml");
    const backends = parseYaml(await Bun.file(config).text()).backends;
    expect(backends.files.cwd).toBe(project);
    expect(backends.tools.cwd).toBe(project);
    expect(backends.nested.cwd).toBe(join(project, "tools"));

    // The gateway runs elsewhere (this test's folder is the repository): the servers still work,
    // and the filesystem server shares the project, not the folder the gateway was started in.
    const gateway = await startFromFile(config);
    cleanups.push(() => gateway.stop());
    const session = await connectHttp(gateway.url);
    cleanups.push(() => session.close());
    const invoke = (server: string, tool: string) =>
      session.client.callTool({ name: "gateway_invoke", arguments: { server, tool } });
    const allowed = await invoke("files", "list_allowed_directories");
    expect(firstText(allowed)).toContain(project);
    expect(firstText(allowed)).not.toContain(process.cwd());
    for (const server of ["tools", "nested"]) {
      const pid = await invoke(server, "pid");
      expect(pid.isError).toBeFalsy();
      expect(firstText(pid)).toMatch(/^\d+$/);
    }
  }, 60_000);
});

describe("setup --client process × a server started with a relative path (server-filesystem .)", () => {
  test("is imported with the folder it runs in, so . is still that folder", async () => {
    const home = realpathSync(tempDir("poweruser-proc-"));
    const project = join(home, "notes");
    mkdirSync(project);
    const suffix = `zz${process.pid}`;
    const pkg = `@modelcontextprotocol/server-${suffix}`;
    // A harmless process whose command line is a filesystem server a client started in `notes`.
    const child = Bun.spawn([BUN, "-e", "setInterval(() => {}, 1e6)", pkg, "."], {
      cwd: project,
      stdout: "ignore",
      stderr: "ignore",
    });
    cleanups.push(async () => {
      child.kill();
      await child.exited;
    });
    await Bun.sleep(200);
    const env = { HOME: home, PATH: process.env.PATH ?? "/usr/bin:/bin" };
    const run = runCli(["setup", "--client", "process", "--only", suffix, "--yes"], { env });
    expect(run.code).toBe(0);
    const config = join(home, ".config/mcp-gateway/gateway.yaml");
    const backends = parseYaml(await Bun.file(config).text()).backends;
    expect(backends[suffix]).toEqual({ command: "npx", args: ["-y", pkg, "."], cwd: project });
  }, 30_000);
});
