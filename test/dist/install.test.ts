import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, spawnOutput, tempDir } from "../helpers.ts";

// install.sh against a fake release served from loopback, under every POSIX shell we have.
const INSTALLER = join(ROOT, "install.sh");
const SHELLS = [["sh"], ["dash"], ["bash", "--posix"]].filter(([shell]) => Bun.which(shell!));

/** A stand-in binary: the installer runs `--version` on what it installed. */
const FAKE_BINARY = '#!/bin/sh\necho "mcp-gateway 9.9.9 (abc1234)"\n';
const ASSETS = ["linux-x64", "linux-arm64", "darwin-x64", "darwin-arm64"].map(
  (name) => `mcp-gateway-${name}`,
);

interface Release {
  files: Map<string, string>;
  requests: string[];
}
const releases = new Map<string, Release>();
let server: ReturnType<typeof Bun.serve>;

/** Serves `/<release>/<file>`; a release is a map of file name to contents. */
function addRelease(name: string, files: Map<string, string>): string {
  releases.set(name, { files, requests: [] });
  return `http://127.0.0.1:${server.port}/${name}`;
}

function sums(files: Map<string, string>, tamper?: string): string {
  return [...files]
    .map(([file, body]) => {
      const digest = createHash("sha256").update(body).digest("hex");
      return `${file === tamper ? digest.replace(/^./, (c) => (c === "0" ? "1" : "0")) : digest}  ${file}\n`;
    })
    .join("");
}

function goodRelease(): Map<string, string> {
  const files = new Map(ASSETS.map((asset) => [asset, FAKE_BINARY] as [string, string]));
  files.set("SHA256SUMS", sums(files));
  return files;
}

/** A folder holding a fake `uname` that reports the given OS and machine. */
function fakeUname(os: string, machine: string): string {
  const dir = tempDir("mcpgw-uname-");
  const script = `#!/bin/sh\ncase "$1" in -s) echo ${os} ;; -m) echo ${machine} ;; *) echo ${os} ;; esac\n`;
  writeFileSync(join(dir, "uname"), script, { mode: 0o755 });
  return dir;
}

function install(
  shell: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return spawnOutput([...shell, INSTALLER], {
    env: { PATH: process.env.PATH!, HOME: tempDir("mcpgw-home-"), SHELL: "/bin/bash", ...env },
  });
}

beforeAll(() => {
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request) {
      const [, release, file] = new URL(request.url).pathname.split("/");
      const entry = releases.get(release ?? "");
      entry?.requests.push(file ?? "");
      const body = entry?.files.get(file ?? "");
      return body === undefined ? new Response("not found", { status: 404 }) : new Response(body);
    },
  });
});

afterAll(() => server?.stop(true));

describe.each(SHELLS.map((shell) => [shell.join(" "), shell] as const))(
  "install.sh under %s",
  (_name, shell) => {
    test("installs the checked binary into a new folder and says how to add it to PATH", async () => {
      const base = addRelease(`ok-${shell[0]}`, goodRelease());
      const dir = join(tempDir(), "nested", "bin");
      const result = await install(shell, {
        MCP_GATEWAY_BASE_URL: `${base}/`,
        MCP_GATEWAY_INSTALL_DIR: dir,
        PATH: `${fakeUname("Linux", "x86_64")}:${process.env.PATH}`,
      });
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      const installed = join(dir, "mcp-gateway");
      expect(readFileSync(installed, "utf8")).toBe(FAKE_BINARY);
      expect(statSync(installed).mode & 0o777).toBe(0o755);
      expect(readdirSync(dir)).toEqual(["mcp-gateway"]);
      expect(releases.get(`ok-${shell[0]}`)!.requests).toEqual([
        "SHA256SUMS",
        "mcp-gateway-linux-x64",
      ]);
      expect(result.stdout).toContain(`installed ${installed}`);
      expect(result.stdout).toContain("mcp-gateway 9.9.9 (abc1234)");
      expect(result.stdout).toContain(`${dir} is not on your PATH`);
      expect(result.stdout).toContain(`export PATH="${dir}:$PATH"' >> ~/.bashrc`);
    });

    test("a checksum mismatch exits non-zero and leaves no binary behind", async () => {
      const files = goodRelease();
      files.set("SHA256SUMS", sums(files, "mcp-gateway-linux-x64"));
      const base = addRelease(`bad-${shell[0]}`, files);
      const dir = join(tempDir(), "bin");
      const result = await install(shell, {
        MCP_GATEWAY_BASE_URL: base,
        MCP_GATEWAY_INSTALL_DIR: dir,
        PATH: `${fakeUname("Linux", "x86_64")}:${process.env.PATH}`,
      });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain("checksum mismatch for mcp-gateway-linux-x64");
      expect(result.stderr).toContain("nothing was installed");
      expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
    });
  },
);

