import { createHash } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, join } from "node:path";
import type { Env } from "../config/env.ts";
import { GatewayError } from "../errors.ts";

/** One file a command is about to write. */
export interface FileChange {
  path: string;
  /** The text before; undefined when the file does not exist yet. */
  before?: string;
  after: string;
  /** Permissions to give the file (0o600 for a file holding secrets). */
  mode?: number;
  /** Holds secret values: diffs show it redacted. */
  secret?: boolean;
}

export interface BackedUpFile {
  path: string;
  /** False when the command created the file: restoring removes it. */
  existed: boolean;
  /** The copy's name inside the backup folder. */
  copy?: string;
  /** sha256 of what the command wrote, to notice later edits before restoring. */
  written: string;
}

export interface BackupSet {
  id: string;
  created: string;
  command: string;
  files: BackedUpFile[];
  restored?: string;
  /** The folder holding the manifest and the copies. */
  dir: string;
}

/** `$XDG_STATE_HOME/mcp-gateway/backups` (else `~/.local/state/mcp-gateway/backups`). */
export function backupRoot(env: Env): string {
  const home = env.HOME || homedir();
  const state = env.XDG_STATE_HOME || join(home, ".local", "state");
  return join(state, "mcp-gateway", "backups");
}

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

/**
 * Copies every existing file of `changes` byte for byte into a new backup folder, records the
 * set, then writes the changes. Nothing is written unless every copy was made.
 */
export function writeWithBackup(changes: FileChange[], env: Env, command: string): BackupSet {
  const root = backupRoot(env);
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  let id = stamp;
  for (let n = 2; existsSync(join(root, id)); n++) id = `${stamp}-${n}`;
  const dir = join(root, id);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = changes.map((change, index): BackedUpFile => {
    const existed = existsSync(change.path);
    const copy = existed ? `${index}-${basename(change.path)}` : undefined;
    if (copy) copyFileSync(change.path, join(dir, copy));
    return { path: change.path, existed, copy, written: sha256(change.after) };
  });
  const set: BackupSet = { id, created: new Date().toISOString(), command, files, dir };
  writeManifest(set);
  for (const change of changes) {
    mkdirSync(dirname(change.path), { recursive: true });
    // Created with its mode, so a secret is never readable by others, even for a moment.
    writeFileSync(change.path, change.after, change.mode ? { mode: change.mode } : {});
    if (change.mode) chmodSync(change.path, change.mode);
  }
  return set;
}

function writeManifest(set: BackupSet): void {
  const { dir, ...manifest } = set;
  writeFileSync(join(dir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`, {
    mode: 0o600,
  });
}

/** Every backup set, newest first. */
export function listBackups(env: Env): BackupSet[] {
  const root = backupRoot(env);
  if (!existsSync(root)) return [];
  const sets: BackupSet[] = [];
  for (const id of readdirSync(root)) {
    const manifest = join(root, id, "manifest.json");
    if (!existsSync(manifest)) continue;
    const data = JSON.parse(readFileSync(manifest, "utf8")) as Omit<BackupSet, "dir">;
    sets.push({ ...data, dir: join(root, id) });
  }
  return sets.sort((a, b) => (a.id < b.id ? 1 : -1));
}

export interface RestoreResult {
  path: string;
  action: "restored" | "removed" | "unchanged";
}

/**
 * Puts a backup set back: each file gets its copy again, and files the command created are
 * removed. A file edited since the command wrote it is only overwritten with `force`.
 */
export function restoreBackup(
  set: BackupSet,
  options: { force?: boolean; dryRun?: boolean } = {},
): RestoreResult[] {
  const edited = set.files.filter((file) => {
    if (!existsSync(file.path)) return file.existed;
    return sha256(readFileSync(file.path)) !== file.written;
  });
  if (edited.length > 0 && !options.force) {
    throw new GatewayError(
      "CONFIG_INVALID",
      `changed since setup wrote them: ${edited.map((file) => file.path).join(", ")}; pass --force to restore anyway`,
    );
  }
  const results: RestoreResult[] = [];
  for (const file of set.files) {
    if (file.existed && file.copy) {
      if (!options.dryRun) {
        mkdirSync(dirname(file.path), { recursive: true });
        copyFileSync(join(set.dir, file.copy), file.path);
      }
      results.push({ path: file.path, action: "restored" });
    } else if (existsSync(file.path)) {
      if (!options.dryRun) rmSync(file.path);
      results.push({ path: file.path, action: "removed" });
    } else {
      results.push({ path: file.path, action: "unchanged" });
    }
  }
  if (!options.dryRun) {
    set.restored = new Date().toISOString();
    writeManifest(set);
  }
  return results;
}

/** The text of a backed-up copy (for `--dry-run` diffs). */
export function backupText(set: BackupSet, file: BackedUpFile): string | undefined {
  return file.copy ? readFileSync(join(set.dir, file.copy), "utf8") : undefined;
}
