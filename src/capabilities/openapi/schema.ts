import type { JsonObject } from "../../backends/types.ts";

/** Keys that carry no meaning for argument checking and cost tokens. */
const DROPPED = new Set(["example", "examples", "xml", "externalDocs", "discriminator", "$schema"]);
const MAX_DEPTH = 8;
const MAX_DESCRIPTION = 200;

/**
 * Turns an OpenAPI (3.0, 3.1) or Swagger 2.0 schema, already dereferenced, into standalone JSON
 * Schema (2020-12): `nullable` becomes a `null` type, boolean `exclusiveMinimum` becomes a number,
 * read-only properties are left out of request bodies, cycles and very deep nesting end in `{}`.
 */
export function toJsonSchema(schema: unknown, options: { request?: boolean } = {}): JsonObject {
  return (convert(schema, new Set(), 0, options.request ?? false) as JsonObject) ?? {};
}

function convert(node: unknown, seen: Set<unknown>, depth: number, request: boolean): unknown {
  if (Array.isArray(node)) return node.map((item) => convert(item, seen, depth, request));
  if (!node || typeof node !== "object") return node;
  if (seen.has(node) || depth > MAX_DEPTH) return { description: "(nested further; any value)" };
  seen.add(node);
  const source = node as JsonObject;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(source)) {
    if (DROPPED.has(key) || key.startsWith("x-")) continue;
    if (key === "nullable" || key === "readOnly" || key === "writeOnly") continue;
    if (key === "description" && typeof value === "string") {
      out.description = cleanText(value, MAX_DESCRIPTION);
    } else if (key === "properties" && value && typeof value === "object") {
      const properties: JsonObject = {};
      for (const [name, property] of Object.entries(value as JsonObject)) {
        if (request && (property as JsonObject)?.readOnly === true) continue;
        properties[name] = convert(property, seen, depth + 1, request);
      }
      out.properties = properties;
    } else if (key === "exclusiveMinimum" || key === "exclusiveMaximum") {
      if (typeof value === "number") out[key] = value;
      else if (value === true) {
        const bound = key === "exclusiveMinimum" ? "minimum" : "maximum";
        out[key] = source[bound];
      }
    } else if (key === "type" && value === "file") {
      out.type = "string";
    } else {
      out[key] = convert(value, seen, depth + 1, request);
    }
  }
  // 3.0 booleans turned into numbers replace the inclusive bound they came with.
  if (source.exclusiveMinimum === true) delete out.minimum;
  if (source.exclusiveMaximum === true) delete out.maximum;
  if (source.nullable === true && typeof out.type === "string") out.type = [out.type, "null"];
  if (Array.isArray(out.required) && out.properties) {
    const names = Object.keys(out.properties as JsonObject);
    out.required = (out.required as string[]).filter((name) => names.includes(name));
    if ((out.required as string[]).length === 0) delete out.required;
  }
  seen.delete(node);
  return out;
}

/**
 * A description as the model should see it: Markdown links reduced to their text, HTML tags
 * and comments removed, whitespace collapsed, cut at a word boundary.
 */
export function cleanText(text: string, max: number): string {
  // Each pattern stops at the next opening bracket: `<!--[\s\S]*?-->`, `\[[^\]]*\]` and
  // `<[^>]*>` read to the end of the text from every unclosed opening, in quadratic time.
  const flat = withoutComments(text)
    .replace(/!?\[([^[\]]*)\]\([^()]*\)/g, "$1")
    .replace(/<\/?[a-zA-Z][^<>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(" ");
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,;:.]+$/, "")}…`;
}

/** `text` with each closed `<!-- ... -->` replaced by a space, in one pass. */
function withoutComments(text: string): string {
  let out = "";
  let from = 0;
  for (;;) {
    const open = text.indexOf("<!--", from);
    const close = open < 0 ? -1 : text.indexOf("-->", open + 4);
    if (close < 0) return out + text.slice(from);
    out += `${text.slice(from, open)} `;
    from = close + 3;
  }
}
