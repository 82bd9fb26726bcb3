import { compactSchema } from "../search/compact.ts";
import { searchTools } from "./search-tools.ts";
import type { MetaTool } from "./types.ts";
import { jsonResult } from "./types.ts";

/** A `gateway_search_tools` match, as its structured content carries it. */
interface Match {
  server: string;
  tool: string;
  description?: string;
  inputSchema?: unknown;
  declaration?: string;
  score: number;
  status?: string;
}

/**
 * `gateway_search`, the original gateway's code-mode search, under its own name: callable on
 * every surface but flat (the original dispatches it whatever its mode), never listed (the
 * listed search is `gateway_search_tools`). It searches as `gateway_search_tools` does and
 * answers in the original's shape, which its users' scripts and prompts read: each match's `tool`
 * is `server:tool` (what `gateway_execute {tool}` takes), with `input_schema` on every match
 * unless `include_schema: false`; then `query`, `total` and `total_available`. The match also
 * keeps this gateway's `server` and the tool's own `name`.
 */
export const codeSearch: MetaTool = {
  definition: {
    name: "gateway_search",
    description:
      "Find tools for a task (the original gateway's code-mode search): matches name `server:tool` for gateway_execute.",
    inputSchema: {
      type: "object",
      properties: {
        query: { type: "string" },
        limit: { type: "integer", minimum: 1, maximum: 25 },
        include_schema: { type: "boolean", description: "Default true" },
      },
      required: ["query"],
    },
  },
  async handle(args, context) {
    const found = await searchTools.handle(
      {
        query: args.query,
        ...(args.limit === undefined ? {} : { limit: args.limit }),
      },
      context,
    );
    if (found.isError || !found.structuredContent) return found;
    const { matches, ...rest } = found.structuredContent as { matches: Match[] };
    const withSchema = args.include_schema !== false;
    const { index, pool } = context.gateway;
    return jsonResult({
      ...rest,
      matches: matches.map(({ server, tool, description, score, status }) => {
        const schema = withSchema
          ? index.get(pool.canonical(server), tool)?.inputSchema
          : undefined;
        return {
          tool: `${server}:${tool}`,
          server,
          name: tool,
          description: description ?? "",
          ...(schema ? { input_schema: compactSchema(schema) } : {}),
          score,
          ...(status ? { status } : {}),
        };
      }),
    });
  },
};
