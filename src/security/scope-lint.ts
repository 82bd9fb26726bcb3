import type { ResolvedConfig } from "../config/load.ts";
import type { RoutingProfile } from "../config/schema.ts";
import { logger } from "../logger.ts";
import type { AuthConfig, SecurityConfig } from "./schema.ts";
import { compilePattern, compileServerPattern, type Pattern } from "./scopes.ts";

/** A scope pattern that matches nothing: a deny that denies nothing is a fail-open. */
export interface UnmatchedScope {
  /** Where it is written: `auth.api_keys[1].denied_tools`. */
  path: string;
  pattern: string;
  /** `server`: no configured server matches; `tool`: no tool those servers list does. */
  level: "server" | "tool";
  message: string;
}

interface Written {
  path: string;
  owner: string;
  field: string;
  pattern: Pattern;
  /** `backends`, `resources`, `prompts` name servers; `*_tools` name tools. */
  names: "servers" | "tools";
  /**
   * A deny-like rule (a deny, a confirmation, a firewall rule), which matches a renamed tool by
   * the backend's own name too; an allow matches exposed names only.
   */
  either?: boolean;
}

const SERVER_FIELDS = ["backends", "resources", "prompts"] as const;
const TOOL_FIELDS = ["allowed_tools", "denied_tools"] as const;

function writtenPatterns(auth: AuthConfig): Written[] {
  const grants = [
    ...auth.api_keys.map((key, index) => ({
      path: `auth.api_keys[${index}]`,
      owner: `key "${key.name}"`,
      fields: key,
    })),
    ...Object.entries(auth.oauth?.scopes ?? {}).map(([scope, fields]) => ({
      path: `auth.oauth.scopes.${scope}`,
      owner: `OAuth scope "${scope}"`,
      fields,
    })),
  ];
  return grants.flatMap(({ path, owner, fields }) => [
    ...SERVER_FIELDS.flatMap((field) =>
      fields[field].map((source) => ({
        path: `${path}.${field}`,
        owner,
        field,
        pattern: compileServerPattern(source),
        names: "servers" as const,
      })),
    ),
    ...TOOL_FIELDS.flatMap((field) =>
      fields[field].map((source) => ({
        path: `${path}.${field}`,
        owner,
        field,
        pattern: compilePattern(source),
        names: "tools" as const,
        either: field === "denied_tools",
      })),
    ),
  ]);
}

/** The patterns of routing profiles: `*_backends` name servers, `*_tools` tools, as keys' do. */
function profilePatterns(profiles: Record<string, RoutingProfile>): Written[] {
  return Object.entries(profiles).flatMap(([name, profile]) => {
    const path = `routing_profiles.${name}`;
    const owner = `routing profile "${name}"`;
    const of = (field: keyof RoutingProfile, names: Written["names"]) =>
      ((profile[field] as string[] | undefined) ?? []).map((source) => ({
        path: `${path}.${field}`,
        owner,
        field,
        pattern: names === "servers" ? compileServerPattern(source) : compilePattern(source),
        names,
        either: field === "deny_tools",
      }));
    return [
      ...of("allow_backends", "servers"),
      ...of("deny_backends", "servers"),
      ...of("allow_tools", "tools"),
      ...of("deny_tools", "tools"),
    ];
  });
}

/**
 * The patterns of the gateway-wide rules in `security`: what a call must be confirmed for, what
 * the tool policy denies, the firewall's rules, the sandbox's backends. A typo there
 * (`github:delete-*` for `delete_*`) confirmed, denied or scanned nothing, without a word.
 */
function securityPatterns(security: SecurityConfig | undefined): Written[] {
  if (!security) return [];
  const owner = "the gateway";
  const tools = (path: string, field: string, sources: readonly string[]) =>
    sources.map((source) => ({
      path,
      owner,
      field,
      pattern: compilePattern(source),
      names: "tools" as const,
      either: true,
    }));
  return [
    ...tools(
      "security.require_confirmation",
      "require_confirmation",
      security.require_confirmation,
    ),
    ...(security.tool_policy?.enabled
      ? tools("security.tool_policy.deny", "deny", security.tool_policy.deny)
      : []),
    ...security.firewall.rules.flatMap((rule, index) =>
      tools(`security.firewall.rules[${index}]`, "match", [rule.match]),
    ),
    ...security.sandbox.backends.map((source) => ({
      path: "security.sandbox.backends",
      owner,
      field: "backends",
      pattern: compileServerPattern(source),
      names: "servers" as const,
    })),
  ];
}

