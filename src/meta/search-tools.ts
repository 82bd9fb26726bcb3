import type { BackendStatus } from "../backends/pool.ts";
import { toDeclaration } from "../codemode/typescript.ts";
import { GatewayError } from "../errors.ts";
import type { Gateway } from "../gateway/gateway.ts";
import { FULL_MATCHES, toLine, toMatch, toMatches } from "../search/compact.ts";
import { feedbackPool } from "../search/feedback.ts";
import { MAX_QUERY_CHARS, type SearchHit } from "../search/index.ts";
import { usageFor } from "../search/usage.ts";
import { wildcardMatch } from "../search/wildcard.ts";
import { SKILLS_SERVER } from "../skills/scan.ts";
import { skillMatches, skillsFor } from "../skills/serve.ts";
import { playbookMatches } from "./run-playbook.ts";
import type { MetaTool } from "./types.ts";
import { awaitStarting, jsonResult, stringArg } from "./types.ts";

const DEFAULT_LIMIT = 5;
const MAX_LIMIT = 25;

export const searchTools: MetaTool = {
  definition: {
    name: "gateway_search_tools",
    description:
      "Find backend tools for a task. The top matches carry input schemas for gateway_invoke; search a tool's name for another's.",
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
        format: { enum: ["json", "typescript"] },
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
              // Then `description` (+ `inputSchema` for the first matches and near ties), or
              // `declaration` with format: "typescript".
              score: { type: "number" },
            },
            required: ["server", "tool", "score"],
          },
        },
      },
      required: ["matches"],
    },
    annotations: { title: "Search tools", readOnlyHint: true, openWorldHint: false },
  },
  async handle(args, { gateway, caller, client, sessionId }) {
    // The original takes an empty query (every tool); `stringArg` refuses "" as missing.
    if (args.query !== "") stringArg(args, "query", true);
    const query = (args.query as string).trim();
    if (query.length > MAX_QUERY_CHARS) {
      throw new GatewayError(
        "INVALID_ARGUMENTS",
        `"query" is ${query.length} characters, over the limit of ${MAX_QUERY_CHARS}: describe the task in a few words (e.g. 'list merge request pipelines')`,
      );
    }
    const named = stringArg(args, "server");
    // The servers this caller may reach: a prefix names one of them, or is part of the words.
    const reachable = gateway.router.servers(caller);
    const form = queryForm(
      query,
      named === undefined ? undefined : gateway.pool.canonical(named),
      // `github:` names the backend `GitHub` (no two names differ only in case).
      (name) => {
        const wanted = gateway.pool.canonical(name).toLowerCase();
        return reachable.find((server) => server.toLowerCase() === wanted);
      },
    );
    const server = form.server;
    const format = stringArg(args, "format") ?? "json";
    if (format !== "json" && format !== "typescript") {
      throw new GatewayError("INVALID_ARGUMENTS", `"format" must be "json" or "typescript"`);
    }
    const asked = args.limit === undefined ? DEFAULT_LIMIT : Number(args.limit);
    if (!Number.isInteger(asked) || asked < 1) {
      throw new GatewayError(
        "INVALID_ARGUMENTS",
        `"limit" must be an integer from 1 to ${MAX_LIMIT}`,
      );
    }
    // More than the most is the most, as the original gateway answers it (its agents ask for 50).
    const limit = Math.min(asked, MAX_LIMIT);
    // `server: "skills"` searches the skills alone (they are not a backend).
    if (server === SKILLS_SERVER && skillsFor(gateway)) {
      const matches = skillMatches(gateway, caller, query, limit);
      return jsonResult({ matches, ...originalTotals(query, matches.length, matches.length) });
    }
    // A server the caller cannot reach is answered as one that does not exist, as on /mcp/{backend}.
    if (server && !reachable.includes(server)) {
      throw new GatewayError(
        "SERVER_NOT_FOUND",
        `unknown server "${server}"; gateway_list_servers lists them`,
      );
    }
    const servers = server ? [server] : reachable;
    const starting = await awaitStarting(gateway, servers);
    if (form.glob) {
      // A name pattern is a listing, not a ranking: every visible tool whose `server:tool` it matches.
      const found = servers.flatMap((name) =>
        gateway.router
          .visibleTools(name, caller)
          .filter((tool) => form.glob!.test(`${name}:${tool.name}`) || form.glob!.test(tool.name))
          .map((tool) => ({ server: name, tool, score: 1 })),
      );
      const shown = found.slice(0, limit);
      const matches: { server: string }[] = shown.map((hit, i) => {
        if (format === "typescript") return declared(hit);
        return i < FULL_MATCHES ? toMatch(hit) : toLine(hit);
      });
      return jsonResult({
        matches: callableFirst(gateway, matches),
        ...originalTotals(query, matches.length, found.length),
        ...starting,
      });
    }
    const allow = (s: string, t: string) => gateway.router.visible(s, t, caller);
    const usage = usageFor(gateway.usage, caller.id);
    // What this caller learned through this client program; never another's (search/feedback.ts).
    const pool = feedbackPool(caller.id, client);
    const text = form.text;
    const learned = gateway.feedback?.pull(pool, text, allow);
    const scope = caller.scope?.();
    // Schemas for the first matches and near ties, one line for the rest (search/compact.ts).
    let available = 0;
    const onAvailable = (count: number) => {
      available = count;
    };
    const hits = await gateway.search(text, {
      limit,
      server,
      allow,
      scope,
      usage,
      learned,
      onAvailable,
    });
    gateway.feedback?.searched(pool, text, sessionId);
    const done = { caller: caller.id, session: sessionId, query: text, matches: hits.length };
    void gateway.hooks.callHook("search:done", done);
    if (format === "typescript") {
      // Code mode: each match as the TypeScript signature a script calls it by.
      return jsonResult({
        matches: callableFirst(gateway, hits.map(declared)),
        ...originalTotals(query, hits.length, Math.max(available, hits.length)),
        ...starting,
      });
    }
    // The first matches with their schemas, the rest one line each (src/search/compact.ts).
    const others = server
      ? []
      : [
          ...playbookMatches(gateway, caller, text, limit),
          // Skills rank alongside tools; a match says how to read one (src/skills/serve.ts).
          ...skillMatches(gateway, caller, text, limit),
        ];
    const matches = [...toMatches(hits), ...others]
      .sort((a, b) => b.score - a.score)
      .slice(0, limit);
    const found = Math.max(available, hits.length) + others.length;
    return jsonResult({
      matches: callableFirst(gateway, matches),
      ...originalTotals(query, matches.length, found),
      ...starting,
    });
  },
};

