import { createHash } from "node:crypto";

const MAX = 64;

/** A tool name within `[A-Za-z0-9_.-]` and 64 characters (past that: 55 + `_` + 8 hex of sha256). */
export function toToolName(raw: string): string {
  const clean = raw
    .replace(/[^A-Za-z0-9_.-]+/g, "_")
    .replace(/_+/g, "_")
    .replace(/^[_.-]+|[_.-]+$/g, "");
  const name = clean || "operation";
  if (name.length <= MAX) return name;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 8);
  return `${name.slice(0, 55)}_${hash}`;
}

/**
 * An operation's part of a capability name, as the original gateway's import writes it: lowercased,
 * every character but letters, digits and `_` made `_` (`listPets` -> `listpets`,
 * `pets.Get-One` -> `pets_get_one`), so re-imported names and the usage counts carried over match.
 */
export function operationName(raw: string): string {
  return raw.toLowerCase().replace(/[^a-z0-9_]+/g, "_");
}

/** Makes names unique by suffixing `_2`, `_3`, ... (still within 64 characters). */
export function uniqueName(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let n = 2; taken.has(candidate); n++) {
    const suffix = `_${n}`;
    candidate = `${name.slice(0, MAX - suffix.length)}${suffix}`;
  }
  taken.add(candidate);
  return candidate;
}

/** An argument name usable in a `{placeholder}`: letters, digits, `_`, `.`, `-`. */
export function toArgName(raw: string): string {
  const clean = raw.replace(/[^A-Za-z0-9_.-]+/g, "_").replace(/^[.-]+/, "");
  return clean || "arg";
}

/** `Swagger Petstore` -> `SWAGGER_PETSTORE`: a prefix for environment variable names. */
export function toEnvPrefix(raw: string): string {
  const words = raw
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, " ")
    .trim()
    .split(" ")
    .filter(Boolean)
    .slice(0, 3);
  const joined = words.join("_");
  return /^[A-Z]/.test(joined) ? joined : `API_${joined || "KEY"}`;
}
