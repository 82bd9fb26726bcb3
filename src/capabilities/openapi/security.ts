import type { JsonObject } from "../../backends/types.ts";
import { toEnvPrefix } from "./names.ts";

/** A capability `auth` block, as written into a generated file. */
export type Auth = {
  type: string;
  header?: string;
  param?: string;
  key: string;
  required?: boolean;
};

/** Security schemes mapped to capability auth, keyed by scheme name. */
export function securitySchemes(
  api: JsonObject,
  swagger2: boolean,
  envPrefix: string,
): Map<string, Auth | string> {
  const defined = (
    swagger2 ? api.securityDefinitions : (api.components as JsonObject | undefined)?.securitySchemes
  ) as Record<string, JsonObject> | undefined;
  const out = new Map<string, Auth | string>();
  const used = new Set<string>();
  const envName = (suffix: string, scheme: string) => {
    let name = `${envPrefix}_${suffix}`;
    if (used.has(name)) name = `${envPrefix}_${toEnvPrefix(scheme)}_${suffix}`;
    used.add(name);
    return `env:${name}`;
  };
  for (const [name, scheme] of Object.entries(defined ?? {})) {
    const type = String(scheme.type);
    if (type === "apiKey") {
      if (scheme.in === "header")
        out.set(name, {
          type: "api_key",
          header: String(scheme.name),
          key: envName("API_KEY", name),
        });
      else if (scheme.in === "query")
        out.set(name, {
          type: "api_key",
          param: String(scheme.name),
          key: envName("API_KEY", name),
        });
      else out.set(name, `security scheme ${name} (an API key in a cookie) is not supported`);
    } else if (
      type === "basic" ||
      (type === "http" && String(scheme.scheme).toLowerCase() === "basic")
    ) {
      out.set(name, { type: "basic", key: envName("CREDENTIALS", name) });
    } else if (type === "http" && String(scheme.scheme).toLowerCase() === "bearer") {
      out.set(name, { type: "bearer", key: envName("TOKEN", name) });
    } else if (type === "oauth2" || type === "openIdConnect") {
      out.set(name, { type: "bearer", key: envName("TOKEN", name) });
    } else {
      out.set(name, `security scheme ${name} (${type}) is not supported`);
    }
  }
  return out;
}

/** An operation's credentials: `auth`, and API keys the same requirement also needs. */
export type PickedAuth = Auth & { also?: Auth[] };

/**
 * The first requirement of an operation whose every scheme is usable; `{}` among them makes it
 * optional. A requirement naming several schemes needs all of them at once (a key and an app
 * id): the first is `auth`, the others (API keys only) go in `also`.
 */
export function pickAuth(
  security: unknown,
  schemes: Map<string, Auth | string>,
): PickedAuth | undefined | string {
  const requirements = (security as Record<string, unknown>[] | undefined) ?? [];
  if (requirements.length === 0) return undefined;
  const optional = requirements.some((requirement) => Object.keys(requirement).length === 0);
  let problem: string | undefined;
  for (const requirement of requirements) {
    const names = Object.keys(requirement);
    if (!names.length) continue;
    const picked: Auth[] = [];
    for (const name of names) {
      const scheme = schemes.get(name);
      if (scheme && typeof scheme !== "string") picked.push(scheme);
      else
        problem ??= typeof scheme === "string" ? scheme : `security scheme ${name} is not defined`;
    }
    if (picked.length < names.length) continue;
    const [first, ...also] = picked;
    if (also.some((extra) => extra.type !== "api_key")) {
      problem ??= `security requirement ${names.join(" + ")} needs several credentials at once; besides the first, only API keys can be sent`;
      continue;
    }
    const auth: PickedAuth = optional ? { ...first!, required: false } : { ...first! };
    if (also.length) auth.also = also;
    return auth;
  }
  if (optional) return undefined;
  return problem ?? "no usable security scheme";
}
