import { createHash } from "node:crypto";
import type { Caller } from "../gateway/caller.ts";
import { paginate } from "../gateway/cursor.ts";
import type { Gateway } from "../gateway/gateway.ts";
import { logger } from "../logger.ts";
import type { Tool } from "../mcp/sdk.ts";

/** Tool names stay within 64 characters (what clients accept). */
const MAX_NAME = 64;
const FLAT_PAGE = 200;

/**
 * `server__tool`; past 64 characters, the first 55 + `_` + 8 hex of the full name's sha256, so a
 * long name stays stable and distinct.
 */
export function flatName(server: string, tool: string): string {
  const name = `${server}__${tool}`;
  if (name.length <= MAX_NAME) return name;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 8);
  return `${name.slice(0, MAX_NAME - 9)}_${hash}`;
}

export interface SurfacedTool {
  name: string;
  server: string;
  tool: Tool;
}

/** The configured `meta_mcp.surfaced_tools` entries as `{server, tool}` pairs. */
export function surfacedEntries(gateway: Gateway): { server: string; tool: string }[] {
  return gateway.config.meta_mcp.surfaced_tools.map((entry) => {
    if (typeof entry !== "string") return entry;
    const split = entry.indexOf(":");
    return { server: entry.slice(0, split), tool: entry.slice(split + 1) };
  });
}

/** Warned once per name: two entries that map to the same exposed name. */
const reported = new Set<string>();

/**
 * The backend tools exposed directly in `tools/list`: the surfaced ones, or in flat mode
 * (`meta_mcp.enabled: false`) every tool the caller may use. Only tools that exist now and the
 * caller may see; a name that would collide with another (or a meta tool) is skipped and logged.
 */
export function directTools(
  gateway: Gateway,
  caller: Caller,
  reserved: Set<string>,
  flat = !gateway.config.meta_mcp.enabled,
): SurfacedTool[] {
  const wanted = flat
    ? [...gateway.index.all()].map(({ server, tool }) => ({ server, tool: tool.name }))
    : surfacedEntries(gateway);
  const out: SurfacedTool[] = [];
  const taken = new Set(reserved);
  const found: { server: string; tool: Tool }[] = [];
  for (const { server, tool: toolName } of wanted) {
    const canonical = gateway.pool.canonical(server);
    const tool = gateway.index.get(canonical, toolName);
    if (!tool || !gateway.router.visible(canonical, toolName, caller)) continue;
    // As listed: the structured results a client checks are those this definition promises.
    found.push({ server: canonical, tool: gateway.pool.listedTool(canonical, tool) });
  }
  const bare = gateway.config.meta_mcp.surfaced_names === "bare";
  // How many of this caller's tools share each name: a shared name stays `server__tool`.
  const shared = new Map<string, number>();
  if (bare) for (const { tool } of found) shared.set(tool.name, (shared.get(tool.name) ?? 0) + 1);
  for (const { server: canonical, tool } of found) {
    const toolName = tool.name;
    const alone = bare && shared.get(toolName) === 1 && !reserved.has(toolName);
    const name = alone && toolName.length <= MAX_NAME ? toolName : flatName(canonical, toolName);
    if (taken.has(name)) {
      if (!reported.has(name)) {
        reported.add(name);
        logger.warn(`tool name ${name} (${canonical}:${toolName}) collides with another; skipped`);
      }
      continue;
    }
    taken.add(name);
    out.push({ name, server: canonical, tool });
  }
  return out;
}

/** A direct tool as clients see it: its own definition under the namespaced name. */
export function asListed(entry: SurfacedTool): Tool {
  return {
    ...entry.tool,
    name: entry.name,
    description: `[${entry.server}] ${entry.tool.description ?? ""}`.trim(),
  };
}

/** One page of the flat list, with the gateway's own cursor. */
export function page<T>(
  items: T[],
  cursor: string | undefined,
): { items: T[]; nextCursor?: string } {
  return paginate(items, cursor, FLAT_PAGE);
}
