import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseYAML } from "confbox";
import type { z } from "zod";
import { formatPath } from "../config/env.ts";
import { type Capability, type ResolveOptions, resolveCapability } from "./resolve.ts";
import { CapabilityFileSchema } from "./schema.ts";

export type LoadResult =
  | { ok: true; source: string; capability: Capability }
  | { ok: false; source: string; errors: string[] };

/** Parses and validates one capability file's text. Every error names the field to fix. */
export function parseCapability(
  text: string,
  source: string,
  options: ResolveOptions = {},
): LoadResult {
  let raw: unknown;
  try {
    raw = parseYAML(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return { ok: false, source, errors: [`cannot parse YAML: ${reason}`] };
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) {
    return { ok: false, source, errors: ["expected a mapping with name, description and rest"] };
  }
  const parsed = CapabilityFileSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      source,
      errors: describeIssues(parsed.error).map((e) => withLine(e, text)),
    };
  }
  const pin = parsed.data.sha256;
  if (pin !== undefined) {
    const actual = pinDigest(text);
    if (
      pin
        .replace(/^sha256:/, "")
        .trim()
        .toLowerCase() !== actual
    ) {
      return {
        ok: false,
        source,
        errors: [
          `sha256: the file changed after it was pinned (the pin says ${pin}, the file hashes to ${actual}); if the change is yours, re-pin it or delete the line`,
        ],
      };
    }
  }
  const resolved = resolveCapability(parsed.data, source, options);
  return resolved.ok
    ? { ok: true, source, capability: resolved.capability }
    : { ok: false, source, errors: resolved.errors.map((error) => withLine(error, text)) };
}

/**
 * An error naming a key (`rest.methd: ...`, `unknown key rest.methd`) with the line of the file
 * it is on, when it can be found: `... (line 7)`. Best effort, for block and flow mappings.
 */
function withLine(error: string, text: string): string {
  const named = /^unknown keys? ([^\s,]+)/.exec(error) ?? /^([A-Za-z_][\w.[\]-]*): /.exec(error);
  if (!named) return error;
  const line = lineOf(text, named[1]!.replace(/\[\d+\]/g, "").split("."));
  return line ? `${error} (line ${line})` : error;
}

/** The 1-based line where the dotted key path is written, if found. */
function lineOf(text: string, path: string[]): number | undefined {
  const lines = text.split(/\r?\n/);
  const indentOf = (line: string) => /^\s*/.exec(line)![0].length;
  let from = 0;
  let to = lines.length;
  let found: number | undefined;
  for (const key of path) {
    const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const block = new RegExp(`^\\s*(?:-\\s+)?["']?${escaped}["']?\\s*:(\\s|$)`);
    const flow = new RegExp(`[{,]\\s*["']?${escaped}["']?\\s*:`);
    let hit: number | undefined;
    for (let i = from; i < to && hit === undefined; i++) {
      const line = lines[i]!;
      if ((i > (found ?? -1) && block.test(line)) || flow.test(line)) hit = i;
    }
    if (hit === undefined) return found === undefined ? undefined : found + 1;
    found = hit;
    // The key's value runs until the next line indented no deeper.
    const indent = indentOf(lines[hit]!);
    from = hit;
    to = hit + 1;
    while (to < lines.length && (!lines[to]!.trim() || indentOf(lines[to]!) > indent)) to++;
  }
  return found === undefined ? undefined : found + 1;
}

/**
 * The original gateway's in-file pin: sha256 (hex) of the file without its top-level
 * `sha256:` lines. Checked beside gateway.lock, which pins the file from outside it.
 */
export function pinDigest(text: string): string {
  return createHash("sha256").update(unpinned(text)).digest("hex");
}

/** `text` pinned as the original's `cap pin` pins it: a first `sha256:` line over the rest. */
export function pinText(text: string): string {
  return `sha256: ${pinDigest(text)}\n${unpinned(text)}`;
}

/** The file without its top-level `sha256:` lines: what its pin is computed over. */
function unpinned(text: string): string {
  return text
    .split(/(?<=\n)/)
    .filter((line) => !line.startsWith("sha256:"))
    .join("");
}

/** Reads and validates one capability file. */
export function loadCapabilityFile(file: string): LoadResult {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    return { ok: false, source: file, errors: [`cannot read: ${(error as Error).message}`] };
  }
  return parseCapability(text, file);
}

/** A path's capability files: the file itself, or every `*.yaml`/`*.yml` below a folder, sorted. */
export function findCapabilityFiles(path: string): string[] {
  const stat = statSync(path);
  if (!stat.isDirectory()) return [path];
  const out: string[] = [];
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    // Dot files are editors' swap files and hidden folders (.git), never capabilities.
    if (entry.name.startsWith(".")) continue;
    const full = join(path, entry.name);
    if (entry.isDirectory()) out.push(...findCapabilityFiles(full));
    else if (/\.ya?ml$/i.test(entry.name)) out.push(full);
  }
  return out.sort();
}

/** One line per issue, each naming its field: `rest.method: Invalid option: ...`. */
function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = formatPath(issue.path);
    if (issue.code === "unrecognized_keys") {
      const keys = issue.keys.map((key) => (path === "(root)" ? key : `${path}.${key}`));
      return `unknown key${keys.length > 1 ? "s" : ""} ${keys.join(", ")}`;
    }
    return path === "(root)" ? issue.message : `${path}: ${issue.message}`;
  });
}

/** `file: field: message; field: message` */
export function formatLoadErrors(result: Extract<LoadResult, { ok: false }>): string {
  return `${result.source}: ${result.errors.join("; ")}`;
}
