import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type {
  OAuthDiscoveryState,
  StoredOAuthClientInformation,
  StoredOAuthTokens,
} from "../../mcp/sdk.ts";
import { makePrivate, writeFileAtomic } from "../../state/store.ts";

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
  writeFileAtomic(oauthFile(stateDir, backend), JSON.stringify(record));
}

/** Forgets a backend's login; false when there was none. */
export function removeRecord(stateDir: string, backend: string): boolean {
  const file = oauthFile(stateDir, backend);
  if (!existsSync(file)) return false;
  rmSync(file);
  return true;
}

/** The original gateway's token folder under a home folder (its `TokenStorage::default_location`). */
export function originalOAuthDir(home: string | undefined): string | undefined {
  return home ? join(home, ".mcp-gateway", "oauth") : undefined;
}

/**
 * The login the original gateway keeps for `backend` at `url` in `dir`, as a record of ours:
 * `<key>_tokens.json` (`access_token`, `refresh_token`, `expires_at` in epoch seconds, ...) and
 * the client it registered in `<key>_client.json` (a JSON string), where `key` is the first 8
 * bytes, in hex, of sha256 of `backend:url`. Undefined when there is none or it does not parse.
 */
export function readOriginalLogin(
  dir: string,
  backend: string,
  url: string,
): OAuthRecord | undefined {
  const key = createHash("sha256").update(`${backend}:${url}`).digest("hex").slice(0, 16);
  const tokensFile = join(dir, `${key}_tokens.json`);
  if (!existsSync(tokensFile)) return undefined;
  try {
    const saved = JSON.parse(readFileSync(tokensFile, "utf8")) as {
      access_token?: unknown;
      token_type?: string;
      refresh_token?: string | null;
      expires_at?: number | null;
      scope?: string | null;
      client_id?: string | null;
      client_secret?: string | null;
    };
    if (typeof saved.access_token !== "string" || !saved.access_token) return undefined;
    const clientFile = join(dir, `${key}_client.json`);
    const registered = existsSync(clientFile)
      ? (JSON.parse(readFileSync(clientFile, "utf8")) as unknown)
      : undefined;
    const clientId = typeof registered === "string" ? registered : saved.client_id;
    return {
      url,
      tokens: {
        access_token: saved.access_token,
        token_type: saved.token_type ?? "Bearer",
        ...(saved.refresh_token ? { refresh_token: saved.refresh_token } : {}),
        ...(saved.scope ? { scope: saved.scope } : {}),
      },
      ...(clientId
        ? {
            client: {
              client_id: clientId,
              ...(saved.client_secret ? { client_secret: saved.client_secret } : {}),
            },
          }
        : {}),
      ...(saved.expires_at ? { expiresAt: saved.expires_at * 1000 } : {}),
      savedAt: Date.now(),
    };
  } catch {
    return undefined;
  }
}
