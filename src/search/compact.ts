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
    } else {
      out[key] =
        key === "enum" || key === "const" || key === "default" ? value : compactSchema(value);
    }
  }
  return out;
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