/**
 * The scope patterns of keys, OAuth scopes, routing profiles (`profiles`) and the `security`
 * rules that match nothing. Without `tools`, only whether
 * some configured server matches (what is known at load); with `tools` (server -> the names it
 * listed), also whether a tool pattern matches any tool of those servers. A server whose tools
 * are not known (absent from `tools`: not reached yet, failed) never makes a pattern count as
 * unmatched. `own` gives the backend's own name of an exposed one (`namespace`, `rename`): deny
 * rules match either, as at run time, and an allow written for the own name is told what to write.
 */
export function unmatchedScopes(
  auth: AuthConfig,
  servers: string[],
  tools?: Record<string, string[] | undefined>,
  profiles: Record<string, RoutingProfile> = {},
  security?: SecurityConfig,
  own: (server: string, tool: string) => string = (_server, tool) => tool,
): UnmatchedScope[] {
  if (servers.length === 0) return [];
  const written = [
    ...(auth.enabled ? writtenPatterns(auth) : []),
    ...profilePatterns(profiles),
    ...securityPatterns(security),
  ];
  const found: UnmatchedScope[] = [];
  for (const { path, owner, field, pattern, names, either } of written) {
    const matched = servers.filter((server) => pattern.server.test(server));
    const what = `${field} "${pattern.source}" of ${owner}`;
    if (!matched.length) {
      found.push({
        path,
        pattern: pattern.source,
        level: "server",
        message: `${what} matches no configured server (${servers.join(", ")})`,
      });
      continue;
    }
    if (names !== "tools" || pattern.wholeServer || !tools) continue;
    const listed = matched.map((server) => tools[server]);
    if (listed.some((list) => list === undefined)) continue;
    if (listed.some((list) => list!.some((tool) => pattern.tool.test(tool)))) continue;
    // The backend's own name of a renamed tool: a deny rule holds by it; an allow does not.
    const renamed = matched.flatMap((server) =>
      tools[server]!.filter((tool) => {
        const name = own(server, tool);
        return name !== tool && pattern.tool.test(name);
      }).map((tool) => ({ server, tool })),
    );
    if (renamed.length && either) continue;
    if (renamed.length) {
      const exposed = renamed.map(({ server, tool }) => `"${server}:${tool}"`).join(", ");
      found.push({
        path,
        pattern: pattern.source,
        level: "tool",
        message: `${what} names the backend's own name of ${exposed} (a namespace or rename); allows match the exposed name: write ${exposed}`,
      });
      continue;
    }
    const bare = !pattern.source.includes(":");
    const where = bare ? "any server" : matched.join(", ");
    // The old reading of a bare name was a server: say how to write that now.
    const named = bare && servers.includes(pattern.source);
    found.push({
      path,
      pattern: pattern.source,
      level: "tool",
      message:
        `${what} matches no tool of ${where}` +
        (named
          ? `; a pattern without ":" names tools on every server: write "${pattern.source}:*" for the server`
          : ""),
    });
  }
  return found;
}

/**
 * Logs each scope pattern that matches nothing, by name: at load (no index: servers only), and
 * once discovery has listed the tools (`level: "tool"`: only what the first pass could not tell).
 */
export function warnUnmatchedScopes(
  config: Pick<ResolvedConfig, "auth" | "routing_profiles" | "security">,
  servers: string[],
  listed?: (server: string) => string[] | undefined,
  level?: UnmatchedScope["level"],
  own?: (server: string, tool: string) => string,
): void {
  const tools = listed
    ? Object.fromEntries(servers.map((server) => [server, listed(server)]))
    : undefined;
  for (const unmatched of unmatchedScopes(
    config.auth,
    servers,
    tools,
    config.routing_profiles,
    config.security,
    own,
  )) {
    if (level && unmatched.level !== level) continue;
    logger.withTag("auth").warn(`${unmatched.path}: ${unmatched.message}`);
  }
}
