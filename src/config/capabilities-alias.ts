import type { Config } from "./schema.ts";

/** The capabilities backend's name in the original gateway, which it still answers to here. */
const ORIGINAL_NAME = "gateway";

/**
 * Scope and policy patterns written with the original's name for the capabilities backend
 * (`gateway:stripe_*`, `backends: [gateway]`) are rewritten to its name here. A call may name
 * the backend either way (`gateway_invoke {server: "gateway"}`), but patterns are matched
 * against its one name: left as written, an original config's deny or confirmation rule on
 * `gateway:…` would deny or confirm nothing (a rule that fails open).
 */
export function applyCapabilitiesAlias(config: Config): void {
  const name = config.capabilities.name;
  if (name === ORIGINAL_NAME) return;
  /** `gateway:tool` → `<name>:tool`; other patterns unchanged. */
  const tool = (pattern: string) =>
    pattern.startsWith(`${ORIGINAL_NAME}:`)
      ? `${name}${pattern.slice(ORIGINAL_NAME.length)}`
      : pattern;
  const tools = (patterns: string[]) => patterns.map(tool);
  /** A server glob `gateway` → `<name>`. */
  const servers = (globs: string[]) => globs.map((g) => (g === ORIGINAL_NAME ? name : g));
  const grant = (fields: {
    backends: string[];
    allowed_tools: string[];
    denied_tools: string[];
    resources: string[];
    prompts: string[];
  }) => {
    fields.backends = servers(fields.backends);
    fields.allowed_tools = tools(fields.allowed_tools);
    fields.denied_tools = tools(fields.denied_tools);
    fields.resources = servers(fields.resources);
    fields.prompts = servers(fields.prompts);
  };
  for (const key of config.auth.api_keys) grant(key);
  for (const scope of Object.values(config.auth.oauth?.scopes ?? {})) grant(scope);
  const { security } = config;
  security.trusted_tools = tools(security.trusted_tools);
  security.require_confirmation = tools(security.require_confirmation);
  security.sandbox.backends = servers(security.sandbox.backends);
  for (const rule of security.firewall.rules) rule.match = tool(rule.match);
  if (security.tool_policy) {
    security.tool_policy.allow = tools(security.tool_policy.allow);
    security.tool_policy.deny = tools(security.tool_policy.deny);
  }
  for (const profile of Object.values(config.routing_profiles)) {
    if (profile.allow_backends) profile.allow_backends = servers(profile.allow_backends);
    profile.deny_backends = servers(profile.deny_backends);
    if (profile.allow_tools) profile.allow_tools = tools(profile.allow_tools);
    profile.deny_tools = tools(profile.deny_tools);
  }
}
