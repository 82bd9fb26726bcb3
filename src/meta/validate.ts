import { AjvJsonSchemaValidator, type Tool } from "../mcp/sdk.ts";

type Check = (input: unknown) => string | undefined;

const provider = new AjvJsonSchemaValidator();
const checks = new WeakMap<Tool, Check>();

/**
 * Checks arguments against a tool's `inputSchema` in the schema's own dialect (2020-12 when it
 * names none). Returns a message naming the wrong field, or undefined when they fit. A schema
 * that does not compile is not held against the call: it is forwarded unchecked.
 */
export function checkArguments(tool: Tool, args: unknown): string | undefined {
  let check = checks.get(tool);
  if (!check) {
    check = compile(tool);
    checks.set(tool, check);
  }
  return check(args);
}

function compile(tool: Tool): Check {
  try {
    const validate = provider.getValidator(tool.inputSchema as Record<string, unknown>);
    return (input) => {
      const result = validate(input);
      return result.valid ? undefined : result.errorMessage.replace(/\bdata\b/g, "arguments");
    };
  } catch {
    return () => undefined;
  }
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
