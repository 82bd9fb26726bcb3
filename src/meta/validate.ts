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
