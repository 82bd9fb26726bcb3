import { existsSync, type FSWatcher, readFileSync, watch } from "node:fs";
import { basename, dirname } from "node:path";
import type { Env } from "../config/env.ts";
import { errorMessage } from "../errors.ts";
import type { FileChange } from "./backup.ts";
import {
  CLIENTS,
  type ClientFile,
  type ClientId,
  type ClientTransport,
  clientFiles,
  type GatewayTarget,
  isReadOnly,
} from "./clients.ts";
import { otherGatewayEntries, scanClients } from "./discover.ts";
import { rewriteClientText } from "./rewrite.ts";

export interface ExportOptions {
  env: Env;
  /** The clients to point at the gateway; every client when undefined (`--target all`). */
  targets?: ClientId[];
  projectDir?: string;
  gateway: GatewayTarget;
  /** Overrides each client's usual way of reaching the gateway. */
  via?: ClientTransport;
  platform?: NodeJS.Platform;
  /** The name of the gateway's entry in the clients' files (default `mcp-gateway`). */
  entryName?: string;
}

export interface ExportPlan {
  /** The client files `export` keeps pointing at the gateway. */
  files: ClientFile[];
  changes: FileChange[];
  /** Files left alone, with why (unreadable, or laid out so they cannot be edited safely). */
  problems: { path: string; error: string }[];
}

/**
 * The client files to point at the gateway: every existing one of the targets. A client named in
 * `targets` with no file yet gets its first user file created. VS Code's settings.json is left to
 * `setup` (mcp.json is where VS Code keeps servers now).
 */
export function exportFiles(options: ExportOptions): ClientFile[] {
  const all = clientFiles(options.env, options.projectDir, options.platform).filter(
    (file) =>
      !file.serversPath &&
      !file.block &&
      !isReadOnly(file) &&
      (!options.targets || options.targets.includes(file.client)),
  );
  const files = all.filter((file) => existsSync(file.path));
  for (const id of options.targets ?? []) {
    if (files.some((file) => file.client === id)) continue;
    const first = all.find((file) => file.client === id && file.scope === "user");
    if (first) files.push(first);
  }
  return files;
}

/**
 * What writing the gateway's entry into each target file changes; the other servers stay, but
 * an entry that already points at this gateway under another name (the original's `gateway`) is
 * replaced by it.
 */
export function planExport(options: ExportOptions, only?: ClientFile[]): ExportPlan {
  const files = only ?? exportFiles(options);
  const changes: FileChange[] = [];
  const problems: ExportPlan["problems"] = [];
  const scanned = scanClients({
    env: options.env,
    projectDir: options.projectDir,
    platform: options.platform,
    gatewayUrl: options.gateway.url,
  });
  for (const file of files) {
    const client = CLIENTS[file.client];
    const via = client.stdioOnly ? "stdio" : (options.via ?? client.transport);
    try {
      const before = existsSync(file.path) ? readFileSync(file.path, "utf8") : undefined;
      const found = scanned.find((each) => each.file.path === file.path);
      const after = rewriteClientText(
        file,
        before ?? "",
        found ? otherGatewayEntries(found, options.entryName) : [],
        client.gatewayEntry(options.gateway, via),
        options.entryName,
      );
      if (after !== before) changes.push({ path: file.path, before, after });
    } catch (error) {
      problems.push({ path: file.path, error: errorMessage(error) });
    }
  }
  return { files, changes, problems };
}

/**
 * Watches the folders of `files` (editors save by writing a new file and renaming it over the old
 * one, so the file itself cannot be watched) and calls `changed` with a file whose folder reported
 * it, once things are quiet for `settle` ms. Returns a function that stops watching.
 */
export function watchClientFiles(
  files: ClientFile[],
  changed: (file: ClientFile) => void,
  settle = 150,
): () => void {
  const watchers: FSWatcher[] = [];
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const folders = new Map<string, ClientFile[]>();
  for (const file of files) {
    const dir = dirname(file.path);
    folders.set(dir, [...(folders.get(dir) ?? []), file]);
  }
  for (const [dir, inFolder] of folders) {
    if (!existsSync(dir)) continue;
    watchers.push(
      watch(dir, (_event, name) => {
        for (const file of inFolder) {
          if (name && name.toString() !== basename(file.path)) continue;
          clearTimeout(timers.get(file.path));
          timers.set(
            file.path,
            setTimeout(() => changed(file), settle),
          );
        }
      }),
    );
  }
  return () => {
    for (const watcher of watchers) watcher.close();
    for (const timer of timers.values()) clearTimeout(timer);
  };
}
