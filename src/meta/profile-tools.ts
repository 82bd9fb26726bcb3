import type { RoutingProfile } from "../config/schema.ts";
import { GatewayError } from "../errors.ts";
import type { MetaTool } from "./types.ts";
import { jsonResult, objectSchema, requireAdmin, stringArg } from "./types.ts";

/** A profile's filters as results show them. */
function describe(name: string, profile: RoutingProfile) {
  return {
    name,
    ...(profile.description ? { description: profile.description } : {}),
    ...(profile.allow_backends ? { allow_backends: profile.allow_backends } : {}),
    deny_backends: profile.deny_backends,
    ...(profile.allow_tools ? { allow_tools: profile.allow_tools } : {}),
    deny_tools: profile.deny_tools,
  };
}

const PROFILE_OUTPUT = objectSchema({
  profile: { type: ["string", "null"] },
  description: { type: "string" },
  filters: { type: "object" },
  switchable: { type: "boolean" },
});

/** `gateway_get_profile`: the session's routing profile and its filters. */
export const getProfile: MetaTool = {
  definition: {
    name: "gateway_get_profile",
    description: "The routing profile this session uses and its filters.",
    inputSchema: objectSchema({}),
    outputSchema: PROFILE_OUTPUT,
    annotations: { title: "Get profile", readOnlyHint: true, openWorldHint: false },
  },
  async handle(_args, { gateway, caller }) {
    const name = caller.profile?.name;
    const profile = name ? gateway.config.routing_profiles[name] : undefined;
    return jsonResult({
      profile: name ?? null,
      ...(profile?.description ? { description: profile.description } : {}),
      ...(profile && name ? { filters: describe(name, profile) } : {}),
      switchable: caller.profile?.switchable ?? false,
    });
  },
};

/** `gateway_set_profile`: switches the session's routing profile for its later requests. */
export const setProfile: MetaTool = {
  definition: {
    name: "gateway_set_profile",
    description:
      "Switch this session's routing profile (admin); it narrows what the key's scopes allow.",
    inputSchema: objectSchema(
      { profile: { type: "string", description: "A name from gateway_list_profiles" } },
      ["profile"],
    ),
    outputSchema: PROFILE_OUTPUT,
    annotations: {
      title: "Set profile",
      readOnlyHint: false,
      idempotentHint: true,
      openWorldHint: false,
    },
  },
  async handle(args, context) {
    const { gateway, caller } = context;
    requireAdmin(caller, "gateway_set_profile");
    const name = stringArg(args, "profile", true);
    const profile = gateway.config.routing_profiles[name];
    if (!profile) {
      const known = Object.keys(gateway.config.routing_profiles);
      throw new GatewayError(
        "INVALID_ARGUMENTS",
        `unknown routing profile "${name}"; gateway_list_profiles lists them (${known.join(", ") || "none configured"})`,
      );
    }
    if (!caller.profile?.switchable) {
      throw new GatewayError(
        "INVALID_ARGUMENTS",
        "this request has no session to switch: name the profile in the X-MCP-Profile header instead",
      );
    }
    caller.profile.name = name;
    return getProfile.handle({}, context);
  },
};

/** `gateway_list_profiles`: the configured routing profiles and the default. */
export const listProfiles: MetaTool = {
  definition: {
    name: "gateway_list_profiles",
    description: "The routing profiles a session can use, and the default.",
    inputSchema: objectSchema({}),
    outputSchema: objectSchema({
      profiles: { type: "array", items: { type: "object" } },
      default: { type: ["string", "null"] },
      total: { type: "number" },
    }),
    annotations: { title: "List profiles", readOnlyHint: true, openWorldHint: false },
  },
  async handle(_args, { gateway }) {
    const profiles = Object.entries(gateway.config.routing_profiles).map(([name, profile]) =>
      describe(name, profile),
    );
    return jsonResult({
      profiles,
      default: gateway.config.default_routing_profile ?? null,
      total: profiles.length,
    });
  },
};
