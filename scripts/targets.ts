/**
 * The release matrix and the Bun runtimes it compiles against.
 *
 * `bun build --compile --target=...` normally downloads the target's runtime from GitHub. We take
 * it from the npm registry instead (the `@oven/bun-<platform>` packages the `bun` package itself
 * installs from), at the exact version and integrity recorded in package-lock.json, so a release
 * build reaches nothing but the registry and cannot pick up a runtime the lock did not approve.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";

export interface Target {
  /** `<os>-<arch>`, as in the asset name and install.sh. */
  name: string;
  /** The `--target` value for `bun build --compile`. */
  bunTarget: string;
  /** The npm package holding that platform's Bun runtime. */
  runtimePackage: string;
  os: "linux" | "darwin" | "windows";
  arch: "x64" | "arm64";
  /** Produced but not tested here (Windows). */
  experimental?: boolean;
}

export const TARGETS: readonly Target[] = [
  target("linux", "x64", "@oven/bun-linux-x64"),
  target("linux", "arm64", "@oven/bun-linux-aarch64"),
  target("darwin", "x64", "@oven/bun-darwin-x64"),
  target("darwin", "arm64", "@oven/bun-darwin-aarch64"),
  { ...target("windows", "x64", "@oven/bun-windows-x64"), experimental: true },
];

function target(os: Target["os"], arch: Target["arch"], runtimePackage: string): Target {
  return { name: `${os}-${arch}`, bunTarget: `bun-${os}-${arch}`, runtimePackage, os, arch };
}

/** `mcp-gateway-linux-x64`, `mcp-gateway-windows-x64.exe`. */
export function assetName(target: Target): string {
  return `mcp-gateway-${target.name}${target.os === "windows" ? ".exe" : ""}`;
}

/** The target this machine runs, if it is one of ours. */
export function hostTarget(): Target | undefined {
  const os = process.platform === "win32" ? "windows" : process.platform;
  return TARGETS.find((t) => t.os === os && t.arch === process.arch);
}

interface LockedPackage {
  version: string;
  integrity: string;
}

/** The version and integrity package-lock.json pins for a runtime package. */
export function lockedRuntime(root: string, pkg: string): LockedPackage {
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8"));
  const entry = lock.packages?.[`node_modules/${pkg}`] as Partial<LockedPackage> | undefined;
  if (!entry?.version || !entry.integrity) {
    throw new Error(
      `package-lock.json has no entry for ${pkg}; it comes in as an optional dependency of the "bun" devDependency, so reinstall bun with npm to record it`,
    );
  }
  return { version: entry.version, integrity: entry.integrity };
}

/**
 * The path of the Bun runtime executable for `target`: the copy npm installed for this host when
 * it is the same package and version, else one fetched with `npm pack` into `cacheDir`, checked
 * against the lock's integrity and unpacked once.
 */
export function resolveRuntime(root: string, target: Target, cacheDir: string): string {
  const { version, integrity } = lockedRuntime(root, target.runtimePackage);
  const exe = target.os === "windows" ? "bun.exe" : "bun";
  const installed = join(root, "node_modules", target.runtimePackage);
  if (existsSync(join(installed, "bin", exe)) && installedVersion(installed) === version) {
    return join(installed, "bin", exe);
  }
  const folder = join(cacheDir, `${target.runtimePackage.replace("/", "+")}-${version}`);
  const cached = join(folder, exe);
  if (existsSync(cached)) return cached;

  mkdirSync(cacheDir, { recursive: true });
  const spec = `${target.runtimePackage}@${version}`;
  console.error(`fetching ${spec} from the npm registry`);
  const packed = Bun.spawnSync(["npm", "pack", spec, "--json", "--pack-destination", cacheDir], {
    stderr: "inherit",
  });
  if (!packed.success) throw new Error(`npm pack ${spec} failed`);
  const [info] = JSON.parse(packed.stdout.toString()) as { filename: string }[];
  const tarball = join(cacheDir, info!.filename);
  const actual = `sha512-${createHash("sha512").update(readFileSync(tarball)).digest("base64")}`;
  if (actual !== integrity) {
    rmSync(tarball, { force: true });
    throw new Error(`${spec}: integrity ${actual} does not match package-lock.json (${integrity})`);
  }
  const staging = `${folder}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const member = `package/bin/${exe}`;
  const untar = Bun.spawnSync(["tar", "-xzf", tarball, "-C", staging, member], {
    stderr: "inherit",
  });
  if (!untar.success) throw new Error(`cannot unpack ${member} from ${tarball}`);
  renameSync(join(staging, member), join(staging, exe));
  rmSync(join(staging, "package"), { recursive: true, force: true });
  rmSync(tarball, { force: true });
  rmSync(folder, { recursive: true, force: true });
  renameSync(staging, folder);
  return cached;
}

function installedVersion(folder: string): string | undefined {
  try {
    return JSON.parse(readFileSync(join(folder, "package.json"), "utf8")).version;
  } catch {
    return undefined;
  }
}
