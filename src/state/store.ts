import { mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { logger } from "../logger.ts";
import type { Tool } from "../mcp/sdk.ts";

/** A backend's tool list as last seen, with the config fingerprint it was listed under. */
export interface CachedTools {
  fingerprint: string;
  tools: Tool[];
  updatedAt: number;
}

/** What the gateway keeps across restarts. One seam: SQLite on disk (bun:sqlite, node:sqlite under Deno), or memory. */
export interface StateStore {
  readonly path?: string;
  getTools(server: string): CachedTools | undefined;
  setTools(server: string, entry: CachedTools): void;
  close(): void;
}

/** `$XDG_STATE_HOME/mcp-gateway`, else `~/.local/state/mcp-gateway`. */
export function defaultStateDir(env: Record<string, string | undefined> = process.env): string {
  const base = env.XDG_STATE_HOME || join(env.HOME || homedir(), ".local", "state");
  return join(base, "mcp-gateway");
}

/** Keeps state in memory only (tests, read-only disks). */
export function createMemoryStore(): StateStore {
  const tools = new Map<string, CachedTools>();
  return {
    getTools: (server) => tools.get(server),
    setTools: (server, entry) => void tools.set(server, entry),
    close() {},
  };
}

/**
 * Opens the state database in `dir`. When the folder is not writable (or SQLite is missing, as
 * in some runtimes) it warns once and keeps state in memory.
 */
export async function openStateStore(dir: string): Promise<StateStore> {
  try {
    mkdirSync(dir, { recursive: true });
    const { openSqliteStore } = await import("./sqlite.ts");
    return await openSqliteStore(join(dir, "state.db"));
  } catch (error) {
    logger.warn(
      `state directory ${dir} is not usable (${error instanceof Error ? error.message : error}); keeping state in memory`,
    );
    return createMemoryStore();
  }
}
