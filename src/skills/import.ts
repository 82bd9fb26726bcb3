import { randomBytes } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { stringifyYAML } from "confbox";
import { type Fetch, fetchPinned, type Lookup } from "../capabilities/ssrf.ts";
import { readFileNoFollow, readInside, SKILL_LIMITS } from "./files.ts";
import { parseSkillMd } from "./format.ts";
import { loadSkill, SKILL_FILE, type SkillProblem } from "./store.ts";
import { readZip, ZIP_LIMITS } from "./zip.ts";

export interface ImportOptions {
  /** `capabilities.allow_private_networks`: whether a URL may point at loopback or a LAN. */
  allowPrivateNetworks: boolean;
  lookup?: Lookup;
  fetch?: Fetch;
  /** Milliseconds a download may take (default 30 s). */
  timeoutMs?: number;
}

export interface ImportedSkill {
  name: string;
  /** The folder it was stored in. */
  dir: string;
  /** A skill of that name was there before and was replaced. */
  replaced: boolean;
  /** Files left out (links, oversized), each with the reason. */
  skipped: string[];
}

export interface ImportReport {
  imported: ImportedSkill[];
  problems: SkillProblem[];
}

const MAX_REDIRECTS = 5;

/**
 * Imports skills into `root`: from a folder holding SKILL.md (one skill), a folder of skill
 * folders (`~/.claude/skills`: every `<dir>/SKILL.md`), a single SKILL.md, a zip of either, or an
 * http(s) URL of a SKILL.md or a zip. Each skill is copied as data (links never followed, within SKILL_LIMITS) into
 * `<root>/<name>`, replacing one of the same name in one rename. Throws when nothing could be
 * imported; skills that fail beside others that load are reported as problems.
 */
export async function importSkills(
  source: string,
  root: string,
  options: ImportOptions,
): Promise<ImportReport> {
  if (/^https?:\/\//i.test(source)) {
    const url = new URL(source);
    const zipped = /\.zip$/i.test(url.pathname);
    const max = zipped ? ZIP_LIMITS.archiveBytes : SKILL_LIMITS.fileBytes;
    const bytes = await download(url, max, options);
    if (zipped || isZip(bytes)) return importZip(bytes, source, root);
    return { imported: [storeText(root, new TextDecoder().decode(bytes), source)], problems: [] };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) {
    throw new Error(`${source}: only http and https URLs can be imported (or a local path)`);
  }
  if (!existsSync(source)) throw new Error(`${source}: no such file or folder`);
  // The path named on the command line is the user's choice, a link included; links inside it
  // are never followed.
  const real = realpathSync(source);
  if (statSync(real).isFile()) {
    const max = /\.(zip|json)$/i.test(real) ? ZIP_LIMITS.archiveBytes : SKILL_LIMITS.fileBytes;
    const bytes = readFileNoFollow(real, max);
    if (isZip(bytes)) return importZip(bytes, source, root);
    const text = new TextDecoder().decode(bytes);
    const registry = originalRegistry(text);
    if (registry) return importRegistry(registry, root, source);
    return { imported: [storeText(root, text, source)], problems: [] };
  }
  return importFolder(real, root, source);
}

/** One skill as the original gateway's `skills import` keeps it in `~/.mcp-gateway/skills.json`. */
interface OriginalSkill {
  name?: unknown;
  description?: unknown;
  version?: string;
  allowed_tools?: string[];
  triggers?: string[];
  keywords?: string[];
  body?: unknown;
  extra?: Record<string, unknown>;
  source_path?: string;
}

