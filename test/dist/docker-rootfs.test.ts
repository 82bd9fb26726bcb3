import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { loadConfig } from "../../src/config/load.ts";
import { hashKey } from "../../src/security/keys.ts";
import {
  builtBinary,
  firstText,
  freePort,
  ROOT,
  startEverythingHttp,
  tempDir,
  waitFor,
} from "../helpers.ts";
import { connectWithKey, initializeBody, MCP_HEADERS } from "../security/_helpers.ts";

// Docker cannot run here, so this proves the image another way: it assembles the final stage's
// root filesystem with the script the Dockerfile runs, then starts the binary in it with chroot,
// as the image's numeric user, with the image's ENV, ENTRYPOINT and CMD read from the Dockerfile.

const CHROOT = Bun.which("chroot", { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" });
const IS_ROOT = process.getuid?.() === 0;
const why = !IS_ROOT ? "not running as root" : !CHROOT ? "no chroot command" : "";
if (why) console.warn(`skipping the scratch-image test: ${why} (chroot needs root)`);

/** The admin token a `docker run -e MCP_GATEWAY_TOKEN=...` passes in. */
const TOKEN = "mcpgw-docker-test-token-0123456789";

// Runs without root: the image's default config is secure on its own.
describe("the image's default config", () => {
  const path = join(ROOT, "packaging/docker/config.yaml");

  test("turns auth on with the admin token from MCP_GATEWAY_TOKEN, on 0.0.0.0", () => {
    const config = loadConfig({ path, env: { MCP_GATEWAY_TOKEN: TOKEN } });
    expect(config.server.host).toBe("0.0.0.0");
    expect(config.auth.enabled).toBe(true);
    expect(config.auth.bearer_token).toBe(hashKey(TOKEN));
  });

  test("without MCP_GATEWAY_TOKEN it fails to load, naming the variable and the fix", () => {
    expect(() => loadConfig({ path, env: {} })).toThrow(
      "auth.bearer_token is env:MCP_GATEWAY_TOKEN, but MCP_GATEWAY_TOKEN is not set or empty; set MCP_GATEWAY_TOKEN",
    );
  });
});

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
    run(["sh", join(ROOT, "packaging/docker/rootfs.sh"), builtBinary(), rootfs]);
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

  /** `docker run -e MCP_GATEWAY_TOKEN=...`: the image's ENV plus the token. */
  const withToken = () => ({ ...stage.env, MCP_GATEWAY_TOKEN: TOKEN });

  /** Starts the image's command in the chroot as the image's user, with extra arguments. */
  async function startContainer(extra: string[], env: Record<string, string> = withToken()) {
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
      { env, stdout: "pipe", stderr: "pipe" },
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

  test("the final stage is FROM scratch with a numeric user, HOME=/ and the pinned entrypoint only", () => {
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
    // No default arguments: in particular no --allow-unauthenticated.
    expect(stage.command).toHaveLength(6);
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

  test("without MCP_GATEWAY_TOKEN the default config refuses to start and says what to set", async () => {
    const child = Bun.spawn([CHROOT!, `--userspec=${stage.user}`, rootfs, ...stage.command], {
      env: stage.env,
      stdout: "pipe",
      stderr: "pipe",
    });
    children.push(child);
    const [code, stdout, stderr] = await Promise.all([
      child.exited,
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
    ]);
    expect(code).not.toBe(0);
    expect(stdout).toBe("");
    // Printed through the logger, so this also shows its redaction leaves the message whole.
    expect(stderr).toContain(
      "/config.yaml: auth.bearer_token is env:MCP_GATEWAY_TOKEN, but MCP_GATEWAY_TOKEN is not set or empty; set MCP_GATEWAY_TOKEN (or MCP_GATEWAY_TOKEN_FILE, a file holding it) to the key clients will send",
    );
    expect(stderr).not.toContain("REDACTED");
  }, 30_000);

  test("with MCP_GATEWAY_TOKEN: /health, 401 without the token, MCP with it; nothing written", async () => {
    const container = await startContainer([]);
    const health = await fetch(`${container.url}/health`);
    expect(health.status).toBe(200);
    // An anonymous caller sees the status only.
    expect(await health.json()).toEqual({ status: "ok" });
    const anonymous = await fetch(`${container.url}/mcp`, {
      method: "POST",
      headers: MCP_HEADERS,
      body: initializeBody(),
    });
    expect(anonymous.status).toBe(401);
    await expect(connectWithKey(container.url, "not-the-token-at-all")).rejects.toThrow();
    const session = await connectWithKey(container.url, TOKEN);
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
    writeFileSync(
      config,
      `auth:\n  enabled: true\n  api_keys:\n    - { name: ci, key: env:CI_KEY }\nbackends:\n  everything:\n    url: ${everything.url}\n`,
    );
    // What `docker run -v ./gateway.yaml:/config.yaml:ro` does.
    run(["mount", "--bind", "-o", "ro", config, join(rootfs, "config.yaml")]);
    mounts.push(join(rootfs, "config.yaml"));
    try {
      const container = await startContainer([], { ...stage.env, CI_KEY: TOKEN });
      const session = await connectWithKey(container.url, TOKEN);
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
