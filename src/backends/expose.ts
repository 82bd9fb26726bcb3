import type { ResolvedBackend } from "../config/load.ts";
import type { Tool } from "../mcp/sdk.ts";

/**
 * A backend's tools as the gateway exposes them (`backends.<n>.namespace`, and per tool
 * `rename` and `hide`). Applied where the live list comes in, so the index, search, lists,
 * gateway.lock and every call path see one set of names; `backendToolName` maps a call back.
 */
export function exposeTools(config: ResolvedBackend, tools: Tool[]): Tool[] {
  const rules = config.tools ?? {};
  if (!config.namespace && !Object.values(rules).some((rule) => rule.rename || rule.hide)) {
    return tools;
  }
  return tools
    .filter((tool) => !rules[tool.name]?.hide)
    .map((tool) => {
      const name = exposedName(config, tool.name);
      return name === tool.name ? tool : { ...tool, name };
    });
}

function exposedName(config: ResolvedBackend, name: string): string {
  const renamed = config.tools?.[name]?.rename;
  if (renamed) return renamed;
  return config.namespace ? `${config.namespace}_${name}` : name;
}

/** The backend's own name of an exposed tool name (the inverse of `exposeTools`). */
export function backendToolName(config: ResolvedBackend, exposed: string): string {
  const rules = config.tools ?? {};
  for (const [name, rule] of Object.entries(rules)) if (rule.rename === exposed) return name;
  const prefix = config.namespace ? `${config.namespace}_` : "";
  if (prefix && exposed.startsWith(prefix)) {
    const name = exposed.slice(prefix.length);
    if (!rules[name]?.rename) return name;
  }
  return exposed;
}

/**
 * A tool as a client is to list it: one whose results a `response_transform` reshapes is listed
 * without the backend's `outputSchema`, which does not describe them (a client checks structured
 * results against it and refused every transformed one). The index and gateway.lock keep the
 * backend's definition.
 */
export function listedTool(config: ResolvedBackend, tool: Tool): Tool {
  if (!tool.outputSchema) return tool;
  if (!config.tools?.[backendToolName(config, tool.name)]?.response_transform) return tool;
  const { outputSchema: _reshaped, ...listed } = tool;
  return listed;
}
