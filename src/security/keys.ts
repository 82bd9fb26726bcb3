import { lookupVariable } from "../config/env.ts";
import { GatewayError } from "../errors.ts";
import type { ApiKeyConfig, AuthConfig } from "./schema.ts";
import { compilePattern } from "./scopes.ts";

/**
 * node:crypto, loaded on first use: `keys list` (run by shell completion) only classifies keys,
 * and the module costs a light command megabytes at start.
 */
let cryptoModule: typeof import("node:crypto") | undefined;
const nodeCrypto = () =>
  (cryptoModule ??= process.getBuiltinModule("node:crypto") as typeof import("node:crypto"));

const HASHED = /^sha256:([0-9a-f]{64})$/i;
const ENV_REF = /^env:([A-Za-z_][A-Za-z0-9_]*)$/;

/** A new random key: `mgw_` and 43 URL-safe characters (256 bits). */
export function generateKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `mgw_${toBase64Url(bytes)}`;
}

/** `sha256:<hex>` of a key, as stored in the config. */
export function hashKey(key: string): string {
  return `sha256:${nodeCrypto().createHash("sha256").update(key).digest("hex")}`;
}

/** How a key is written in the config. */
export function keyKind(written: string): "hash" | "env" | "plaintext" {
  if (HASHED.test(written)) return "hash";
  if (ENV_REF.test(written)) return "env";
  return "plaintext";
}

/** The digest of an `env:` key whose variable is unset while auth is off: no key hashes to it. */
const UNSET_KEY = `sha256:${"0".repeat(64)}`;

/**
 * The warning for a key with both `backends` and `allowed_tools`. They add up here (`backends:
 * [a]` is `allowed_tools: ["a:*"]`); the original gateway required both, so a config written for
 * it reaches more here: the warning says so and gives the patterns that keep the original's
 * meaning (each tool pattern on each listed backend).
 */
function bothBackendsAndTools(key: ApiKeyConfig, index: number): string {
  const narrowed = key.backends.flatMap((backend) =>
    key.allowed_tools.flatMap((pattern) => {
      const colon = pattern.indexOf(":");
      if (colon === -1) return [`${backend}:${pattern}`];
      const reaches = compilePattern(pattern).server.test(backend);
      return reaches ? [`${backend}:${pattern.slice(colon + 1)}`] : [];
    }),
  );
  const quoted = (list: string[]) => list.map((item) => JSON.stringify(item)).join(", ");
  const head = `auth.api_keys[${index}] (${key.name}) has both backends and allowed_tools: here they add up, so it reaches every tool of ${key.backends.join(", ")}, and what ${quoted(key.allowed_tools)} match on any server; the original gateway allowed only those tools, on those backends`;
  return narrowed.length
    ? `${head}: to keep that, write allowed_tools: [${quoted(narrowed)}] and remove backends`
    : `${head}, which is none of them: to keep that, remove the key`;
}

/**
 * Turns every key of the `auth` section into its `sha256:` form, so nothing past config loading
 * holds a usable key (and `config export` cannot print one). `raw` is the section as written,
 * before `${VAR}` expansion, to tell a plaintext key in the file from one read from a variable.
 */
export function resolveAuthKeys(
  auth: AuthConfig,
  raw: unknown,
  env: Record<string, string | undefined>,
  where: string,
  /** Nothing checks the keys (stdio): an unset variable is warned about, as with auth off. */
  keysUnused = false,
): { auth: AuthConfig; warnings: string[] } {
  const warnings: string[] = [];
  const rawKeys =
    (raw as { api_keys?: { key?: unknown; allowed_tools?: unknown }[] } | undefined)?.api_keys ??
    [];
  const resolveOne = (written: string, path: string, rawValue: unknown): string => {
    const hashed = HASHED.exec(written);
    if (hashed) return `sha256:${hashed[1]!.toLowerCase()}`;
    if (written.startsWith("sha256:")) {
      throw new GatewayError(
        "CONFIG_INVALID",
        `${where}: ${path}: "sha256:" must be followed by 64 hex digits (what \`mcp-gateway keys create\` writes)`,
      );
    }
    const ref = ENV_REF.exec(written);
    if (ref) {
      const value = lookupVariable(ref[1]!, env);
      if (!value && (!auth.enabled || keysUnused)) {
        // Unused while auth is off or over stdio (the original reads these only with auth on,
        // over HTTP): a digest no key has, so the entry stays in place and admits nobody.
        warnings.push(
          `${path} is env:${ref[1]}, which is not set: no key matches that entry${keysUnused ? " (unused over stdio)" : " while auth.enabled is false"}`,
        );
        return UNSET_KEY;
      }
      if (!value) {
        // Worded so that no `token: value` shape appears: the logger's redaction would hide it.
        throw new GatewayError(
          "CONFIG_INVALID",
          `${where}: ${path} is env:${ref[1]}, but ${ref[1]} is not set or empty; set ${ref[1]} (or ${ref[1]}_FILE, a file holding it) to the key clients will send as "Authorization: Bearer <key>"`,
        );
      }
      return hashKey(value);
    }
    if (typeof rawValue === "string" && !rawValue.includes("${")) {
      warnings.push(
        `${path} is a plaintext key; write it as \${VARIABLE}, env:NAME or a sha256: hash (mcp-gateway keys create does this)`,
      );
    }
    if (written.length < 16) {
      warnings.push(`${path} is shorter than 16 characters and easy to guess`);
    }
    return hashKey(written);
  };
  const api_keys: ApiKeyConfig[] = auth.api_keys.map((key, index) => {
    const path = `auth.api_keys[${index}].key`;
    if (key.backends.length && key.allowed_tools.length) {
      warnings.push(bothBackendsAndTools(key, index));
    }
    const written = rawKeys[index]?.allowed_tools;
    if (Array.isArray(written) && !written.length && !key.backends.length) {
      warnings.push(
        `auth.api_keys[${index}] (${key.name}) has allowed_tools: [], which here sets no limit (every tool); the original gateway allowed no tool: for that, write denied_tools: ["*"]`,
      );
    }
    return { ...key, key: resolveOne(key.key, path, rawKeys[index]?.key) };
  });
  const rawBearer = (raw as { bearer_token?: unknown } | undefined)?.bearer_token;
  const bearer_token = auth.bearer_token
    ? resolveOne(auth.bearer_token, "auth.bearer_token", rawBearer)
    : undefined;
  return { auth: { ...auth, api_keys, ...(bearer_token ? { bearer_token } : {}) }, warnings };
}

/** The digest bytes of a presented key, to compare with `storedDigest`. */
export function presentedDigest(key: string): Buffer {
  return nodeCrypto().createHash("sha256").update(key).digest();
}

/** The digest bytes of a stored `sha256:<hex>` key. */
export function storedDigest(stored: string): Buffer {
  return Buffer.from(stored.slice("sha256:".length), "hex");
}

/**
 * Compares two SHA-256 digests in constant time. Both sides are digests, so the comparison
 * leaks neither the key's length nor where it first differs.
 */
export function sameDigest(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && nodeCrypto().timingSafeEqual(a, b);
}

function toBase64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}