/**
 * The original gateway's fields around a search's matches, which its users' scripts read: the
 * query (lowercased, as it echoes it), how many matches are returned (`total`) and how many
 * tools match at all (`total_available`: more than `total` means a larger `limit` finds more).
 */
function originalTotals(
  query: string,
  total: number,
  available: number,
): { query: string; total: number; total_available: number } {
  return { query: query.toLowerCase(), total, total_available: available };
}

/** A match as code mode reads it: the TypeScript signature a script calls the tool by. */
function declared(hit: SearchHit): {
  server: string;
  tool: string;
  declaration: string;
  score: number;
} {
  const { server, tool, score } = toMatch(hit);
  return { server, tool, declaration: toDeclaration(hit.server, hit.tool), score };
}

/**
 * The original's forms of a query: `server:words` searches that server for the words (when the
 * prefix names a server; "note: ..." stays text), `*` and `?` in one word make a pattern matched against
 * `server:tool` and the tool's name (`github:*`, `*issue*`), and an empty query is `*`. A
 * `server` argument wins over a prefix.
 */
function queryForm(
  query: string,
  named: string | undefined,
  known: (name: string) => string | undefined,
): { server?: string; text: string; glob?: { test(name: string): boolean } } {
  let server = named;
  let text = query;
  const prefix = /^([\w.-]+):(.*)$/s.exec(query);
  if (prefix && server === undefined) {
    const found = known(prefix[1]!);
    if (found) {
      server = found;
      text = prefix[2]!.trim();
    }
  }
  if (text === "") return { server, text, glob: { test: () => true } };
  // One word with a wildcard: "which tool lists my issues?" is a question, not a pattern.
  if (!/[*?]/.test(text) || /\s/.test(text)) return { server, text };
  return { server, text, glob: { test: (name) => wildcardMatch(text, name) } };
}

/**
 * The matches whose backend can take a call now first, in their order; then those of a backend
 * that cannot (failed to start, its breaker open, waiting for a login), each with a `status`
 * saying why, as the original's matches carry one. A model picking the first match then picks
 * one it can call; a tool only a down backend has is still found, and says so.
 */
function callableFirst<T extends { server: string }>(gateway: Gateway, matches: T[]): T[] {
  const why = new Map<string, string | undefined>();
  const statusOf = (server: string) => {
    if (!why.has(server)) why.set(server, downBecause(gateway.pool.status(server)));
    return why.get(server);
  };
  const callable: T[] = [];
  const down: T[] = [];
  for (const match of matches) {
    const status = gateway.pool.has(match.server) ? statusOf(match.server) : undefined;
    if (status) down.push({ ...match, status });
    else callable.push(match);
  }
  return down.length ? [...callable, ...down] : matches;
}

function downBecause(status: BackendStatus | undefined): string | undefined {
  switch (status?.state) {
    case "failed":
      return `unavailable: the backend failed${status.error ? ` (${status.error.slice(0, 200)})` : ""}; gateway_list_servers shows its state`;
    case "open":
      return "unavailable: the backend's circuit breaker is open after repeated failures; it is tried again shortly";
    case "needs_login":
      return `unavailable: the backend needs a login first (mcp-gateway auth login ${status.name})`;
    default:
      return undefined;
  }
}
