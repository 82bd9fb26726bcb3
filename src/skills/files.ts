import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
} from "node:fs";
import { dirname, extname, join, relative, sep } from "node:path";

/** How big a skill may be: its files are untrusted text served to models. */
export const SKILL_LIMITS = {
  /** One file (1 MiB); a larger one is skipped, with a note. */
  fileBytes: 1024 * 1024,
  /** Every file of one skill together (8 MiB); a larger skill is refused. */
  skillBytes: 8 * 1024 * 1024,
  /** Files in one skill. */
  files: 500,
  /** Folder depth inside a skill. */
  depth: 8,
};

/** One file of a skill, by its path inside the skill's folder (`/`-separated). */
export interface SkillFile {
  path: string;
  size: number;
  mimeType: string;
  /** Served as text (UTF-8, no NUL bytes); otherwise as a base64 blob. */
  text: boolean;
  /** Last modified (ms), so a reload notices an edit that keeps the size. */
  modified: number;
}

const MIME: Record<string, string> = {
  ".md": "text/markdown",
  ".markdown": "text/markdown",
  ".txt": "text/plain",
  ".py": "text/x-python",
  ".sh": "application/x-sh",
  ".bash": "application/x-sh",
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".ts": "text/typescript",
  ".json": "application/json",
  ".yaml": "application/yaml",
  ".yml": "application/yaml",
  ".toml": "application/toml",
  ".html": "text/html",
  ".css": "text/css",
  ".csv": "text/csv",
  ".xml": "application/xml",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".pdf": "application/pdf",
  ".zip": "application/zip",
  ".ttf": "font/ttf",
  ".woff2": "font/woff2",
};

/** The MIME type by extension; unknown extensions are text/plain or octet-stream by content. */
export function mimeTypeOf(path: string, bytes: Uint8Array): { mimeType: string; text: boolean } {
  const text = isText(bytes);
  const known = MIME[extname(path).toLowerCase()];
  if (known) return { mimeType: known, text: text && !isBinaryType(known) };
  return { mimeType: text ? "text/plain" : "application/octet-stream", text };
}

function isBinaryType(mime: string): boolean {
  return /^(image\/(?!svg)|font\/|application\/(pdf|zip|octet-stream))/.test(mime);
}

function isText(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** What walking a skill's folder found: its files, and what was left out and why. */
export interface FolderListing {
  files: SkillFile[];
  skipped: string[];
  /** Set when the skill as a whole is over a limit. */
  refused?: string;
}

/**
 * The regular files under a skill's folder. Symbolic links are never followed (one could point
 * anywhere on the machine) and dot-files (`.git`, `.DS_Store`) are left out; files over
 * `SKILL_LIMITS.fileBytes` are skipped, a skill over `skillBytes` or `files` is refused.
 */
export function listFolder(root: string): FolderListing {
  const files: SkillFile[] = [];
  const skipped: string[] = [];
  let total = 0;
  const walk = (dir: string, depth: number): string | undefined => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      const path = relative(root, full).split(sep).join("/");
      if (entry.name.startsWith(".")) continue;
      if (entry.isSymbolicLink()) {
        skipped.push(`${path}: a symbolic link, not followed (copy the file into the skill)`);
      } else if (entry.isDirectory()) {
        if (depth >= SKILL_LIMITS.depth) {
          skipped.push(`${path}: deeper than ${SKILL_LIMITS.depth} folders`);
          continue;
        }
        const refused = walk(full, depth + 1);
        if (refused) return refused;
      } else if (entry.isFile()) {
        const { size, mtimeMs } = lstatSync(full);
        if (size > SKILL_LIMITS.fileBytes) {
          skipped.push(`${path}: ${size} bytes, over the ${SKILL_LIMITS.fileBytes}-byte limit`);
          continue;
        }
        total += size;
        if (total > SKILL_LIMITS.skillBytes) {
          return `its files are over ${SKILL_LIMITS.skillBytes} bytes together`;
        }
        if (files.length >= SKILL_LIMITS.files) {
          return `it has more than ${SKILL_LIMITS.files} files`;
        }
        const head = readFileNoFollow(full, 8192, true);
        files.push({ path, size, modified: mtimeMs, ...mimeTypeOf(path, head) });
      } else {
        skipped.push(`${path}: not a regular file`);
      }
    }
    return undefined;
  };
  const refused = walk(root, 0);
  files.sort((a, b) => a.path.localeCompare(b.path));
  return { files, skipped, ...(refused ? { refused } : {}) };
}

/**
 * Reads a file without following a symbolic link at its last component, at most `max` bytes
 * (more is an error, or with `truncate` the first `max`). The folders above it are checked by `readInside`.
 */
export function readFileNoFollow(
  path: string,
  max = SKILL_LIMITS.fileBytes,
  truncate = false,
): Uint8Array {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new Error(`${path} is not a regular file`);
    const size = Math.min(stat.size, max + 1);
    const buffer = new Uint8Array(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, buffer, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    if (read > max && !truncate) throw new Error(`${path} is over ${max} bytes`);
    return buffer.subarray(0, Math.min(read, max));
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads `path` (relative, `/`-separated, already one of the skill's listed files) under `root`,
 * refusing anything that resolves outside it: a folder swapped for a link after the listing
 * cannot lead a read elsewhere.
 */
export function readInside(root: string, path: string): Uint8Array {
  const full = join(root, ...path.split("/"));
  const realRoot = realpathSync(root);
  const realParent = realpathSync(dirname(full));
  const inside = relative(realRoot, realParent);
  if (inside.startsWith("..") || inside.startsWith(sep) || (inside && /^[A-Za-z]:/.test(inside))) {
    throw new Error(`${path} is outside the skill's folder`);
  }
  return readFileNoFollow(full);
}
