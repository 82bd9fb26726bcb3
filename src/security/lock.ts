import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createTwoFilesPatch } from "diff";
import type { ResolvedConfig } from "../config/load.ts";
import type { Tool } from "../mcp/sdk.ts";
import { defaultStateDir } from "../state/store.ts";
import {
  canonicalJson,
  compareTools,
  LISTED_KINDS,
  type ListedKind,
  type LockableTool,
  type LockFile,
  listedDigest,
  listedKey,
  listedView,
  lockedView,
  type ToolChanges,
  toolDigest,
} from "./pins.ts";

/** A backend's prompts, resources and templates as listed, by kind (absent: not offered). */
export type Listed = Partial<Record<ListedKind, Record<string, unknown>[]>>;

/** What the backends serve now, as `lock` sees it. */
export interface Observed {
  tools: Record<string, Tool[]>;
  capabilities: Record<string, string>;
  /** Backends that could not be listed, with the reason. */
  failed: Record<string, string>;
  /** Each backend's prompts, resources and templates. */
  listed?: Record<string, Listed>;
  /** Each backend's MCP App pages: `ui://` URI -> digest of its contents. */
  apps?: Record<string, Record<string, string>>;
}

/** A lock of everything observed. */
export function lockOf(observed: Observed): LockFile {
  const backends: LockFile["backends"] = {};
  for (const [server, tools] of Object.entries(observed.tools)) {
    backends[server] = Object.fromEntries(tools.map((tool) => [tool.name, toolDigest(tool)]));
  }
  const lock: LockFile = { version: 1, backends, capabilities: { ...observed.capabilities } };
  for (const [server, listed] of Object.entries(observed.listed ?? {})) {
    for (const [kind, entries] of Object.entries(listed) as [ListedKind, Listed[ListedKind]][]) {
      const section = LISTED_KINDS[kind].section;
      lock[section] ??= {};
      lock[section][server] = Object.fromEntries(
        (entries ?? []).map((entry) => [listedKey(kind, entry), listedDigest(kind, entry)]),
      );
    }
  }
  for (const [server, pages] of Object.entries(observed.apps ?? {})) {
    lock.apps ??= {};
    lock.apps[server] = { ...pages };
  }
  return lock;
}

/**
 * How a backend's listed entries of one kind differ from their pins, named `<kind>:<key>` (as
 * findings are): `removed` only when `complete` (a whole list, not one page of it).
 */
export function compareListed(
  kind: ListedKind,
  pinned: Record<string, string> | undefined,
  entries: Record<string, unknown>[],
  complete = true,
): ToolChanges {
  const changes: ToolChanges = { changed: [], added: [], removed: [] };
  const seen = new Set<string>();
  for (const entry of entries) {
    const key = listedKey(kind, entry);
    seen.add(key);
    const pin = pinned?.[key];
    if (pin === undefined) changes.added.push(`${kind}:${key}`);
    else if (pin !== listedDigest(kind, entry)) changes.changed.push(`${kind}:${key}`);
  }
  if (complete) {
    for (const key of Object.keys(pinned ?? {})) {
      if (!seen.has(key)) changes.removed.push(`${kind}:${key}`);
    }
  }
  return changes;
}

export interface LockDiff {
  backends: Record<string, ToolChanges>;
  /** Prompts, resources and templates, per backend, named `<kind>:<key>`. */
  listed: Record<string, ToolChanges>;
  /** MCP App pages, per backend, by `ui://` URI. */
  apps: Record<string, ToolChanges>;
  capabilities: ToolChanges;
  /** Backends in the lock that are no longer configured. */
  goneBackends: string[];
}

