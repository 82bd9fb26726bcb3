import type { Config } from "./schema.ts";

/** The original gateway's name for its capabilities backend (its `capabilities.name` default). */
const ORIGINAL_NAME = "gateway";

/**
 * Scopes naming the server `gateway` mean the capabilities backend, as calls to it do (the
 * pool's alias): the original gateway's configs name it so in key scopes, routing profiles and
 * its tool policy. Rewritten once at load, so that every check and every warning about an
 * unmatched pattern sees the backend's own name: `backends: [gateway]` would otherwise reach
 * nothing, and `denied_tools: ["gateway:*"]` deny nothing. No backend may be named `gateway`.
 */
export function aliasGatewayScopes(config: Config): void {
  const name = config.capabilities.name;
  if (name === ORIGINAL_NAME) return;
  const server = (glob: string) => (glob === ORIGINAL_NAME ? name : glob);
  const tool = (pattern: string) =>
    pattern.startsWith(`${ORIGINAL_NAME}:`)
      ? `${name}:${pattern.slice(ORIGINAL_NAME.length + 1)}`
      : pattern;
  const grants = [...config.auth.api_keys, ...Object.values(config.auth.oauth?.scopes ?? {})];
  for (const grant of grants) {
    grant.backends = grant.backends.map(server);
    grant.resources = grant.resources.map(server);
    grant.prompts = grant.prompts.map(server);
    grant.allowed_tools = grant.allowed_tools.map(tool);
    grant.denied_tools = grant.denied_tools.map(tool);
  }
  for (const profile of Object.values(config.routing_profiles)) {
    profile.allow_backends = profile.allow_backends?.map(server);
    profile.deny_backends = profile.deny_backends.map(server);
    profile.allow_tools = profile.allow_tools?.map(tool);
    profile.deny_tools = profile.deny_tools.map(tool);
  }
  const policy = config.security.tool_policy;
  if (policy) {
    policy.allow = policy.allow.map(tool);
    policy.deny = policy.deny.map(tool);
  }
  for (const rule of config.security.firewall.rules) rule.match = tool(rule.match);
}
