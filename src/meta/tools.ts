import { execute } from "./execute.ts";
import { invoke } from "./invoke.ts";
import { listServers } from "./list-servers.ts";
import { listTools } from "./list-tools.ts";
import { searchTools } from "./search-tools.ts";
import type { MetaTool } from "./types.ts";

/** The meta-tool surface, in the order clients see it. */
export const META_TOOLS: readonly MetaTool[] = [listServers, listTools, searchTools, invoke];

export const META_TOOLS_BY_NAME: ReadonlyMap<string, MetaTool> = new Map(
  [...META_TOOLS, execute].map((tool) => [tool.definition.name, tool]),
);

/** The code-mode surface (`/mcp?codemode=search_and_execute`): search, then one script. */
const CODE_MODE_TOOLS: readonly MetaTool[] = [searchTools, execute];

/**
 * The meta tools one session serves: the code-mode pair, or the usual four plus
 * `gateway_execute` when `code_mode.enabled`.
 */
export function metaToolsFor(
  config: { code_mode: { enabled: boolean } },
  codeMode = false,
): readonly MetaTool[] {
  if (codeMode) return CODE_MODE_TOOLS;
  return config.code_mode.enabled ? [...META_TOOLS, execute] : META_TOOLS;
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