/** How what is served differs from a lock. */
export function diffLock(lock: LockFile | undefined, observed: Observed): LockDiff {
  const backends: Record<string, ToolChanges> = {};
  for (const [server, tools] of Object.entries(observed.tools)) {
    const changes = compareTools(lock?.backends[server], tools);
    if (changes.changed.length || changes.added.length || changes.removed.length) {
      backends[server] = changes;
    }
  }
  const listed: Record<string, ToolChanges> = {};
  for (const [server, kinds] of Object.entries(observed.listed ?? {})) {
    const all: ToolChanges = { changed: [], added: [], removed: [] };
    for (const [kind, entries] of Object.entries(kinds) as [ListedKind, Listed[ListedKind]][]) {
      const changes = compareListed(
        kind,
        lock?.[LISTED_KINDS[kind].section]?.[server],
        entries ?? [],
      );
      all.changed.push(...changes.changed);
      all.added.push(...changes.added);
      all.removed.push(...changes.removed);
    }
    if (all.changed.length || all.added.length || all.removed.length) listed[server] = all;
  }
  const apps: Record<string, ToolChanges> = {};
  for (const [server, pages] of Object.entries(observed.apps ?? {})) {
    const pinned = lock?.apps?.[server] ?? {};
    const changes: ToolChanges = { changed: [], added: [], removed: [] };
    for (const [uri, digest] of Object.entries(pages)) {
      if (pinned[uri] === undefined) changes.added.push(uri);
      else if (pinned[uri] !== digest) changes.changed.push(uri);
    }
    for (const uri of Object.keys(pinned)) if (!(uri in pages)) changes.removed.push(uri);
    if (changes.changed.length || changes.added.length || changes.removed.length) {
      apps[server] = changes;
    }
  }
  const capabilities: ToolChanges = { changed: [], added: [], removed: [] };
  for (const [file, digest] of Object.entries(observed.capabilities)) {
    const pinned = lock?.capabilities[file];
    if (pinned === undefined) capabilities.added.push(file);
    else if (pinned !== digest) capabilities.changed.push(file);
  }
  for (const file of Object.keys(lock?.capabilities ?? {})) {
    if (!(file in observed.capabilities)) capabilities.removed.push(file);
  }
  const goneBackends = Object.keys(lock?.backends ?? {}).filter(
    (server) => !(server in observed.tools) && !(server in observed.failed),
  );
  return { backends, listed, apps, capabilities, goneBackends };
}

export function isEmptyDiff(diff: LockDiff): boolean {
  const { changed, added, removed } = diff.capabilities;
  return (
    !Object.keys(diff.backends).length &&
    !Object.keys(diff.listed).length &&
    !Object.keys(diff.apps).length &&
    !changed.length &&
    !added.length &&
    !removed.length &&
    !diff.goneBackends.length
  );
}

/**
 * Copies of locked definitions, by digest, in the state folder: the lock holds only digests,
 * and these let `lock diff` show what exactly changed. Content-addressed, so a tampered copy is
 * detected (and ignored) by re-digesting it.
 */
export function snapshotDir(config: ResolvedConfig): string {
  return join(config.state_dir ?? defaultStateDir(), "lock-snapshots");
}

export function saveSnapshots(dir: string, observed: Observed): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const views: LockableTool[] = Object.values(observed.tools).flat();
    for (const listed of Object.values(observed.listed ?? {})) {
      for (const [kind, entries] of Object.entries(listed) as [ListedKind, Listed[ListedKind]][]) {
        for (const entry of entries ?? []) views.push(listedView(kind, entry));
      }
    }
    for (const view of views) {
      const file = join(dir, `${toolDigest(view).slice("sha256:".length)}.json`);
      if (!existsSync(file)) {
        writeFileSync(file, canonicalJson(lockedView(view)), { mode: 0o600 });
      }
    }
  } catch {
    // Snapshots only make diffs nicer; a read-only state folder must not stop `lock`.
  }
}

function loadSnapshot(dir: string, digest: string): Record<string, unknown> | undefined {
  const file = join(dir, `${digest.slice("sha256:".length)}.json`);
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, "utf8");
  try {
    const view = JSON.parse(text);
    return toolDigest(view) === digest ? view : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A unified diff of one tool's (or listed entry's locked view's) locked and current definitions,
 * when the locked one is known; `label` names it (`server:tool` by default).
 */
export function toolPatch(
  dir: string,
  server: string,
  locked: string,
  tool: Tool | LockableTool,
  label = `${server}:${tool.name}`,
): string | undefined {
  const before = loadSnapshot(dir, locked);
  if (!before) return undefined;
  const pretty = (value: unknown) =>
    `${JSON.stringify(JSON.parse(canonicalJson(value)), null, 2)}\n`;
  return createTwoFilesPatch(
    `${label} (locked)`,
    `${label} (now)`,
    pretty(before),
    pretty(lockedView(tool)),
    "",
    "",
    { context: 3 },
  );
}