describe("install.sh platform detection and failures", () => {
  const shell = ["sh"];

  test.each([
    ["Darwin", "arm64", "mcp-gateway-darwin-arm64"],
    ["Darwin", "x86_64", "mcp-gateway-darwin-x64"],
    ["Linux", "aarch64", "mcp-gateway-linux-arm64"],
    ["Linux", "amd64", "mcp-gateway-linux-x64"],
  ])("%s %s downloads %s", async (os, machine, asset) => {
    const name = `detect-${os}-${machine}`;
    const base = addRelease(name, goodRelease());
    const dir = tempDir();
    const result = await install(shell, {
      MCP_GATEWAY_BASE_URL: base,
      MCP_GATEWAY_INSTALL_DIR: dir,
      PATH: `${dir}:${fakeUname(os, machine)}:${process.env.PATH}`,
    });
    expect(result.code).toBe(0);
    expect(releases.get(name)!.requests).toEqual(["SHA256SUMS", asset]);
    // The folder is already on PATH, so there is no advice.
    expect(result.stdout).not.toContain("not on your PATH");
  });

  test.each([
    ["FreeBSD", "amd64", "no build for FreeBSD"],
    ["Linux", "riscv64", "no build for the riscv64 CPU"],
  ])("%s %s fails with a clear reason", async (os, machine, reason) => {
    const result = await install(shell, {
      MCP_GATEWAY_BASE_URL: addRelease(`unsupported-${os}-${machine}`, goodRelease()),
      MCP_GATEWAY_INSTALL_DIR: tempDir(),
      PATH: `${fakeUname(os, machine)}:${process.env.PATH}`,
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(reason);
  });

  test("an asset missing from SHA256SUMS is refused before it is downloaded", async () => {
    const files = goodRelease();
    files.set("SHA256SUMS", sums(new Map([["mcp-gateway-darwin-arm64", FAKE_BINARY]])));
    const base = addRelease("unlisted", files);
    const dir = join(tempDir(), "bin");
    const result = await install(shell, {
      MCP_GATEWAY_BASE_URL: base,
      MCP_GATEWAY_INSTALL_DIR: dir,
      PATH: `${fakeUname("Linux", "x86_64")}:${process.env.PATH}`,
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("SHA256SUMS lists no mcp-gateway-linux-x64");
    expect(releases.get("unlisted")!.requests).toEqual(["SHA256SUMS"]);
    expect(existsSync(dir)).toBe(false);
  });

  test("a missing asset fails the download and installs nothing", async () => {
    const files = goodRelease();
    files.delete("mcp-gateway-linux-x64");
    const base = addRelease("missing", files);
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    const result = await install(shell, {
      MCP_GATEWAY_BASE_URL: base,
      MCP_GATEWAY_INSTALL_DIR: dir,
      PATH: `${fakeUname("Linux", "x86_64")}:${process.env.PATH}`,
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`download failed: ${base}/mcp-gateway-linux-x64`);
    expect(readdirSync(dir)).toEqual([]);
  });
});
