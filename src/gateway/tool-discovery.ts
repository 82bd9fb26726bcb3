import { z } from "zod";
import type { JsonObject } from "../backends/types.ts";
import { logger } from "../logger.ts";
import { ProtocolError, ProtocolErrorCode, type Tool } from "../mcp/sdk.ts";
import type { SearchHit } from "../search/index.ts";
import { toolDigest } from "../security/pins.ts";
import { scanTool } from "../security/poisoning.ts";
import type { Caller } from "./caller.ts";
import type { Gateway } from "./gateway.ts";

/**
 * Dynamic tool discovery (SEP-1821) and tool resolution (SEP-1862), as docs/protocol.md pins
 * their revisions: `tools/list {query, metadata}` answered by the gateway's ranking, and
 * `tools/resolve {name, arguments}` answered with the tool's full, current definition.
 */

/** `tools/list` params with the SEP-1821 fields kept (the SDK's own schema strips them). */
export const ListToolsParams = z.looseObject({
  cursor: z.string().optional(),
  query: z.string().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});
export type ListToolsParams = z.infer<typeof ListToolsParams>;

/** What the gateway advertises: SEP-1821's flag (and its PR's name for it), SEP-1862 as experimental. */
export const DISCOVERY_CAPABILITIES = {
  tools: { dynamic: true, filtering: true },
  experimental: { "tools/resolve": {} },
};

const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 25;

export interface ToolQuery {
  query: string;
  limit: number;
  /** `metadata.server`: only this backend's tools. */
  server?: string;
}

/** The query of a `tools/list`, if it has one; bad `metadata` is an error that says what to fix. */
export function toolQuery(params: ListToolsParams | undefined): ToolQuery | undefined {
  const query = params?.query?.trim();
  if (!query) return undefined;
  const metadata = params?.metadata ?? {};
  const limit = metadata.limit === undefined ? DEFAULT_LIMIT : Number(metadata.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new ProtocolError(
      ProtocolErrorCode.InvalidParams,
      `tools/list metadata.limit must be an integer from 1 to ${MAX_LIMIT}`,
    );
  }
  const server = typeof metadata.server === "string" ? metadata.server : undefined;
  return { query, limit, server };
}

/** The best matches among the tools this caller may see (scopes, profiles, quarantine). */
export async function queryTools(
  gateway: Gateway,
  caller: Caller,
  query: ToolQuery,
  server = query.server === undefined ? undefined : gateway.pool.canonical(query.server),
): Promise<SearchHit[]> {
  if (server !== undefined && !gateway.pool.has(server)) return [];
  const allow = (s: string, t: string) => gateway.router.visible(s, t, caller);
  return gateway.search(query.query, {
    limit: query.limit,
    server,
    allow,
    scope: caller.scope?.(),
  });
}

/** `tools/resolve` params: a tool name and, optionally, the arguments it will be called with. */
export function resolveParams(params: JsonObject): { name: string; arguments: JsonObject } {
  if (typeof params.name !== "string") {
    throw new ProtocolError(ProtocolErrorCode.InvalidParams, "tools/resolve needs a tool name");
  }
  const args = params.arguments;
  if (args !== undefined && (typeof args !== "object" || args === null || Array.isArray(args))) {
    throw new ProtocolError(
      ProtocolErrorCode.InvalidParams,
      "tools/resolve arguments must be an object",
    );
  }
  return { name: params.name, arguments: (args ?? {}) as JsonObject };
}

/**
 * A backend tool resolved: the backend's own `tools/resolve` answer when it gives one (the SDK's
 * client drops the SEP's `resolve` flags, so the gateway asks and falls back on any error), else
 * the definition the gateway holds. `rename` turns the backend's tool into the name the client
 * knows; the backend refines its tool, it cannot rename or swap it.
 */
export async function resolveBackendTool(
  gateway: Gateway,
  server: string,
  tool: Tool,
  args: JsonObject,
  rename: (tool: Tool) => Tool,
): Promise<{ tool: Tool }> {
  if (gateway.pool.status(server)?.state === "ready") {
    const answer = await gateway.pool
      .request(server, "tools/resolve", { name: tool.name, arguments: args }, {})
      .catch(() => undefined);
    const resolved = answer?.tool as Tool | undefined;
    if (resolved?.name === tool.name) {
      const refined = { ...tool, ...resolved };
      // The refinement was never listed, so neither the scanner nor gateway.lock saw it: one the
      // scanner flags is not passed on (a clean list and a poisoned resolve is a rug pull), nor
      // one that differs from the definition the lock pins (the same rug pull, clean words).
      const pin = gateway.security.pinned(server, tool.name);
      const flagged = scanTool(server, refined).find((finding) => finding.severity === "high");
      const why = flagged
        ? `a definition with ${flagged.rule} in ${flagged.where}`
        : pin !== undefined && toolDigest(refined) !== pin
          ? "a definition other than the one gateway.lock pins"
          : undefined;
      if (!why) return { tool: rename(refined) };
      logger
        .withTag(`backend:${server}`)
        .warn(`tools/resolve of ${tool.name} answered ${why}; served the listed one instead`);
    }
  }
  return { tool: rename(tool) };
}
