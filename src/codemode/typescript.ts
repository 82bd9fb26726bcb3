/**
 * JSON Schema to TypeScript, for code mode: a search match becomes the one line a model needs to
 * write the call, e.g.
 *
 *   /** Echo a message back *\/
 *   tools.fixture.echo(args: { message: string }): Promise<unknown>
 *
 * Approximate by design: what TypeScript cannot say (formats, patterns, bounds) is left out, and
 * what this does not follow (`$ref`, past a depth) becomes `unknown`.
 */

import { trimDescription } from "../search/compact.ts";

type Schema = Record<string, unknown>;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** Nesting kept before a type becomes `unknown`. */
const MAX_DEPTH = 6;
/** A property's description is cut to this, to keep declarations small. */
const MAX_NOTE = 80;

/** The call of `server`'s `tool` as a script writes it: `tools.a.b` or `tools.a["b-c"]`. */
export function callPath(server: string, tool: string): string {
  const part = (name: string) => (IDENTIFIER.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`);
  return `tools${part(server)}${part(tool)}`;
}

/** A tool as a signature with its description as a doc comment. */
export function toDeclaration(
  server: string,
  tool: { name: string; description?: string; inputSchema?: unknown; outputSchema?: unknown },
): string {
  const args = toType(tool.inputSchema ?? { type: "object" }, 0);
  const output = tool.outputSchema ? toType(tool.outputSchema, 0) : "unknown";
  const about = tool.description ? oneLine(trimDescription(tool.description), Infinity) : "";
  const note = about ? `/** ${about} */\n` : "";
  return `${note}${callPath(server, tool.name)}(args: ${args}): Promise<${output}>`;
}

/** One JSON Schema as a TypeScript type. */
export function toType(schema: unknown, depth: number): string {
  if (schema === true || schema === undefined) return "unknown";
  if (schema === false) return "never";
  if (typeof schema !== "object" || schema === null || depth > MAX_DEPTH) return "unknown";
  const s = schema as Schema;
  if ("const" in s) return literal(s.const);
  if (Array.isArray(s.enum)) return s.enum.map(literal).join(" | ") || "never";
  const union = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
  if (Array.isArray(union))
    return join(
      union.map((part) => toType(part, depth + 1)),
      " | ",
    );
  if (Array.isArray(s.allOf)) {
    return join(
      s.allOf.map((part) => toType(part, depth + 1)),
      " & ",
    );
  }
  if (Array.isArray(s.type)) {
    return join(
      s.type.map((type) => toType({ ...s, type }, depth)),
      " | ",
    );
  }
  switch (s.type) {
    case "string":
      return "string";
    case "number":
    case "integer":
      return "number";
    case "boolean":
      return "boolean";
    case "null":
      return "null";
    case "array":
      return `${wrap(toType(s.items, depth + 1))}[]`;
    case "object":
      return objectType(s, depth);
    default:
      return s.properties ? objectType(s, depth) : "unknown";
  }
}

function objectType(s: Schema, depth: number): string {
  const properties = (s.properties ?? {}) as Record<string, unknown>;
  const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
  const fields = Object.entries(properties).map(([name, property]) => {
    const key = IDENTIFIER.test(name) ? name : JSON.stringify(name);
    const description = (property as Schema | undefined)?.description;
    const note =
      typeof description === "string" && description ? `/** ${oneLine(description)} */ ` : "";
    return `${note}${key}${required.has(name) ? "" : "?"}: ${toType(property, depth + 1)}`;
  });
  const extra = s.additionalProperties;
  if (extra && typeof extra === "object") {
    fields.push(`[key: string]: ${toType(extra, depth + 1)}`);
  } else if (fields.length === 0) {
    return extra === false ? "{}" : "Record<string, unknown>";
  }
  return `{ ${fields.join("; ")} }`;
}

function literal(value: unknown): string {
  return value === undefined ? "undefined" : JSON.stringify(value);
}

function join(parts: string[], separator: string): string {
  const unique = [...new Set(parts)];
  return unique.length ? unique.join(separator) : "unknown";
}

/** Parenthesised where `[]` would bind to the last member of a union. */
function wrap(type: string): string {
  return /[|&]/.test(type) ? `(${type})` : type;
}

function oneLine(text: string, max = MAX_NOTE): string {
  const flat = text.replace(/\s+/g, " ").replace(/\*\//g, "* /").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
