import type { Caller, CatalogKind } from "../gateway/caller.ts";
import { wildcardMatch } from "../search/wildcard.ts";

/** Scope fields as written on an API key or an OAuth scope mapping. */
export interface ScopeFields {
  backends: string[];
  allowed_tools: string[];
  denied_tools: string[];
  /** Servers (globs) whose resources this grant gives without their tools. */
  resources?: string[];
  /** Servers (globs) whose prompts this grant gives without their tools. */
  prompts?: string[];
}

/** A compiled glob: `test` says whether a whole name matches it. */
export interface Glob {
  test(name: string): boolean;
}

export interface Pattern {
  source: string;
  server: Glob;
  tool: Glob;
  /** True when the pattern covers every tool of the servers it matches (`server:*`). */
  wholeServer: boolean;
}

/**
 * Compiles a `*_tools` glob. Server names cannot contain `:`, so the first `:` ends the server
 * glob and the rest is the tool glob, which may hold more `:` (`s:a:b` is tool `a:b` on `s`).
 * A pattern without `:` is a tool glob on every server (`write_*` is `*:write_*`, as in the
 * original gateway). `server:*` covers every tool of a server, those with `:` in their own name
 * too; otherwise `*` matches any run of characters except `:`.
 */
export function compilePattern(source: string): Pattern {
  const colon = source.indexOf(":");
  const serverGlob = colon === -1 ? "*" : source.slice(0, colon);
  const toolGlob = colon === -1 ? source : source.slice(colon + 1);
  return {
    source,
    // In any case, as a call names a backend (BackendPool.canonical): a deny written `github:*`
    // for the backend `GitHub` must not be a rule that matches nothing.
    server: globToRegExp(serverGlob, true),
    tool: globToRegExp(toolGlob),
    wholeServer: toolGlob === "*",
  };
}

/** A `backends:` entry: a server glob, the same as `allowed_tools: ["<entry>:*"]`. */
export function compileServerPattern(glob: string): Pattern {
  return { ...compilePattern(`${glob}:*`), source: glob };
}

/**
 * `*` is any run of characters but `:`, everything else itself. Matched by hand, one `:`-part
 * against one: as a regular expression, `*delete*` scanned a backend's long tool name of
 * repeated `delete`s in quadratic time, at every visibility check.
 */
function globToRegExp(glob: string, caseless = false): Glob {
  if (!glob.includes("*")) {
    const folded = glob.toLowerCase();
    return { test: (name) => name === glob || (caseless && name.toLowerCase() === folded) };
  }
  const parts = glob.split(":");
  return {
    test(name) {
      const named = name.split(":");
      if (named.length !== parts.length) return false;
      // `?` is a literal here: only `*` is a wildcard in scope globs.
      return parts.every((part, i) => wildcardMatch(part, named[i]!, { caseless, single: false }));
    },
  };
}

/**
 * Whether a pattern that restricts (a deny, a confirmation) covers `server:tool`: as `matches`,
 * and for a tool whose own name holds `:` (no conforming name does) with the tool glob's `*`
 * taking `:` too. Otherwise `*delete*` passed a backend's `delete:all`, and the default deny
 * list any name a backend put a colon in; an allow stays as narrow as `matches`.
 */
export function restricts(pattern: Pattern, server: string, tool: string): boolean {
  if (matches(pattern, server, tool)) return true;
  if (tool === "*" || !tool.includes(":") || !pattern.server.test(server)) return false;
  const colon = pattern.source.indexOf(":");
  const glob = colon === -1 ? pattern.source : pattern.source.slice(colon + 1);
  return wildcardMatch(glob, tool, { caseless: false, single: false });
}

/**
 * Whether `test` (`matches`, or `restricts` for a deny or a confirmation) holds for a tool under
 * its exposed name or its backend's own (`namespace`, `rename`): rules written for either apply.
 */
export function eitherName(
  test: (pattern: Pattern, server: string, tool: string) => boolean,
  pattern: Pattern,
  server: string,
  tool: string,
  own: string,
): boolean {
  return test(pattern, server, tool) || (own !== tool && test(pattern, server, own));
}

/** Whether a compiled pattern covers `server:tool` (`tool` "*": the whole server). */
export function matches(pattern: Pattern, server: string, tool: string): boolean {
  if (!pattern.server.test(server)) return false;
  if (pattern.wholeServer) return true;
  // The server itself ("*"): only a pattern covering all its tools speaks for it.
  if (tool === "*") return false;
  return pattern.tool.test(tool);
}

/**
 * A `security.trusted_tools` entry: a glob the operator vouches for (every definition its names
 * serve), or `server:tool@sha256:<64 hex>`, that one definition only (what the dashboard's
 * release writes: the definition reviewed, not whatever the backend serves under its name later).
 */
