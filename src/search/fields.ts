import type { Tool } from "../mcp/sdk.ts";
import { unabbreviate } from "./synonyms.ts";
import { splitWords } from "./tokenize.ts";

/** The texts a tool is indexed by, one per field. */
export interface EntryTexts {
  name: string;
  title: string;
  server: string;
  /** The description's first sentence: what the tool does, before how to use it. */
  summary: string;
  description: string;
  /** Parameter names, nested ones included. */
  params: string;
  /** Parameter descriptions and enum values: the words a tool's options use. */
  paramText: string;
  /** Requests people make of this tool, where the gateway has some (hints.ts). */
  hints: string;
}

type Schema = Record<string, unknown>;
const MAX_DEPTH = 3;

export function toEntryTexts(server: string, tool: Tool, hints = ""): EntryTexts {
  const names: string[] = [];
  const prose: string[] = [];
  collect(tool.inputSchema as Schema, names, prose, 0);
  return {
    name: spellOut(tool.name),
    title: tool.title ?? tool.annotations?.title ?? "",
    server,
    summary: firstSentence(tool.description ?? ""),
    description: tool.description ?? "",
    params: names.join(" "),
    paramText: prose.join(" "),
    hints,
  };
}

/** A tool name with its abbreviations written out, as queries are: `db-cluster-list` → "database cluster list". */
function spellOut(name: string): string {
  return splitWords(name).flatMap(unabbreviate).join(" ");
}

/** Walks a JSON Schema's properties (and array items) for names, descriptions and enums. */
function collect(schema: Schema | undefined, names: string[], prose: string[], depth: number) {
  if (!schema || typeof schema !== "object" || depth > MAX_DEPTH) return;
  if (typeof schema.description === "string" && depth > 0) prose.push(schema.description);
  for (const values of [schema.enum, schema.const === undefined ? undefined : [schema.const]]) {
    if (Array.isArray(values)) {
      for (const value of values) if (typeof value === "string") prose.push(value);
    }
  }
  const properties = schema.properties;
  if (properties && typeof properties === "object") {
    for (const [name, child] of Object.entries(properties as Record<string, Schema>)) {
      names.push(name);
      collect(child, names, prose, depth + 1);
    }
  }
  if (schema.items && typeof schema.items === "object") {
    collect(schema.items as Schema, names, prose, depth + 1);
  }
  for (const key of ["anyOf", "oneOf", "allOf"]) {
    const options = schema[key];
    if (Array.isArray(options))
      for (const option of options) collect(option, names, prose, depth + 1);
  }
}

/** The first sentence of a description, past decoration such as "🎯 Purpose: 1.". */
export function firstSentence(text: string): string {
  const plain = text
    .replace(/[^\p{L}\p{N}\s.,:;'"()/_-]/gu, " ")
    .replace(/^\s*(purpose|description|summary|overview)\s*:\s*/i, "")
    .replace(/^\s*\d+[.)]\s+/, "")
    .trim();
  const end = plain.search(/[.!?](\s|$)|\n\s*\n/);
  return (end < 0 ? plain : plain.slice(0, end)).slice(0, 300);
}

/** The string enum (and const) values of a tool's parameters, nested ones included, lower case. */
export function enumValues(tool: Tool): string[] {
  const values: string[] = [];
  const walk = (schema: Schema | undefined, depth: number) => {
    if (!schema || typeof schema !== "object" || depth > MAX_DEPTH + 2) return;
    for (const value of Array.isArray(schema.enum) ? schema.enum : [schema.const]) {
      if (typeof value === "string") values.push(value.toLowerCase());
    }
    const children = [
      ...Object.values((schema.properties ?? {}) as Record<string, Schema>),
      schema.items as Schema | undefined,
      ...(["anyOf", "oneOf", "allOf"] as const).flatMap((key) =>
        Array.isArray(schema[key]) ? (schema[key] as Schema[]) : [],
      ),
    ];
    for (const child of children) walk(child, depth + 1);
  };
  walk(tool.inputSchema as Schema, 0);
  return values;
}
