import { existsSync, readFileSync } from "node:fs";

export type Env = Record<string, string | undefined>;

/** A `${VAR}` that had no value and no default, with where it was used. */
export interface MissingVariable {
  path: (string | number)[];
  name: string;
}

export interface ExpandResult<T> {
  value: T;
  missing: MissingVariable[];
}

const PATTERN = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** The variables of the dotenv files at `paths` that exist, in order (a later file wins). */
export function readDotenvFiles(paths: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const path of paths) {
    if (existsSync(path)) Object.assign(out, parseDotenv(readFileSync(path, "utf8")));
  }
  return out;
}

/** Looks up a variable; `VAR_FILE` (a path) is read when `VAR` itself is unset, as Docker secrets do. */
export function lookupVariable(name: string, env: Env): string | undefined {
  const direct = env[name];
  if (direct !== undefined) return direct;
  const file = env[`${name}_FILE`];
  if (file === undefined) return undefined;
  return readFileSync(file, "utf8").replace(/\r?\n$/, "");
}

/** Expands `${VAR}` and `${VAR:-default}` in one string; `$${` stays a literal `${`. */
export function expandString(text: string, env: Env, onMissing: (name: string) => void): string {
  return text.replace(PATTERN, (whole, name: string | undefined, fallback: string | undefined) => {
    if (whole === "$${") return "${";
    const value = lookupVariable(name!, env);
    if (value !== undefined && value !== "") return value;
    if (fallback !== undefined) return fallback;
    if (value === "") return "";
    onMissing(name!);
    return "";
  });
}

/** Expands variables in every string of a parsed config tree (keys are left alone). */
export function expandTree<T>(tree: T, env: Env): ExpandResult<T> {
  const missing: MissingVariable[] = [];
  const walk = (node: unknown, path: (string | number)[]): unknown => {
    if (typeof node === "string") {
      return expandString(node, env, (name) => missing.push({ path, name }));
    }
    if (Array.isArray(node)) return node.map((item, index) => walk(item, [...path, index]));
    if (node && typeof node === "object") {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(node)) out[key] = walk(value, [...path, key]);
      return out;
    }
    return node;
  };
  return { value: walk(tree, []) as T, missing };
}

/** `backends.github.args[1]` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || "(root)";
}

/** Parses a dotenv file's text: `KEY=value`, `export KEY=value`, quotes, `#` comments. */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    let value = match[2]!;
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length > 1) {
      value = value.slice(1, -1);
      if (quote === '"') value = value.replace(/\\n/g, "\n");
    } else {
      value = value.replace(/\s+#.*$/, "");
    }
    out[match[1]!] = value;
  }
  return out;
}
