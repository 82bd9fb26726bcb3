import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type {
  OAuthDiscoveryState,
  StoredOAuthClientInformation,
  StoredOAuthTokens,
} from "../../mcp/sdk.ts";
import { makePrivate } from "../../state/store.ts";

/**
 * What the gateway keeps of one backend's login, in `<state>/oauth/<backend>.json` (0600 in a
 * 0700 folder). Bound to the backend's URL: a record made for another URL reads as empty.
 */
export interface OAuthRecord {
  url: string;
  /** The client the gateway registered (RFC 7591); a configured `client_id` is never stored. */
  client?: StoredOAuthClientInformation;
  /** The issuer a configured `client_id` was bound to at its first use. */
  clientIssuer?: string;
  tokens?: StoredOAuthTokens;
  /** Epoch ms at which the access token expires (from `expires_in` at save time). */
  expiresAt?: number;
  savedAt?: number;
  verifier?: string;
  discovery?: OAuthDiscoveryState;
}

export function oauthFile(stateDir: string, backend: string): string {
  return join(stateDir, "oauth", `${backend}.json`);
}

/** The stored record for `backend` at `url`, or an empty one. */
export function readRecord(stateDir: string, backend: string, url: string): OAuthRecord {
  const file = oauthFile(stateDir, backend);
  if (!existsSync(file)) return { url };
  try {
    const record = JSON.parse(readFileSync(file, "utf8")) as OAuthRecord;
    return record.url === url ? record : { url };
  } catch {
    return { url };
  }
}

/** Writes atomically (a temp file renamed over), 0600 from the first byte. */
export function writeRecord(stateDir: string, backend: string, record: OAuthRecord): void {
  const dir = join(stateDir, "oauth");
  makePrivate(stateDir);
  makePrivate(dir);
  const file = oauthFile(stateDir, backend);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(record), { mode: 0o600 });
  renameSync(temp, file);
}

/** Forgets a backend's login; false when there was none. */
export function removeRecord(stateDir: string, backend: string): boolean {
  const file = oauthFile(stateDir, backend);
  if (!existsSync(file)) return false;
  rmSync(file);
  return true;
}
