/**
 * YAML for `config export` without loading the yaml library (about 12 ms of a light command's
 * start): plain data written exactly as `stringify(value, { lineWidth: 0 })` writes it. Only the
 * shapes that writer prints simply are handled here: maps, lists of maps or scalars, finite
 * numbers, booleans, null and ASCII strings unquoted or in plain double quotes. Anything else (an
 * escape, a list in a list, an exponent) is `undefined`, and the caller asks the library.
 */
export function plainYaml(value: unknown): string | undefined {
  const lines: string[] = [];
  if (!value || typeof value !== "object" || Array.isArray(value)) return undefined;
  if (Object.keys(value).length === 0) return undefined;
  return writeMap(value as Record<string, unknown>, "", lines)
    ? `${lines.join("\n")}\n`
    : undefined;
}

/** Writes `map`'s entries at `indent`; false when one is not plain. */
function writeMap(map: Record<string, unknown>, indent: string, lines: string[]): boolean {
  let first = true;
  for (const [key, child] of Object.entries(map)) {
    const name = yamlString(key);
    if (child === undefined || name === undefined) return false;
    // The first entry of a map in a list goes on the list's `- ` line.
    const head = first && indent.endsWith("- ") ? `${indent}${name}:` : `${blank(indent)}${name}:`;
    first = false;
    if (!writeValue(child, head, blank(indent), lines)) return false;
  }
  return true;
}

/** Writes `value` after `head` (`key:` or `-`); nested blocks indent two past `indent`. */
function writeValue(value: unknown, head: string, indent: string, lines: string[]): boolean {
  const scalar = plainScalar(value);
  if (scalar !== undefined) {
    emit(lines, `${head} ${scalar}`);
    return true;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return emit(lines, `${head} []`);
    emit(lines, head);
    return value.every((item) => {
      if (item && typeof item === "object" && !Array.isArray(item)) {
        if (Object.keys(item).length === 0) return emit(lines, `${indent}  - {}`);
        return writeMap(item as Record<string, unknown>, `${indent}  - `, lines);
      }
      return !Array.isArray(item) && writeValue(item, `${indent}  -`, `${indent}  `, lines);
    });
  }
  if (value && typeof value === "object") {
    if (Object.keys(value).length === 0) return emit(lines, `${head} {}`);
    emit(lines, head);
    return writeMap(value as Record<string, unknown>, `${indent}  `, lines);
  }
  return false;
}

/** A scalar as the library writes it unquoted, or undefined (not a scalar, or not plain). */
function plainScalar(value: unknown): string | undefined {
  if (value === null) return "null";
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number") {
    const text = String(value);
    return Number.isFinite(value) && !Object.is(value, -0) && !/e/i.test(text) ? text : undefined;
  }
  return typeof value === "string" ? yamlString(value) : undefined;
}

/**
 * A string as the library writes it: unquoted where it may be, else in double quotes when those
 * need no escape (printable ASCII without `"` or a backslash); undefined for anything else.
 */
function yamlString(text: string): string | undefined {
  if (!/^[\x20-\x7e]*$/.test(text) || DOCUMENT_MARKER.test(text)) return undefined;
  if (plainString(text)) return text;
  return /["\\]/.test(text) ? undefined : `"${text}"`;
}

// The library's own tests: what it quotes, and what would read back as another type (core schema).
const NEEDS_QUOTES =
  /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
const OTHER_TYPE = [
  /^(?:~|[Nn]ull|NULL)?$/,
  /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/,
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
  /^0o[0-7]+$/,
  /^[-+]?[0-9]+$/,
  /^0x[0-9a-fA-F]+$/,
];

const DOCUMENT_MARKER = /^(?:%|---|\.\.\.)/;

/** Whether the library writes `text` (printable ASCII, no document marker) unquoted. */
function plainString(text: string): boolean {
  return !NEEDS_QUOTES.test(text) && !OTHER_TYPE.some((pattern) => pattern.test(text));
}

/** Adds `line`; true, for the writers' "written" answer. */
function emit(lines: string[], line: string): true {
  lines.push(line);
  return true;
}

const blank = (indent: string): string => " ".repeat(indent.length);
