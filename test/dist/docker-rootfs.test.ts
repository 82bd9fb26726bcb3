import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import {
  BUN,
  connectHttp,
  firstText,
  freePort,
  ROOT,
  startEverythingHttp,
  tempDir,
  waitFor,
} from "../helpers.ts";

// Docker cannot run here, so this proves the image another way: it assembles the final stage's
// root filesystem with the script the Dockerfile runs, then starts the binary in it with chroot,
// as the image's numeric user, with the image's ENV, ENTRYPOINT and CMD read from the Dockerfile.

const CHROOT = Bun.which("chroot", { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" });
const IS_ROOT = process.getuid?.() === 0;
const why = !IS_ROOT ? "not running as root" : !CHROOT ? "no chroot command" : "";
if (why) console.warn(`skipping the scratch-image test: ${why} (chroot needs root)`);

interface FinalStage {
  user: string;
  env: Record<string, string>;
  command: string[];
  copiesRootfs: boolean;
  buildRunsRootfsScript: boolean;
}

/** Reads the final `FROM scratch` stage of the Dockerfile. */
function readFinalStage(): FinalStage {
  const text = readFileSync(join(ROOT, "Dockerfile"), "utf8").replace(/\\\n/g, " ");
  const lines = text.split("\n").filter((line) => line.trim() && !line.trim().startsWith("#"));
  const from = lines.findLastIndex((line) => /^FROM\s+scratch\b/i.test(line));
  expect(from).toBeGreaterThan(0);
  const final = lines.slice(from + 1);
  const value = (keyword: string) =>
    final
      .find((line) => line.startsWith(`${keyword} `))
      ?.slice(keyword.length + 1)
      .trim() ?? "";
  const env: Record<string, string> = {};
  for (const line of final.filter((l) => l.startsWith("ENV "))) {
    for (const pair of line.slice(4).trim().split(/\s+/)) {
      const [key, ...rest] = pair.split("=");
      env[key!] = rest.join("=");
    }
  }
  return {
    user: value("USER"),
    env,
    command: [...JSON.parse(value("ENTRYPOINT")), ...JSON.parse(value("CMD") || "[]")],
    copiesRootfs: final.some((line) => /^COPY\s+--from=build\s+\/rootfs\/?\s+\/$/.test(line)),
    buildRunsRootfsScript: lines
      .slice(0, from)
      .some((line) => line.includes("packaging/docker/rootfs.sh /out/mcp-gateway /rootfs")),
  };
}

/** Every path under `dir` with its size and mtime, to show that nothing was written. */
function snapshot(dir: string, skip: Set<string>, prefix = ""): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(dir, prefix)).sort()) {
    const path = join(prefix, name);
    if (skip.has(path)) continue;
    const stat = statSync(join(dir, path));
    out.push(`${path} ${stat.size} ${stat.mtimeMs}`);
    if (stat.isDirectory()) out.push(...snapshot(dir, skip, path));
  }
  return out;
}

function run(args: string[]): void {
  const result = Bun.spawnSync(args, { stderr: "pipe" });
  if (!result.success) throw new Error(`${args.join(" ")}: ${result.stderr.toString()}`);
}

