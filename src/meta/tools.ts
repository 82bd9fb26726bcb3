import type { ResolvedConfig } from "../config/load.ts";
import { codeSearch } from "./code-search.ts";
import { costReport } from "./cost-report.ts";
import { execute } from "./execute.ts";
import { invoke } from "./invoke.ts";
import { listServers } from "./list-servers.ts";
import { listTools } from "./list-tools.ts";
import { getStats, killServer, listDisabled, reloadConfig, reviveServer } from "./operator.ts";
import { getProfile, listProfiles, setProfile } from "./profile-tools.ts";
import { runPlaybookTool } from "./run-playbook.ts";
import { searchTools } from "./search-tools.ts";
import type { MetaTool } from "./types.ts";
import { webhookStatus } from "./webhook-status.ts";

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
  costReport,
  webhookStatus,
];

/** Every meta tool's name, enabled or not: surfaced tools never take one. */
export const ALL_META_NAMES: readonly string[] = [
  ...META_TOOLS,
  execute,
  codeSearch,
  ...OPERATOR_TOOLS,
].map((tool) => tool.definition.name);

/**
 * Meta tools served by name but never listed: the original gateway's names its users' scripts
 * and prompts call (`gateway_search`, its code-mode search, which it dispatches in every mode).
 */
export const UNLISTED_META_TOOLS: readonly MetaTool[] = [codeSearch];

export const META_TOOLS_BY_NAME: ReadonlyMap<string, MetaTool> = new Map(
  [...META_TOOLS, execute].map((tool) => [tool.definition.name, tool]),
);

/** The code-mode surface (`/mcp?codemode=search_and_execute`): search, then one script. */
const CODE_MODE_TOOLS: readonly MetaTool[] = [searchTools, execute];

/**
 * The meta tools one session serves: the code-mode pair, or the usual four, `gateway_execute`
 * when `code_mode.enabled`, then the operator tools `meta_mcp.operator_tools` enables.
 */
export function metaToolsFor(
  config: Pick<ResolvedConfig, "meta_mcp" | "code_mode" | "cost_governance">,
  codeMode = false,
): readonly MetaTool[] {
  if (codeMode) return CODE_MODE_TOOLS;
  const wanted = config.meta_mcp.operator_tools;
  // Named in operator_tools, or listed by its own setting (gateway_cost_report with cost governance).
  const enabled = (tool: MetaTool) =>
    wanted === "all" || wanted.includes(tool.definition.name) || tool.listed?.(config) === true;
  return [
    ...META_TOOLS,
    ...(config.code_mode.enabled ? [execute] : []),
    ...OPERATOR_TOOLS.filter(enabled),
  ];
}

/** Told to clients at `initialize`: how to use the surface, in a few lines. */
export const INSTRUCTIONS =
  "This gateway fronts many tool servers. To act: call gateway_search_tools with the task in a few words, " +
  "then gateway_invoke with the server, tool and arguments from the best match (its inputSchema says which). " +
  "gateway_list_servers and gateway_list_tools browse what is available.";

/** The code-mode surface's instructions. */
export const CODE_MODE_INSTRUCTIONS =
  "This gateway fronts many tool servers. Find tools with gateway_search_tools (format: typescript gives their declarations), " +
  "then do the whole task in one gateway_execute script that calls them and returns only the answer.";
