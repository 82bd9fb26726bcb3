import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createTwoFilesPatch } from "diff";
import { standalonePool } from "../backends/pool.ts";
import type { ResolvedConfig } from "../config/load.ts";
import { errorMessage } from "../errors.ts";
import type { Tool } from "../mcp/sdk.ts";
import { defaultStateDir } from "../state/store.ts";
import { capabilityFiles } from "./guard.ts";
import {
  canonicalJson,
  capabilityDigests,
  compareTools,
  type LockFile,
  lockedView,
  type ToolChanges,
  toolDigest,
} from "./pins.ts";

/** What the backends serve now, as `lock` sees it. */
export interface Observed {
  tools: Record<string, Tool[]>;
  capabilities: Record<string, string>;
  /** Backends that could not be listed, with the reason. */
  failed: Record<string, string>;
}

/**
 * Connects to every enabled backend itself (no gateway needs to be running), lists its tools,
 * and digests every capability file. Stdio backends are started and stopped again.
 */
export async function observe(
  config: ResolvedConfig,
  lockPath: string,
  env: Record<string, string | undefined> = process.env,
): Promise<Observed> {
  const pool = standalonePool(config, env);
  const observed: Observed = { tools: {}, capabilities: {}, failed: {} };
  try {
    await Promise.all(
      config.backends
        .filter((backend) => backend.enabled)
        .map(async (backend) => {
          if (backend.configError) {
            observed.failed[backend.name] = backend.configError;
            return;
          }
          try {
            observed.tools[backend.name] = await pool.refresh(backend.name);
          } catch (error) {
            observed.failed[backend.name] = errorMessage(error);
          }
        }),
    );
  } finally {
    await pool.close();
  }
  observed.capabilities = capabilityDigests(capabilityFiles(config), lockPath);
  return observed;
}

/** A lock of everything observed. */
export function lockOf(observed: Observed): LockFile {
  const backends: LockFile["backends"] = {};
  for (const [server, tools] of Object.entries(observed.tools)) {
    backends[server] = Object.fromEntries(tools.map((tool) => [tool.name, toolDigest(tool)]));
  }
  return { version: 1, backends, capabilities: { ...observed.capabilities } };
}

export interface LockDiff {
  backends: Record<string, ToolChanges>;
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
  return { backends, capabilities, goneBackends };
}

export function isEmptyDiff(diff: LockDiff): boolean {
  const { changed, added, removed } = diff.capabilities;
  return (
    !Object.keys(diff.backends).length &&
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
    for (const tools of Object.values(observed.tools)) {
      for (const tool of tools) {
        const file = join(dir, `${toolDigest(tool).slice("sha256:".length)}.json`);
        if (!existsSync(file)) {
          writeFileSync(file, canonicalJson(lockedView(tool)), { mode: 0o600 });
        }
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

/** A unified diff of one tool's locked and current definitions, when the locked one is known. */
export function toolPatch(
  dir: string,
  server: string,
  locked: string,
  tool: Tool,
): string | undefined {
  const before = loadSnapshot(dir, locked);
  if (!before) return undefined;
  const pretty = (value: unknown) =>
    `${JSON.stringify(JSON.parse(canonicalJson(value)), null, 2)}\n`;
  return createTwoFilesPatch(
    `${server}:${tool.name} (locked)`,
    `${server}:${tool.name} (now)`,
    pretty(before),
    pretty(lockedView(tool)),
    "",
    "",
    { context: 3 },
  );
}