export interface TrustRule {
  /** The entry as written. */
  source: string;
  pattern: Pattern;
  digest?: string;
}

const PINNED_TRUST = /^(.+)@(sha256:[0-9a-f]{64})$/;

export function compileTrust(entry: string): TrustRule {
  const pinned = PINNED_TRUST.exec(entry);
  if (!pinned) return { source: entry, pattern: compilePattern(entry) };
  return { source: entry, pattern: compilePattern(pinned[1]!), digest: pinned[2]! };
}

/**
 * Whether `rules` trust `server:tool`; `digest` gives the definition's digest (undefined: the
 * entry has no definition, so only a glob without one trusts it). Asked only when a pinned
 * rule's name matches.
 */
export function trusts(
  rules: TrustRule[],
  server: string,
  tool: string,
  digest: () => string | undefined = () => undefined,
): boolean {
  let served: string | undefined | null = null;
  return rules.some((rule) => {
    if (!matches(rule.pattern, server, tool)) return false;
    if (rule.digest === undefined) return true;
    if (served === null) served = digest();
    return served === rule.digest;
  });
}

export interface ScopedCallerOptions {
  id: string;
  admin: boolean;
  /** One set per grant (a key, or each OAuth scope the token carries); grants add up. */
  grants: ScopeFields[];
  /** Names the grant in denial messages: `key "ci"`. */
  label: string;
  credentials?: Record<string, string>;
}

/** True when a grant names nothing: empty scope lists mean everything. */
export function grantsEverything(grant: ScopeFields): boolean {
  return (
    grant.backends.length === 0 &&
    grant.allowed_tools.length === 0 &&
    !grant.resources?.length &&
    !grant.prompts?.length
  );
}

/**
 * A caller limited by allow and deny globs. Deny wins; a grant that names nothing allows
 * everything; `backends: [a]` is `allowed_tools: ["a:*"]`. Several grants (OAuth scopes) add up:
 * a tool is allowed when any grant allows it and no grant denies it. A server's resources and
 * prompts need a whole-server grant (`a:*`, `backends: [a]`) or a `resources`/`prompts` entry
 * naming it: a grant of one tool is not a grant of the server.
 */
export function createScopedCaller(options: ScopedCallerOptions): Caller {
  const deny = options.grants.flatMap((grant) => grant.denied_tools).map(compilePattern);
  const allowAll = options.grants.some(grantsEverything);
  const allow = options.grants.flatMap((grant) => [
    ...grant.backends.map(compileServerPattern),
    ...grant.allowed_tools.map(compilePattern),
  ]);
  const catalogs: Record<CatalogKind, Pattern[]> = {
    resources: options.grants.flatMap((grant) => grant.resources ?? []).map(compileServerPattern),
    prompts: options.grants.flatMap((grant) => grant.prompts ?? []).map(compileServerPattern),
    logs: [],
  };

  /** A deny covering the whole server, which hides it, its resources and prompts included. */
  const serverDenial = (server: string) =>
    deny.find((pattern) => pattern.wholeServer && pattern.server.test(server));

  function denies(server: string, tool: string): string | undefined {
    const denied =
      tool === "*" ? serverDenial(server) : deny.find((p) => restricts(p, server, tool));
    return denied ? `denied_tools "${denied.source}" of ${options.label}` : undefined;
  }

  function denial(server: string, tool: string): string | undefined {
    const denied = denies(server, tool);
    if (denied) return denied;
    if (allowAll) return undefined;
    // The server itself: reachable when any pattern or catalog grant can reach into it.
    const allowed =
      tool === "*"
        ? [...allow, ...catalogs.resources, ...catalogs.prompts].some((p) => p.server.test(server))
        : allow.some((pattern) => matches(pattern, server, tool));
    if (allowed) return undefined;
    const what = tool === "*" ? server : `${server}:${tool}`;
    return `allowed_tools of ${options.label} (${allow.map((p) => p.source).join(", ")}) do not include ${what}`;
  }

  // What `allows` depends on, and nothing else (never the key's secret or name).
  const scope = JSON.stringify(
    options.grants.map((g) => [g.backends, g.allowed_tools, g.denied_tools]),
  );
  return {
    id: options.id,
    admin: options.admin,
    credentials: options.credentials,
    allows: (server, tool) => denial(server, tool) === undefined,
    scope: () => scope,
    allowsCatalog(server: string, kind: CatalogKind) {
      if (serverDenial(server)) return false;
      if (allowAll) return true;
      return [...allow, ...catalogs[kind]].some((p) => p.wholeServer && p.server.test(server));
    },
    denial,
    denies,
  };
}
