import { AjvJsonSchemaValidator, type Tool } from "../mcp/sdk.ts";
import { unsafeRegex } from "../security/safe-regex.ts";

type Check = (input: unknown) => string | undefined;

const provider = new AjvJsonSchemaValidator();
const checks = new WeakMap<object, Check>();

/**
 * Checks arguments against a tool's `inputSchema` in the schema's own dialect (2020-12 when it
 * names none). Returns a message naming the wrong field, or undefined when they fit. A schema
 * that does not compile is not held against the call: it is forwarded unchecked.
 */
export function checkArguments(tool: Tool, args: unknown): string | undefined {
  return checkAgainst(tool.inputSchema, args, "arguments");
}

/**
 * Checks a result's `structuredContent` against the tool's `outputSchema` as a client does
 * (the SDK's `callTool`): a message naming what is wrong (missing, or the field), or undefined
 * when it fits or the tool declares no schema (or one that does not compile).
 */
export function checkStructured(tool: Tool, structured: unknown): string | undefined {
  if (!tool.outputSchema) return undefined;
  if (structured === undefined) return "it has an outputSchema but answered no structuredContent";
  return checkAgainst(tool.outputSchema, structured, "structuredContent");
}

function checkAgainst(schema: object, input: unknown, name: string): string | undefined {
  let check = checks.get(schema);
  if (!check) {
    check = compile(schema);
    checks.set(schema, check);
  }
  // ajv names the value checked `data`: each error's path starts with it (a field may be
  // called `data` too, and keeps its name).
  return check(input)?.replace(/(^|, )data(?=[/ ])/g, `$1${name}`);
}

function compile(raw: object): Check {
  try {
    const schema = withoutSlowPatterns(raw) as Record<string, unknown>;
    const validate = provider.getValidator(schema);
    let lenient: ((input: unknown) => boolean) | undefined;
    return (input) => {
      const result = validate(input);
      if (result.valid) return undefined;
      // The check failed on a string too long for the `uri` formats' regular expression: the
      // value is checked again without those formats (the backend checks its own).
      if (hasLongString(input)) {
        lenient ??= lenientValidator(schema);
        if (lenient(input)) return undefined;
      }
      return result.errorMessage;
    };
  } catch {
    return () => undefined;
  }
}

/**
 * Strings longer than this are not checked against `URI_FORMATS`: under Bun the regular
 * expression of ajv-formats' `uri` and `uri-reference` answers "no match" for any string past
 * about 98,000 characters, so a data: URI of a 75 KB file was refused as not a URI.
 */
const LONG_STRING = 50_000;
const URI_FORMATS = new Set(["uri", "uri-reference"]);

function hasLongString(value: unknown): boolean {
  if (typeof value === "string") return value.length > LONG_STRING;
  if (typeof value !== "object" || value === null) return false;
  return Object.values(value).some(hasLongString);
}

/** Whether arguments fit `schema` but for its `uri` formats; true when that does not compile. */
function lenientValidator(schema: Record<string, unknown>): (input: unknown) => boolean {
  // Without its `$id`: the engine would hand back the strict schema it holds under that id.
  const { $id: _id, ...rest } = withoutUriFormats(schema) as Record<string, unknown>;
  try {
    const validate = provider.getValidator(rest);
    return (input) => validate(input).valid;
  } catch {
    return () => true;
  }
}

/** A copy of `schema` without its `format: uri` and `format: uri-reference` keywords. */
function withoutUriFormats(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutUriFormats);
  if (typeof schema !== "object" || schema === null) return schema;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "format" && typeof value === "string" && URI_FORMATS.has(value)) continue;
    copy[key] = withoutUriFormats(value);
  }
  return copy;
}

/**
 * A copy of `schema` without the `pattern`s (and `patternProperties`) whose regular expression
 * backtracks (src/security/safe-regex.ts): the gateway runs them over a caller's arguments on
 * its event loop, and `^(a+)+$` in a backend's schema took it minutes on 40 characters, for every
 * session. The backend checks its own patterns.
 */
function withoutSlowPatterns(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutSlowPatterns);
  if (typeof schema !== "object" || schema === null) return schema;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "pattern" && typeof value === "string" && unsafeRegex(value, "u")) continue;
    if (key === "patternProperties" && value && typeof value === "object") {
      const kept = Object.entries(value).filter(([pattern]) => !unsafeRegex(pattern, "u"));
      copy[key] = Object.fromEntries(kept.map(([k, v]) => [k, withoutSlowPatterns(v)]));
      continue;
    }
    copy[key] = withoutSlowPatterns(value);
  }
  return copy;
}

/** Deepest nesting of objects and arrays accepted in a call's arguments (docs/security.md). */
export const MAX_ARGUMENT_DEPTH = 64;

/** Largest call arguments accepted, in characters of their JSON text (docs/security.md). */
export const MAX_ARGUMENT_SIZE = 1024 * 1024;

/**
 * Checks that `value` (a call's arguments, or a request's params) is at most
 * `MAX_ARGUMENT_DEPTH` deep and `MAX_ARGUMENT_SIZE` characters of JSON, before anything
 * recurses over it or forwards it. Returns a message naming the limit, or undefined. Walks with
 * its own stack: 100,000 levels must be refused, not overflow the gateway's stack, which would
 * otherwise be taken for the backend failing and open its circuit breaker for every caller.
 */
export function checkArgumentLimits(value: unknown): string | undefined {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== "object" || item === null) continue;
    if (depth > MAX_ARGUMENT_DEPTH) {
      return `arguments nest deeper than ${MAX_ARGUMENT_DEPTH} levels (the gateway's limit)`;
    }
    for (const child of Array.isArray(item) ? item : Object.values(item)) {
      if (typeof child === "object" && child !== null) stack.push([child, depth + 1]);
    }
  }
  const size = JSON.stringify(value ?? null).length;
  if (size > MAX_ARGUMENT_SIZE) {
    return `arguments are ${size} characters of JSON, over the gateway's limit of ${MAX_ARGUMENT_SIZE}`;
  }
  return undefined;
}
