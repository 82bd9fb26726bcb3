import { GatewayError } from "../errors.ts";
import { InvalidCursorError, paginate } from "../gateway/cursor.ts";
import type { Gateway } from "../gateway/gateway.ts";
import type { Tool } from "../mcp/sdk.ts";
import { cachedNote } from "./list-servers.ts";
import type { MetaTool } from "./types.ts";
import { awaitStarting, jsonResult, stringArg } from "./types.ts";

const PAGE_SIZE = 100;
/** How much of a server's instructions a listing carries (about 1,000 tokens). */
const INSTRUCTIONS_MAX = 4000;

/** The original gateway's `role` filter of gateway_list_tools (docs/migrating.md). */
const ROLES = ["selector", "extractor", "enricher", "action"] as const;
type Role = (typeof ROLES)[number];

/**
 * A tool's role as the original gateway infers it: a tool not annotated read-only is an action;
 * a read-only one whose name searches or lists is a selector, any other an extractor. Nothing is
 * inferred to be an enricher (the original has only explicit tags for that).
 */
function roleOf(tool: Tool): Role {
  if (tool.annotations?.readOnlyHint !== true) return "action";
  return /search|list|find|query|discover|browse/i.test(tool.name) ? "selector" : "extractor";
}

/** The `role` argument, checked: absent means every tool. */
function roleArg(args: Record<string, unknown>): Role | undefined {
  const value = args.role;
  if (value === undefined || value === null) return undefined;
  const role = typeof value === "string" ? value.toLowerCase() : undefined;
  if (!ROLES.includes(role as Role)) {
    throw new GatewayError("INVALID_ARGUMENTS", `"role" must be one of ${ROLES.join(", ")}`);
  }
  return role as Role;
}

export const listTools: MetaTool = {
  definition: {
    name: "gateway_list_tools",
    description:
      "List backend tools (server, tool, description). Give `server` for one server's tools with input schemas, and its instructions. Prefer gateway_search_tools to find a tool for a task.",
    inputSchema: {
      type: "object",
      properties: {
        server: { type: "string", description: "Only this server's tools, with input schemas" },
        cursor: { type: "string", description: "nextCursor from the previous page" },
      },
      additionalProperties: false,
    },
    outputSchema: {
      type: "object",
      properties: {
        tools: { type: "array", items: { type: "object" } },
        nextCursor: { type: "string" },
      },
      required: ["tools"],
    },
    annotations: { title: "List tools", readOnlyHint: true, openWorldHint: false },
  },
  async handle(args, { gateway, caller }) {
    const named = stringArg(args, "server");
    const server = named === undefined ? undefined : gateway.pool.canonical(named);
    const cursor = stringArg(args, "cursor");
    // Not in the schema (it would cost every client tokens): the original's agents send it.
    const role = roleArg(args);
    // A server the caller cannot reach is answered as one that does not exist, as on /mcp/{backend}.
    if (server && (!gateway.pool.has(server) || !caller.allows(server, "*"))) {
      throw new GatewayError(
        "SERVER_NOT_FOUND",
        `unknown server "${server}"; gateway_list_servers lists them`,
      );
    }
    // One server's tools, asked for by name to be called: a list from the cache (its backend not
    // started since this start) is listed live first, as the original lists a server it is asked
    // about; if that takes longer than meta_mcp.discovery_wait, the cached list says so.
    const wait = gateway.config.meta_mcp.discovery_wait;
    if (server && gateway.pool.status(server)?.cachedAt !== undefined) {
      await gateway.pool.discovered(server, wait).catch(() => {});
    }
    const cachedAt = server ? gateway.pool.status(server)?.cachedAt : undefined;
    const starting = await awaitStarting(
      gateway,
      server ? [server] : gateway.router.servers(caller),
    );
    const rows: Record<string, unknown>[] = [];
    const disabled = (name: string) => gateway.pool.killSwitch.get(name) !== undefined;
    for (const name of server ? [server] : gateway.pool.names()) {
      const killed = disabled(name);
      for (const tool of gateway.router.visibleTools(name, caller)) {
        if (role && roleOf(tool) !== role) continue;
        rows.push({
          server: name,
          tool: tool.name,
          // The original gateway's field for the tool's name, which its users' scripts read.
          name: tool.name,
          description: tool.description ?? "",
          ...(server ? { inputSchema: tool.inputSchema } : {}),
          // The original lists one server's tools whole: its users' scripts read the hints.
          ...(server && tool.annotations ? { annotations: tool.annotations } : {}),
          ...(killed ? { status: "disabled" } : {}),
        });
      }
    }
    // The original's fields around the list: `total` (every row, all pages), and with a server
    // that server and whether it is disabled.
    const original = {
      total: rows.length,
      ...(server ? { server, status: disabled(server) ? "disabled" : "active" } : {}),
    };
    try {
      const { items, nextCursor } = paginate(rows, cursor, PAGE_SIZE);
      return jsonResult({
        tools: items,
        ...(nextCursor ? { nextCursor } : {}),
        ...original,
        ...(cachedAt === undefined ? {} : { cached: cachedNote(cachedAt) }),
        ...(server && !cursor ? instructionsOf(gateway, server) : {}),
        ...starting,
      });
    } catch (error) {
      if (!(error instanceof InvalidCursorError)) throw error;
      throw new GatewayError("INVALID_ARGUMENTS", `"cursor" is not a cursor this gateway issued`);
    }
  },
};

/**
 * A server's own `instructions` (its initialize result), which a client of `/mcp` would not
 * hear otherwise: model-facing text from a backend, so scanned as a tool description is
 * (withheld when poisoned under `quarantine`) and cut to a bound. Only a caller that may reach
 * the server gets here.
 */
function instructionsOf(gateway: Gateway, server: string): Record<string, string> {
  const text = gateway.pool.instructions(server);
  if (!text) return {};
  const screened = gateway.security.screenInstructions(server, text);
  if (screened === undefined) {
    return {
      instructionsWithheld: `the instructions of ${server} look poisoned (see /health's security.poisoning); withheld`,
    };
  }
  if (screened.length <= INSTRUCTIONS_MAX) return { instructions: screened };
  // Not cut inside a surrogate pair.
  const kept = screened.slice(0, INSTRUCTIONS_MAX).replace(/[\uD800-\uDBFF]$/, "");
  return {
    instructions: `${kept}… [cut at ${kept.length} of ${screened.length} characters; /mcp/${server} gives them whole]`,
  };
}
