import type { ResolvedConfig } from "../config/load.ts";
import { invoke } from "./invoke.ts";
import { listServers } from "./list-servers.ts";
import { listTools } from "./list-tools.ts";
import { getStats, killServer, listDisabled, reloadConfig, reviveServer } from "./operator.ts";
import { getProfile, listProfiles, setProfile } from "./profile-tools.ts";
import { runPlaybookTool } from "./run-playbook.ts";
import { searchTools } from "./search-tools.ts";
import type { MetaTool } from "./types.ts";

/** The meta-tool surface, in the order clients see it. */
export const META_TOOLS: readonly MetaTool[] = [listServers, listTools, searchTools, invoke];

/** The opt-in operator tools (`meta_mcp.operator_tools`), in the order they are listed. */
export const OPERATOR_TOOLS: readonly MetaTool[] = [
  getStats,
  reloadConfig,
  killServer,
  reviveServer,
  listDisabled,
  setProfile,
  getProfile,
  listProfiles,
  runPlaybookTool,
];

/** The meta tools a config lists: the four core ones, then the operator tools it enables. */
export function metaToolsFor(config: Pick<ResolvedConfig, "meta_mcp">): MetaTool[] {
  const wanted = config.meta_mcp.operator_tools;
  const enabled = (tool: MetaTool) => wanted === "all" || wanted.includes(tool.definition.name);
  return [...META_TOOLS, ...OPERATOR_TOOLS.filter(enabled)];
}

/** Every meta tool's name, enabled or not: surfaced tools never take one. */
export const ALL_META_NAMES: readonly string[] = [...META_TOOLS, ...OPERATOR_TOOLS].map(
  (tool) => tool.definition.name,
);

export const META_TOOLS_BY_NAME: ReadonlyMap<string, MetaTool> = new Map(
  META_TOOLS.map((tool) => [tool.definition.name, tool]),
);

/** Told to clients at `initialize`: how to use the surface, in a few lines. */
export const INSTRUCTIONS =
  "This gateway fronts many tool servers. To act: call gateway_search_tools with the task in a few words, " +
  "then gateway_invoke with the server, tool and arguments from the best match (its inputSchema says which). " +
  "gateway_list_servers and gateway_list_tools browse what is available.";
