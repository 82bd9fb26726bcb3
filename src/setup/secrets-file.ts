import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, isAbsolute, join, relative } from "node:path";
import { type Env, parseDotenv } from "../config/env.ts";
import type { FileChange } from "./backup.ts";
import type { MovedSecret } from "./secrets.ts";

/**
 * Where `setup` keeps the secrets it moves out of client files: the user's own
 * `$XDG_CONFIG_HOME/mcp-gateway/secrets.env` (default `~/.config/...`, mode 0600), never beside a
 * config that may live in a project's repository. The config lists it in `env_files`, so every
 * start of the gateway reads it, however it is started (a client's stdio entry carries no `env`).
 */
export function secretsFileOf(env: Env): string {
  const home = env.HOME || homedir();
  return join(env.XDG_CONFIG_HOME || join(home, ".config"), "mcp-gateway", "secrets.env");
}

/** How the config at `configPath` names the secrets file in `env_files`: short where it can. */
export function envFilesEntry(secretsFile: string, configPath: string, env: Env): string {
  if (dirname(secretsFile) === dirname(configPath)) return basename(secretsFile);
  const home = env.HOME || homedir();
  const inside = relative(home, secretsFile);
  return inside && !inside.startsWith("..") && !isAbsolute(inside) ? `~/${inside}` : secretsFile;
}

/** The variables the secrets file already holds (empty when there is none). */
export function readSecretsFile(path: string): Record<string, string> {
  return existsSync(path) ? parseDotenv(readFileSync(path, "utf8")) : {};
}

const HEADER =
  "# Secrets that `mcp-gateway setup` moved out of your AI clients' files. Keep this file private\n" +
  "# (mode 0600); the gateway reads it through env_files in its config.\n";

/**
 * The secrets file with `moved` added: one `NAME='value'` line each, existing lines untouched.
 * A variable it already holds is not written twice. Returns what could not be written (a value
 * holding both quote characters and a line break), which the user must set by hand.
 */
export function secretsFileChange(
  path: string,
  moved: MovedSecret[],
): { change?: FileChange; unwritten: MovedSecret[] } {
  const before = existsSync(path) ? readFileSync(path, "utf8") : undefined;
  const held = before === undefined ? {} : parseDotenv(before);
  const unwritten: MovedSecret[] = [];
  let added = "";
  const done = new Set<string>();
  for (const secret of moved) {
    if (done.has(secret.variable) || held[secret.variable] === secret.value) continue;
    const line = dotenvLine(secret.variable, secret.value);
    if (line === undefined) {
      unwritten.push(secret);
      continue;
    }
    done.add(secret.variable);
    added += line;
  }
  if (!added) return { unwritten };
  const head =
    before === undefined ? HEADER : before.endsWith("\n") || !before ? before : `${before}\n`;
  return { change: { path, before, after: head + added, mode: 0o600, secret: true }, unwritten };
}

/** `NAME='value'` as the gateway's dotenv reader reads it back, byte for byte; else undefined. */
function dotenvLine(name: string, value: string): string | undefined {
  if (/[\r\n]/.test(value)) return undefined;
  if (!value.includes("'")) return `${name}='${value}'\n`;
  // Double quotes keep everything but the two characters `\n`, which they turn into a newline.
  if (!value.includes("\\n")) return `${name}="${value}"\n`;
  return undefined;
}

/** A secrets file's text with every value replaced, for diffs and dry runs. */
export function redactSecretsText(text: string): string {
  return text.replace(/^(\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_.]*\s*=).*$/gm, "$1<redacted>");
}
