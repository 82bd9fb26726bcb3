import type { ResolvedConfig } from "../config/load.ts";
import { type RoutingProfile, UNWRITTEN_DEFAULT_PROFILE } from "../config/schema.ts";
import { createScopedCaller } from "../security/scopes.ts";
import { type Caller, LOCAL_ADMIN, type ProfileBinding } from "./caller.ts";

/** The header a client names its routing profile with at initialize (the original's). */
export const PROFILE_HEADER = "x-mcp-profile";

/** A profile compiled into two scope layers that must both allow: backends, then tools. */
interface CompiledProfile {
  backends: Caller;
  tools: Caller;
}

const compiled = new WeakMap<RoutingProfile, CompiledProfile>();

function compile(name: string, profile: RoutingProfile): CompiledProfile {
  let entry = compiled.get(profile);
  if (entry) return entry;
  const label = `routing profile "${name}"`;
  const layer = (allowed: string[], denied: string[], backends: string[]) =>
    createScopedCaller({
      id: "",
      admin: false,
      label,
      grants: [{ backends, allowed_tools: allowed, denied_tools: denied }],
    });
  entry = {
    backends: layer(
      [],
      profile.deny_backends.map((glob) => `${glob}:*`),
      profile.allow_backends ?? [],
    ),
    tools: layer(profile.allow_tools ?? [], profile.deny_tools, []),
  };
  compiled.set(profile, entry);
  return entry;
}

/**
 * The caller narrowed by its session's routing profile: what the scopes allow and the profile
 * allows, never more. The binding is read on every check, so `gateway_set_profile` takes effect
 * on the next call; a bound profile that a reload removed allows nothing (fail closed).
 */
export function withProfile(
  caller: Caller,
  config: () => ResolvedConfig,
  binding: ProfileBinding,
): Caller {
  const active = (): CompiledProfile | "gone" | undefined => {
    const name = binding.name;
    if (!name) return undefined;
    const profile = config().routing_profiles[name];
    if (!profile && name === UNWRITTEN_DEFAULT_PROFILE) return undefined;
    return profile ? compile(name, profile) : "gone";
  };
  const profileDenial = (server: string, tool: string): string | undefined => {
    const layers = active();
    if (!layers) return undefined;
    if (layers === "gone") return `routing profile "${binding.name}" no longer exists`;
    return layers.backends.denial?.(server, "*") ?? layers.tools.denial?.(server, tool);
  };
  return {
    id: caller.id,
    admin: caller.admin,
    credentials: caller.credentials,
    profile: binding,
    allows: (server, tool) => caller.allows(server, tool) && !profileDenial(server, tool),
    // A profile's definition changes only at a reload, which renews every scope (Router.scope).
    scope: caller.scope && (() => `${caller.scope!()}\u0000${binding.name ?? ""}`),
    allowsCatalog(server, kind) {
      return caller.allowsCatalog(server, kind) && !profileDenial(server, "*");
    },
    denial: (server, tool) =>
      (caller.allows(server, tool)
        ? undefined
        : (caller.denial?.(server, tool) ?? "the caller's scopes")) ?? profileDenial(server, tool),
    // Read at each call: a reload replaces the key caller's functions in place. The profile's
    // deny_tools too: the router asks this by the backend's own name of a renamed tool, and a
    // profile's `fixture:crash` denied nothing once the backend had a namespace.
    denies: (server, tool) => {
      const denied = caller.denies?.(server, tool);
      if (denied) return denied;
      const layers = active();
      if (layers === "gone") return `routing profile "${binding.name}" no longer exists`;
      return layers?.tools.denies?.(server, tool);
    },
  };
}

/**
 * The profile a client asks for at initialize: the `X-MCP-Profile` header or `params.profile`,
 * else `default_routing_profile`. An unknown name is an error naming the ones that exist.
 */
export function requestedProfile(
  config: ResolvedConfig,
  request: Request,
  body: unknown,
): { name: string | undefined } | { error: string } {
  const params = (body as { params?: { profile?: unknown } } | undefined)?.params;
  const asked =
    request.headers.get(PROFILE_HEADER) ??
    (typeof params?.profile === "string" ? params.profile : undefined);
  return profileNamed(config, asked);
}

/**
 * The profile a client asked for by name (`undefined`: none), else `default_routing_profile`;
 * an unknown name is an error naming the ones that exist.
 */
export function profileNamed(
  config: ResolvedConfig,
  asked: string | undefined,
): { name: string | undefined } | { error: string } {
  let name = asked?.trim() || config.default_routing_profile;
  // The original's usual name, when no profile of that name is written, is the configured
  // default: asking for it must not escape a default_routing_profile that narrows.
  if (name === UNWRITTEN_DEFAULT_PROFILE && !(name in config.routing_profiles)) {
    name = config.default_routing_profile;
  }
  if (name && name !== UNWRITTEN_DEFAULT_PROFILE && !(name in config.routing_profiles)) {
    const known = Object.keys(config.routing_profiles);
    return {
      error: `unknown routing profile "${name}"; routing_profiles in the gateway config has ${known.length ? known.join(", ") : "none"}`,
    };
  }
  return { name };
}

/**
 * The local admin of a stdio session, under the profile `serve --stdio --profile NAME` named
 * (a client spawning the gateway has no header to name one), else `default_routing_profile`
 * (switchable).
 */
export function stdioCaller(config: () => ResolvedConfig, profile?: string): Caller {
  return withProfile(LOCAL_ADMIN, config, {
    name: profile ?? config().default_routing_profile,
    switchable: true,
  });
}
