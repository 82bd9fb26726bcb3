import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, openSync, readFileSync, readSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import {
  assetName,
  hostTarget,
  lockedRuntime,
  TARGETS,
  type Target,
} from "../../scripts/targets.ts";
import { BUN, ROOT, tempDir } from "../helpers.ts";

// The release matrix (scripts/build.ts). Cross-compiling needs the other platforms' Bun runtimes
// from the npm registry, which tests may not reach: the matrix code runs here for this host's
// target, with the runtime cache seeded from the running Bun, and the full matrix is checked in
// dist/ when `npm run build:all` has produced it.

function build(args: string[], env: Record<string, string> = {}) {
  const result = Bun.spawnSync([BUN, join(ROOT, "scripts/build.ts"), ...args], {
    cwd: ROOT,
    env: { ...process.env, MCP_GATEWAY_COMMIT: "abc1234def", ...env },
  });
  return { code: result.exitCode, stderr: result.stderr.toString() };
}

const host = hostTarget();
const sameRuntime = host && lockedRuntime(ROOT, host.runtimePackage).version === Bun.version;

describe("scripts/build.ts --target", () => {
  test.skipIf(!sameRuntime)(
    "builds the named target, checks its --version and writes SHA256SUMS with bare names",
    () => {
      const { version } = lockedRuntime(ROOT, host!.runtimePackage);
      const cache = tempDir("mcpgw-runtimes-");
      const folder = join(cache, `${host!.runtimePackage.replace("/", "+")}-${version}`);
      mkdirSync(folder);
      symlinkSync(process.execPath, join(folder, "bun"));
      const outdir = tempDir("mcpgw-dist-");
      const result = build(["--target", host!.name, "--outdir", outdir], {
        MCP_GATEWAY_RUNTIME_CACHE: cache,
      });
      expect(result.stderr).not.toContain("fetching");
      expect(result.code).toBe(0);
      const binary = join(outdir, assetName(host!));
      const version_ = Bun.spawnSync([binary, "--version"]).stdout.toString();
      expect(version_).toBe(`mcp-gateway ${pkg.version} (abc1234)\n`);
      const sums = readFileSync(join(outdir, "SHA256SUMS"), "utf8");
      expect(sums).toMatch(new RegExp(`^[0-9a-f]{64}  ${assetName(host!)}\\n$`));
      const check = Bun.spawnSync(["sha256sum", "-c", "SHA256SUMS"], { cwd: outdir });
      expect(check.stdout.toString()).toBe(`${assetName(host!)}: OK\n`);
    },
    60_000,
  );

  test("an unknown target is refused with the list of known ones", () => {
    const result = build(["--target", "plan9-mips", "--outdir", tempDir()]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "unknown target plan9-mips; choose from linux-x64, linux-arm64, darwin-x64, darwin-arm64, windows-x64",
    );
  });
});

/** The first bytes of a file. */
function head(file: string, length = 4096): Buffer {
  const buffer = Buffer.alloc(length);
  const fd = openSync(file, "r");
  readSync(fd, buffer, 0, length, 0);
  return buffer;
}

/** What a binary's header says it is: `linux-x64`, `darwin-arm64 signed`, `windows-x64`. */
function describeBinary(file: string): string {
  const bytes = head(file);
  if (bytes.readUInt32BE(0) === 0x7f454c46) {
    const machine = bytes.readUInt16LE(18);
    return `linux-${machine === 0x3e ? "x64" : machine === 0xb7 ? "arm64" : machine}`;
  }
  if (bytes.readUInt32LE(0) === 0xfeedfacf) {
    const cpu = bytes.readInt32LE(4);
    const count = bytes.readUInt32LE(16);
    let offset = 32;
    let signed = false;
    for (let i = 0; i < count; i++) {
      if (bytes.readUInt32LE(offset) === 0x1d) signed = true; // LC_CODE_SIGNATURE
      offset += bytes.readUInt32LE(offset + 4);
    }
    const arch = cpu === 0x01000007 ? "x64" : cpu === 0x0100000c ? "arm64" : String(cpu);
    return `darwin-${arch}${signed ? " signed" : ""}`;
  }
  if (bytes.toString("latin1", 0, 2) === "MZ") {
    const pe = bytes.readUInt32LE(0x3c);
    return `windows-${bytes.readUInt16LE(pe + 4) === 0x8664 ? "x64" : "other"}`;
  }
  return "unknown";
}

const dist = join(ROOT, "dist");
const hasMatrix = TARGETS.every((t) => existsSync(join(dist, assetName(t))));
if (!hasMatrix)
  console.warn("build test: no full matrix in dist/; run npm run build:all to check it");

describe.skipIf(!hasMatrix)("the release matrix in dist/ (npm run build:all)", () => {
  test.each(TARGETS.map((t) => [assetName(t), t] as [string, Target]))(
    "%s is a binary for its platform (macOS ones signed)",
    (name, target) => {
      const expected = `${target.name}${target.os === "darwin" ? " signed" : ""}`;
      expect(describeBinary(join(dist, name))).toBe(expected);
    },
  );

  // With qemu-user and the arm64 C library (Debian: qemu-user libc6-arm64-cross).
  const QEMU = Bun.which("qemu-aarch64");
  const ARM64_LIBS = "/usr/aarch64-linux-gnu";
  const canEmulate = Boolean(QEMU) && existsSync(join(ARM64_LIBS, "lib/ld-linux-aarch64.so.1"));
  if (!canEmulate)
    console.warn("build test: no qemu-aarch64 with arm64 libc; not running linux-arm64");
  test.skipIf(!canEmulate)(
    "mcp-gateway-linux-arm64 runs (under qemu-aarch64)",
    () => {
      const binary = join(dist, "mcp-gateway-linux-arm64");
      const result = Bun.spawnSync([QEMU!, "-L", ARM64_LIBS, binary, "--version"]);
      expect(result.stdout.toString()).toMatch(/^mcp-gateway \d+\.\d+\.\d+ \(\w+\)\n$/);
    },
    60_000,
  );

  test("SHA256SUMS lists every asset by bare name and matches the files", () => {
    const sums = readFileSync(join(dist, "SHA256SUMS"), "utf8");
    const names = sums
      .trim()
      .split("\n")
      .map((line) => line.split("  ")[1]);
    expect(names).toEqual(TARGETS.map(assetName));
    const check = Bun.spawnSync(["sha256sum", "-c", "SHA256SUMS"], { cwd: dist });
    expect(check.exitCode).toBe(0);
  });
});
