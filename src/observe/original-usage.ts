import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { logger } from "../logger.ts";
import type { StateStore, UsageRow } from "../state/store.ts";

/**
 * The caller the original gateway's counts are kept under: it counted every client's calls as
 * one (no caller id here has no `:` but `local`, `bearer` and this).
 */
export const ORIGINAL_CALLER = "original";

/** The original gateway's usage counts: `~/.mcp-gateway/usage.json` (its SearchRanker::save). */
export function originalUsageFile(home: string | undefined): string {
  return join(home || homedir(), ".mcp-gateway", "usage.json");
}

/**
 * Imports the original gateway's invocation counts (`[{server, tool, count}]`) into `store`'s
 * usage stats, once per file: they rank those tools higher in search for every caller, as they
 * did there. `canonical` maps the original's names to this gateway's (`gateway` is the
 * capabilities backend). The number of tools imported; 0 when there is no file, it was imported
 * before, or it does not parse (a warning then, and it is tried again at the next start).
 */
export function importOriginalUsage(
  store: StateStore,
  file: string,
  canonical: (server: string) => string,
): number {
  if (!existsSync(file)) return 0;
  let entries: unknown;
  try {
    entries = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    logger.warn(`cannot import ${file} (the original gateway's usage counts): ${error}`);
    return 0;
  }
  if (!Array.isArray(entries)) {
    logger.warn(
      `cannot import ${file}: expected the original gateway's [{server, tool, count}] list`,
    );
    return 0;
  }
  const lastAt = statSync(file).mtimeMs;
  const rows = new Map<string, UsageRow>();
  for (const entry of entries as { server?: unknown; tool?: unknown; count?: unknown }[]) {
    const { server, tool, count } = entry ?? {};
    if (typeof server !== "string" || !server || typeof tool !== "string" || !tool) continue;
    if (typeof count !== "number" || !Number.isSafeInteger(count) || count <= 0) continue;
    const name = canonical(server);
    const key = `${name}\u0000${tool}`;
    const calls = (rows.get(key)?.calls ?? 0) + count;
    rows.set(key, {
      server: name,
      tool,
      caller: ORIGINAL_CALLER,
      calls,
      errors: 0,
      totalMs: 0,
      lastAt,
    });
  }
  if (!store.importUsage(`original-usage:${realpathSync(file)}`, [...rows.values()])) return 0;
  if (rows.size) {
    logger.info(
      `imported the original gateway's usage counts of ${rows.size} tools from ${file} (search ranks them as it did)`,
    );
  }
  return rows.size;
}
