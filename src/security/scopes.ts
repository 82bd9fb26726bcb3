import type { Caller } from "../gateway/caller.ts";

/** Scope fields as written on an API key or an OAuth scope mapping. */
export interface ScopeFields {
  backends: string[];
  allowed_tools: string[];
  denied_tools: string[];
}

export interface Pattern {
  source: string;
  server: RegExp;
  tool: RegExp;
  /** True when the pattern covers every tool of the servers it matches. */
  wholeServer: boolean;
}

/**
 * Compiles a scope glob. `server` and `server:*` cover every tool of a server; `server:tool`
 * one tool. `*` matches any run of characters except `:`, so `*` alone means every server but
 * `git*` never reaches into a tool name.
 */
export function compilePattern(source: string): Pattern {
  const colon = source.indexOf(":");
  const serverGlob = colon === -1 ? source : source.slice(0, colon);
  const toolGlob = colon === -1 ? "*" : source.slice(colon + 1);
  return {
    source,
    server: globToRegExp(serverGlob),
    tool: globToRegExp(toolGlob),
    wholeServer: toolGlob === "*",
  };
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join("[^:]*");
  return new RegExp(`^${body}$`);
}

/** Whether a compiled pattern covers `server:tool` (`tool` "*": the whole server). */
export function matches(pattern: Pattern, server: string, tool: string): boolean {
  if (!pattern.server.test(server)) return false;
  // The server itself ("*"): only a pattern covering all its tools speaks for it.
  if (tool === "*") return pattern.wholeServer;
  return pattern.tool.test(tool);
}

export interface ScopedCallerOptions {
  id: string;
  admin: boolean;
  /** One set per grant (a key, or each OAuth scope the token carries); grants add up. */
  grants: ScopeFields[];
  /** Names the grant in denial messages: `key "ci"`. */
  label: string;
}

/**
 * A caller limited by allow and deny globs. Deny wins; an empty allow list means everything;
 * `backends: [a]` is `allowed_tools: ["a:*"]`. Several grants (OAuth scopes) add up: a tool is
 * allowed when any grant allows it and no grant denies it.
 */
export function createScopedCaller(options: ScopedCallerOptions): Caller {
  const deny = options.grants.flatMap((grant) => grant.denied_tools).map(compilePattern);
  const allowLists = options.grants.map((grant) =>
    [...grant.backends.map((backend) => `${backend}:*`), ...grant.allowed_tools].map(
      compilePattern,
    ),
  );
  const allowAll = allowLists.some((list) => list.length === 0);
  const allow = allowLists.flat();

  function denial(server: string, tool: string): string | undefined {
    const denied = deny.find((pattern) =>
      tool === "*"
        ? pattern.wholeServer && pattern.server.test(server)
        : matches(pattern, server, tool),
    );
    if (denied) return `denied_tools "${denied.source}" of ${options.label}`;
    if (allowAll) return undefined;
    const allowed =
      tool === "*"
        ? allow.some((pattern) => pattern.server.test(server))
        : allow.some((pattern) => matches(pattern, server, tool));
    if (allowed) return undefined;
    const what = tool === "*" ? server : `${server}:${tool}`;
    return `allowed_tools of ${options.label} (${allow.map((p) => p.source).join(", ")}) do not include ${what}`;
  }

  return {
    id: options.id,
    admin: options.admin,
    allows: (server, tool) => denial(server, tool) === undefined,
    denial,
  };
}