describe.skipIf(Boolean(why))("the scratch image's root filesystem (chroot)", () => {
  const work = tempDir("mcpgw-rootfs-");
  const rootfs = join(work, "rootfs");
  const mounts: string[] = [];
  const children: Subprocess[] = [];
  let stage: FinalStage;
  let before: string[];

  beforeAll(() => {
    stage = readFinalStage();
    run([BUN, join(ROOT, "scripts/build.ts"), join(work, "mcp-gateway")]);
    run(["sh", join(ROOT, "packaging/docker/rootfs.sh"), join(work, "mcp-gateway"), rootfs]);
    before = snapshot(rootfs, new Set());
    // A container runtime gives every container /proc, and Bun reads /proc/self/exe.
    mkdirSync(join(rootfs, "proc"));
    run(["mount", "-t", "proc", "proc", join(rootfs, "proc")]);
    mounts.push(join(rootfs, "proc"));
  }, 120_000);

  afterAll(async () => {
    for (const child of children) child.kill("SIGKILL");
    await Promise.all(children.map((child) => child.exited));
    for (const mount of mounts.reverse()) Bun.spawnSync(["umount", "-l", mount]);
    rmSync(work, { recursive: true, force: true });
  });

  /** Starts the image's command in the chroot, with extra arguments, as the image's user. */
  async function startContainer(extra: string[]) {
    const port = await freePort();
    const child = Bun.spawn(
      [
        CHROOT!,
        `--userspec=${stage.user}`,
        rootfs,
        ...stage.command,
        ...extra,
        "--port",
        `${port}`,
      ],
      { env: stage.env, stdout: "pipe", stderr: "pipe" },
    );
    children.push(child);
    const url = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${url}/health`).catch(() => undefined))?.ok, 15_000);
    return {
      url,
      async stop() {
        child.kill("SIGTERM");
        await child.exited;
        const [stdout, stderr] = await Promise.all([
          new Response(child.stdout).text(),
          new Response(child.stderr).text(),
        ]);
        return { code: child.exitCode, stdout, stderr };
      },
    };
  }

  test("the final stage is FROM scratch with a numeric user, HOME=/ and the pinned entrypoint", () => {
    expect(stage.user).toMatch(/^\d+:\d+$/);
    expect(stage.user.startsWith("0:")).toBe(false);
    expect(stage.env).toEqual({ HOME: "/" });
    expect(stage.command.slice(0, 6)).toEqual([
      "/mcp-gateway",
      "serve",
      "--config",
      "/config.yaml",
      "--host",
      "0.0.0.0",
    ]);
    expect(stage.copiesRootfs).toBe(true);
    expect(stage.buildRunsRootfsScript).toBe(true);
  });

  test("the root filesystem holds the binary, its libraries, CA certificates and the config only", () => {
    const files = before.map((line) => line.split(" ")[0]!);
    expect(files).toContain("mcp-gateway");
    expect(files).toContain("config.yaml");
    expect(files).toContain("etc/ssl/certs/ca-certificates.crt");
    expect(files.some((file) => /\/libc\.so\.6$/.test(file))).toBe(true);
    expect(files.some((file) => /\/ld-linux[^/]*\.so\.\d$/.test(file))).toBe(true);
    // No shell, no package manager, nothing else to run.
    expect(files.filter((file) => /(^|\/)(s?bin|usr)(\/|$)/.test(file))).toEqual([]);
  });

  test("--version runs in the image", () => {
    const result = Bun.spawnSync(
      [CHROOT!, `--userspec=${stage.user}`, rootfs, "/mcp-gateway", "--version"],
      { env: stage.env },
    );
    expect(result.stdout.toString()).toMatch(/^mcp-gateway \d+\.\d+\.\d+ \(\w+\)\n$/);
  });

  test("serves /health and MCP with the default config, state in memory, writing nothing", async () => {
    const container = await startContainer([]);
    const health = await fetch(`${container.url}/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string }).status).toBe("ok");
    const session = await connectHttp(container.url);
    const result = await session.client.callTool({ name: "gateway_list_servers", arguments: {} });
    const { servers } = result.structuredContent as { servers: { name: string; state: string }[] };
    // The default config has no backends; built-in capabilities, when present, must load.
    for (const server of servers) expect(server.state).not.toBe("failed");
    await session.close();
    const { stdout, stderr } = await container.stop();
    expect(stdout).toBe("");
    expect(stderr).toContain("/.local/state/mcp-gateway is not usable");
    expect(stderr).toContain("keeping state in memory");
    expect(snapshot(rootfs, new Set(["proc"]))).toEqual(before);
  }, 30_000);

  test("a config mounted at /config.yaml reaches an HTTP backend and invokes its tool", async () => {
    const everything = await startEverythingHttp("streamableHttp");
    const config = join(work, "mounted.yaml");
    writeFileSync(config, `backends:\n  everything:\n    url: ${everything.url}\n`);
    // What `docker run -v ./gateway.yaml:/config.yaml:ro` does.
    run(["mount", "--bind", "-o", "ro", config, join(rootfs, "config.yaml")]);
    mounts.push(join(rootfs, "config.yaml"));
    try {
      const container = await startContainer([]);
      const session = await connectHttp(container.url);
      const result = await session.client.callTool({
        name: "gateway_invoke",
        arguments: { server: "everything", tool: "echo", arguments: { message: "from scratch" } },
      });
      expect(result.isError).toBeFalsy();
      expect(firstText(result)).toContain("from scratch");
      await session.close();
      expect((await container.stop()).stdout).toBe("");
    } finally {
      everything.stop();
      Bun.spawnSync(["umount", "-l", mounts.pop()!]);
    }
  }, 30_000);
});
