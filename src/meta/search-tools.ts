import { GatewayError } from "../errors.ts";
import { toMatch } from "../search/compact.ts";
import { usageFor } from "../search/usage.ts";
import type { MetaTool } from "./types.ts";
import { awaitStarting, jsonResult, STARTING_SCHEMA, stringArg } from "./types.ts";

const DEFAULT_LIMIT = 5;
const MAX_LIMIT = 25;

export const searchTools: MetaTool = {
  definition: {
    name: "gateway_search_tools",
    description:
      "Find backend tools for a task. Returns the best matches with their input schemas, ready for gateway_invoke.",
    inputSchema: {
      type: "object",
      properties: {
        query: {
          type: "string",
          description:
            "The task in a few words: the action and the thing, as a tool would name them (e.g. 'list merge request pipelines')",
        },
        limit: { type: "integer", minimum: 1, maximum: MAX_LIMIT, description: "Default 5" },
        server: { type: "string", description: "Only search this server" },
      },
      required: ["query"],
      additionalProperties: false,
    },
    outputSchema: {
      type: "object",
      properties: {
        matches: {
          type: "array",
          items: {
            type: "object",
            properties: {
              server: { type: "string" },
              tool: { type: "string" },
              description: { type: "string" },
              inputSchema: { type: "object" },
              score: { type: "number" },
            },
            required: ["server", "tool", "description", "inputSchema", "score"],
          },
        },
        ...STARTING_SCHEMA,
      },
      required: ["matches"],
    },
    annotations: { title: "Search tools", readOnlyHint: true, openWorldHint: false },
  },
  async handle(args, { gateway, caller, sessionId }) {
    const query = stringArg(args, "query", true);
    const named = stringArg(args, "server");
    const server = named === undefined ? undefined : gateway.pool.canonical(named);
    const limit = args.limit === undefined ? DEFAULT_LIMIT : Number(args.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      throw new GatewayError(
        "INVALID_ARGUMENTS",
        `"limit" must be an integer from 1 to ${MAX_LIMIT}`,
      );
    }
    if (server && !gateway.pool.has(server)) {
      throw new GatewayError(
        "SERVER_NOT_FOUND",
        `unknown server "${server}"; gateway_list_servers lists them`,
      );
    }
    const starting = await awaitStarting(
      gateway,
      server ? [server] : gateway.router.servers(caller),
    );
    const allow = (s: string, t: string) => gateway.router.visible(s, t, caller);
    const usage = usageFor(gateway.usage, caller.id);
    const learned = gateway.feedback?.pull(caller.id, query);
    // Trimmed descriptions and compacted schemas: what the next call needs, and no more.
    const hits = await gateway.search(query, { limit, server, allow, usage, learned });
    gateway.feedback?.searched(caller.id, query);
    const done = { caller: caller.id, session: sessionId, query, matches: hits.length };
    void gateway.hooks.callHook("search:done", done);
    return jsonResult({ matches: hits.map(toMatch), ...starting });
  },
};
