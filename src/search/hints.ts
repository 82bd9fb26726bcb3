import type { Tool } from "../mcp/sdk.ts";
import { jaccard } from "./distance.ts";
import { firstSentence } from "./fields.ts";
import { readTable } from "./tables.ts";
import { tokenize } from "./tokenize.ts";

/**
 * Example requests for well-known tools, indexed with them (the `hints` field): how people ask
 * for what a tool does, in words its definition does not use ("what's on my plate" for
 * `get_my_tasks`, "forget that I'm vegetarian" for `delete_observations`). Written for the tools
 * of the 38 servers in bench/corpus and ten more servers of the setup registry, from each tool's
 * definition alone; build-hints.ts regenerates the table. A tool is recognised by its name and
 * the first sentence of its description, not its server's name (which is the operator's choice),
 * so a renamed server keeps its hints and a different tool that shares a name does not get them.
 */
export type HintTable = Record<string, { about: string; requests: string[] }[]>;

// Read and parsed on first use (see tables.ts).
let table: HintTable | undefined;
const builtinTable = (): HintTable => (table ??= readTable("hints") as HintTable);
/** How much of the first sentence must be as written for the hints to apply (Jaccard of terms). */
const SAME_TOOL = 0.6;

/** The distinct terms of a description's first sentence. */
export function summaryTerms(summary: string): Set<string> {
  return new Set(tokenize(summary));
}

/** The example requests for this tool, joined, when it is one the table knows. */
export function builtinHints(tool: Tool, table: HintTable = builtinTable()): string | undefined {
  const entries = Object.hasOwn(table, tool.name) ? table[tool.name]! : undefined;
  if (!entries) return undefined;
  const terms = summaryTerms(firstSentence(tool.description ?? ""));
  let best: { score: number; requests: string[] } | undefined;
  for (const entry of entries) {
    const about = new Set(entry.about ? entry.about.split(" ") : []);
    const score = jaccard(terms, about);
    if (score >= SAME_TOOL && score > (best?.score ?? 0))
      best = { score, requests: entry.requests };
  }
  return best?.requests.join("\n");
}

type Hints = (server: string, tool: Tool) => string | undefined;

/**
 * The hints a gateway indexes: the operator's own (`search.tool_hints`, by `server:tool`), those
 * of backends the gateway serves itself (a capability's tags and `metadata.examples`) and,
 * unless turned off, the built-in ones.
 */
export function hintsFor(
  builtin: boolean,
  own: Record<string, string[]>,
  served?: Hints,
): Hints | undefined {
  if (!builtin && !served && Object.keys(own).length === 0) return undefined;
  return (server, tool) => {
    const key = `${server}:${tool.name}`;
    const parts = [
      Object.hasOwn(own, key) ? own[key]!.join("\n") : undefined,
      served?.(server, tool),
      builtin ? builtinHints(tool) : undefined,
    ].filter((part) => part !== undefined);
    return parts.length ? parts.join("\n") : undefined;
  };
}