/** The original's registry file (`{schema, skills: {name: skill}}`), or undefined for any other text. */
function originalRegistry(text: string): Record<string, OriginalSkill> | undefined {
  if (!/^\s*\{/.test(text)) return undefined;
  try {
    const parsed = JSON.parse(text) as { skills?: unknown };
    const skills = parsed?.skills;
    return skills && typeof skills === "object" && !Array.isArray(skills)
      ? (skills as Record<string, OriginalSkill>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The original's registry: each skill from the folder it was imported from when that still holds
 * its SKILL.md (its other files come along), else written back as a SKILL.md from what the
 * registry kept (frontmatter and body). A skill that does not load is a problem beside the rest.
 */
function importRegistry(
  skills: Record<string, OriginalSkill>,
  root: string,
  source: string,
): ImportReport {
  const report: ImportReport = { imported: [], problems: [] };
  for (const [key, skill] of Object.entries(skills)) {
    const path = `${source}#${key}`;
    try {
      const folder = skill.source_path ? dirname(skill.source_path) : undefined;
      if (folder && existsSync(join(folder, SKILL_FILE))) {
        report.imported.push(storeFolder(root, folder));
        continue;
      }
      const frontmatter = {
        ...(skill.extra ?? {}),
        name: skill.name ?? key,
        description: skill.description,
        ...(skill.allowed_tools?.length ? { "allowed-tools": skill.allowed_tools } : {}),
        ...(skill.triggers?.length ? { triggers: skill.triggers } : {}),
        ...(skill.keywords?.length ? { keywords: skill.keywords } : {}),
        ...(skill.version ? { metadata: { version: skill.version } } : {}),
      };
      const body = typeof skill.body === "string" ? skill.body : "";
      const yaml = stringifyYAML(frontmatter, { indent: 2 }).replace(/\n?$/, "\n");
      const text = `---\n${yaml}---\n${body}`;
      report.imported.push(storeText(root, text, path));
    } catch (error) {
      report.problems.push({ path, message: (error as Error).message });
    }
  }
  if (!report.imported.length) {
    throw new Error(
      report.problems.map((p) => p.message).join("\n") || `${source}: the registry holds no skills`,
    );
  }
  return report;
}

/** A folder holding SKILL.md, or a folder of skill folders. */
function importFolder(real: string, root: string, source: string): ImportReport {
  if (existsSync(join(real, SKILL_FILE))) {
    return { imported: [storeFolder(root, real)], problems: [] };
  }
  const report: ImportReport = { imported: [], problems: [] };
  for (const entry of readdirSync(real, { withFileTypes: true })) {
    const dir = join(real, entry.name);
    if (entry.isSymbolicLink() && existsSync(join(dir, SKILL_FILE))) {
      const message = `${dir}: a symbolic link, not followed; import what it points to: mcp-gateway skills import ${realpathSync(dir)}`;
      report.problems.push({ path: dir, message });
      continue;
    }
    if (entry.name.startsWith(".") || !entry.isDirectory()) continue;
    if (!existsSync(join(dir, SKILL_FILE))) continue;
    try {
      report.imported.push(storeFolder(root, dir));
    } catch (error) {
      report.problems.push({ path: dir, message: (error as Error).message });
    }
  }
  if (!report.imported.length && !report.problems.length) {
    throw new Error(
      `${source}: no ${SKILL_FILE} in it or in its sub-folders (a skill is a folder with a ${SKILL_FILE})`,
    );
  }
  if (!report.imported.length) {
    throw new Error(report.problems.map((p) => p.message).join("\n"));
  }
  return report;
}

const isZip = (bytes: Uint8Array) =>
  bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 3 && bytes[3] === 4;

/**
 * A zip of one skill or of several (each `<name>/SKILL.md`, or one at the top): unpacked into a
 * private temporary folder (entry paths checked, links left out), then imported as a folder.
 */
function importZip(bytes: Uint8Array, source: string, root: string): ImportReport {
  const { files, skipped } = readZip(bytes, source);
  const scratch = mkdtempSync(join(tmpdir(), "mcpgw-skill-zip-"));
  try {
    for (const file of files) {
      const target = join(scratch, ...file.path.split("/"));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, file.bytes, { mode: 0o600 });
    }
    const named = (text: string) => text.replaceAll(scratch, `${source}!`);
    let report: ImportReport;
    try {
      report = importFolder(scratch, root, source);
    } catch (error) {
      throw new Error(named((error as Error).message));
    }
    return {
      imported: report.imported.map((skill) => ({ ...skill, skipped: skill.skipped.map(named) })),
      problems: [
        ...skipped.map((note) => ({ path: source, message: `${source}: skipped ${note}` })),
        ...report.problems.map((p) => ({ path: named(p.path), message: named(p.message) })),
      ],
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** A skill folder, validated and copied file by file. */
function storeFolder(root: string, dir: string): ImportedSkill {
  const loaded = loadSkill(dir);
  if (!loaded.ok) throw new Error(loaded.message);
  const { skill } = loaded;
  const entries = skill.files.map((file) => [file.path, readInside(dir, file.path)] as const);
  return { ...write(root, skill.name, entries), skipped: skill.skipped };
}

/** A lone SKILL.md (a file or a download), validated and stored as a skill with one file. */
function storeText(root: string, text: string, source: string): ImportedSkill {
  const parsed = parseSkillMd(text, source);
  if (!parsed.ok) throw new Error(parsed.message);
  const name = parsed.skill.frontmatter.name;
  return {
    ...write(root, name, [[SKILL_FILE, new TextEncoder().encode(text)]]),
    skipped: [],
  };
}

/** Writes a skill beside the others in a hidden folder, then renames it into place. */
function write(
  root: string,
  name: string,
  entries: (readonly [string, Uint8Array])[],
): Omit<ImportedSkill, "skipped"> {
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const token = randomBytes(4).toString("hex");
  const staging = join(root, `.import-${name}-${token}`);
  const target = join(root, name);
  try {
    for (const [path, bytes] of entries) {
      const file = join(staging, ...path.split("/"));
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, bytes, { mode: 0o600 });
    }
    const replaced = existsSync(target);
    const old = join(root, `.replaced-${name}-${token}`);
    if (replaced) renameSync(target, old);
    renameSync(staging, target);
    if (replaced) rmSync(old, { recursive: true, force: true });
    return { name, dir: target, replaced };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Downloads a SKILL.md or a zip through the capabilities' SSRF guard (every redirect checked
 * again), at most `max` bytes.
 */
async function download(url: URL, max: number, options: ImportOptions): Promise<Uint8Array> {
  const signal = AbortSignal.timeout(options.timeoutMs ?? 30_000);
  let target = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const response = await fetchPinned(
      target,
      { signal, headers: { accept: "text/markdown, text/plain, */*" } },
      options,
    );
    if (!(response instanceof Response)) throw new Error(`${target}: refused: ${response.refused}`);
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      target = new URL(location, target);
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`${target}: HTTP ${response.status}; expected a ${SKILL_FILE}`);
    }
    return readCapped(response, target, max);
  }
  throw new Error(`${url}: more than ${MAX_REDIRECTS} redirects`);
}

async function readCapped(response: Response, url: URL, max: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length") ?? 0);
  const tooBig = () => new Error(`${url}: over ${max} bytes; refused`);
  if (declared > max) {
    await response.body?.cancel();
    throw tooBig();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw tooBig();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}
