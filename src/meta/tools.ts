import { costReport } from "./cost-report.ts";
import { invoke } from "./invoke.ts";
import { listServers } from "./list-servers.ts";
import { listTools } from "./list-tools.ts";
import { searchTools } from "./search-tools.ts";
import type { MetaTool } from "./types.ts";

/** The meta-tool surface, in the order clients see it. */
export const META_TOOLS: readonly MetaTool[] = [
  listServers,
  listTools,
  searchTools,
  invoke,
  costReport,
];

export const META_TOOLS_BY_NAME: ReadonlyMap<string, MetaTool> = new Map(
  META_TOOLS.map((tool) => [tool.definition.name, tool]),
);

/** Told to clients at `initialize`: how to use the surface, in a few lines. */
export const INSTRUCTIONS =
  "This gateway fronts many tool servers. To act: call gateway_search_tools with the task in a few words, " +
  "then gateway_invoke with the server, tool and arguments from the best match (its inputSchema says which). " +
  "gateway_list_servers and gateway_list_tools browse what is available.";
