import type { Tool } from "../mcp/sdk.ts";

/**
 * Shrinks what a search match carries to what a model needs to make the call: the description's
 * useful part and an input schema without annotations that do not change a valid call.
 */

type Schema = Record<string, unknown>;

/** Keys that help a model build arguments; everything else in a schema is dropped. */
const KEEP = new Set([
  "type",
  "properties",
  "required",
  "items",
  "enum",
  "const",
  "anyOf",
  "oneOf",
  "allOf",
  "description",
  "default",
  "format",
  "minimum",
  "maximum",
  "minLength",
  "maxLength",
  "minItems",
  "maxItems",
  "pattern",
]);
const PARAM_DESCRIPTION_MAX = 160;
const DESCRIPTION_MAX = 300;
/** A one-line match: its description's first sentence, at most this long. */
const LINE_MAX = 120;
/** Bounds this large bound nothing: zod writes the safe-integer range on every integer. */
const NO_BOUND = Number.MAX_SAFE_INTEGER;
/** The matches that always carry their input schema; the rest carry one line each. */
export const FULL_MATCHES = 2;
/** A later match scoring at least this share of the first one's is a near tie: it gets its schema too. */
export const NEAR_TIE = 0.6;

/**
 * The leading, useful part of a tool description: decoration and markdown stripped, cut at a
 * sentence end within `max` characters (or at a word, with an ellipsis, when none fits).
 */
export function trimDescription(text: string, max = DESCRIPTION_MAX): string {
  const plain = text
    .replace(/\p{Extended_Pictographic}/gu, "")
    .replace(/\u{FE0F}/gu, "")
    // Spaces and tabs only: `\s*` would run from each line start over every blank line below it.
    .replace(/^[ \t]*#+[ \t]*/gm, "")
    .replace(/\*\*|__|`/g, "")
    .replace(/\s+/g, " ")
    .trim();
  if (plain.length <= max) return plain;
  const head = plain.slice(0, max);
  const sentence = Math.max(head.lastIndexOf(". "), head.lastIndexOf("? "), head.lastIndexOf("! "));
  if (sentence >= max / 3) return head.slice(0, sentence + 1);
  const space = head.lastIndexOf(" ");
  return `${head.slice(0, space > 0 ? space : max)}…`;
}

/** A copy of a JSON Schema with only the keys that shape a valid call, descriptions trimmed. */
export function compactSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(compactSchema);
  if (!schema || typeof schema !== "object") return schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema as Schema)) {
    if (!KEEP.has(key)) continue;
    if (key === "description") {
      if (typeof value === "string" && value.trim()) {
        out.description = trimDescription(value, PARAM_DESCRIPTION_MAX);
      }
    } else if (key === "properties" && value && typeof value === "object") {
      out.properties = Object.fromEntries(
        Object.entries(value as Schema).map(([name, child]) => [name, compactSchema(child)]),
      );
    } else if (key === "required" && Array.isArray(value) && value.length === 0) {
      // An empty list says nothing.
    } else if ((key === "minimum" || key === "maximum") && Math.abs(Number(value)) >= NO_BOUND) {
      // The safe-integer range: what any JSON number allows anyway.
    } else if ((key === "anyOf" || key === "oneOf") && Array.isArray(value)) {
      const options = alternatives(value);
      if (options) out[key] = options;
    } else {
      out[key] =
        key === "enum" || key === "const" || key === "default" ? value : compactSchema(value);
    }
  }
  return out;
}

/**
 * The distinct alternatives of an `anyOf`/`oneOf`, compacted; undefined when one of them accepts
 * anything (`{}`), which makes the whole list say nothing.
 */
function alternatives(options: unknown[]): unknown[] | undefined {
  const seen = new Set<string>();
  const out: unknown[] = [];
  for (const option of options) {
    const compact = compactSchema(option);
    const key = JSON.stringify(compact);
    if (key === "{}") return undefined;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(compact);
  }
  return out;
}

/** A description's first sentence, decoration stripped, within `LINE_MAX` characters. */
export function oneLine(text: string): string {
  const trimmed = trimDescription(text, LINE_MAX);
  const end = trimmed.search(/[.!?] /);
  return end < 0 ? trimmed : trimmed.slice(0, end + 1);
}

/** A search hit as `gateway_search_tools` returns it: ready for the call, and no larger. */
export function toMatch(hit: { server: string; tool: Tool; score: number }): {
  server: string;
  tool: string;
  description: string;
  inputSchema: Tool["inputSchema"];
  score: number;
} {
  return {
    server: hit.server,
    tool: hit.tool.name,
    description: trimDescription(hit.tool.description ?? ""),
    inputSchema: compactSchema(hit.tool.inputSchema) as Tool["inputSchema"],
    score: Math.round(hit.score * 1000) / 1000,
  };
}

/** A match without its schema: the tool named and said in one line. */
export function toLine(hit: { server: string; tool: Tool; score: number }): {
  server: string;
  tool: string;
  description: string;
  score: number;
} {
  return {
    server: hit.server,
    tool: hit.tool.name,
    description: oneLine(hit.tool.description ?? ""),
    score: Math.round(hit.score * 1000) / 1000,
  };
}

/**
 * A search's matches as `gateway_search_tools` returns them: the first `FULL_MATCHES`, and any
 * later one scoring within `NEAR_TIE` of the first, with their input schemas; the rest one line
 * each (a second search naming the tool, or `gateway_list_tools` with its server, gives its schema).
 */
export function toMatches(
  hits: readonly { server: string; tool: Tool; score: number }[],
): (ReturnType<typeof toMatch> | ReturnType<typeof toLine>)[] {
  const top = hits[0]?.score ?? 0;
  return hits.map((hit, i) =>
    i < FULL_MATCHES || hit.score >= NEAR_TIE * top ? toMatch(hit) : toLine(hit),
  );
}
