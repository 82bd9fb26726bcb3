import { renameSync, statSync, writeFileSync } from "node:fs";
import { COMMIT, VERSION } from "./version.ts";

// What the start-up caches (src/config/cache.ts, src/security/scan-verdicts.ts) share: when they
// are on, and the identity of the code whose results they keep.

/**
 * On in a built binary; off when run from source, where the code under them changes without a
 * new version or binary. `MCP_GATEWAY_START_CACHE=0` turns them off, `=1` on.
 */
export function startCachesOn(env: Record<string, string | undefined>): boolean {
  const flag = env.MCP_GATEWAY_START_CACHE;
  return flag === undefined ? COMMIT !== "dev" : flag === "1";
}

/** The running code: version, commit and the binary file itself (a rebuild is another build). */
export function buildIdentity(): string {
  const binary = statSync(process.execPath);
  return JSON.stringify([VERSION, COMMIT, process.execPath, binary.size, binary.mtimeMs]);
}

/** Written by this user and by no one else: a cache file others could change is not trusted. */
export function ownedByUs(path: string): boolean {
  const stat = statSync(path);
  if (!stat.isFile() || (stat.mode & 0o022) !== 0) return false;
  return process.getuid === undefined || stat.uid === process.getuid();
}

/** Replaces `path` with `text` at once (a temporary file renamed over it), readable by us only. */
export function writePrivately(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode: 0o600 });
  renameSync(temporary, path);
}
