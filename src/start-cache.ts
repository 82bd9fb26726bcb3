import { statSync } from "node:fs";
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
