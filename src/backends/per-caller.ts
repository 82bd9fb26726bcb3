import { GatewayError } from "../errors.ts";
import { createHandle, drained, type Handle } from "./_handle.ts";
import type { CallerIdentity } from "./types.ts";

const PLACEHOLDER = /\{caller\.([A-Za-z0-9_.-]+)\}/g;

/**
 * Fills `{caller.NAME}` in each value from the caller's credentials (`{caller.id}`: its id when
 * it has no credential of that name). A value it lacks is an error: a caller never falls back
 * to a shared credential.
 */
export function fillTemplates(
  backend: string,
  where: "headers" | "env",
  templates: Record<string, string>,
  identity: CallerIdentity,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, template] of Object.entries(templates)) {
    out[name] = template.replace(PLACEHOLDER, (_, key: string) => {
      const value = identity.credentials[key] ?? (key === "id" ? identity.id : undefined);
      if (value === undefined || value === "") {
        throw new GatewayError(
          "POLICY_DENIED",
          `[backend:${backend}] takes each caller's own ${key} (per_caller.${where}.${name}), and ${identity.id} has none: add credentials.${key} to its key in auth.api_keys`,
        );
      }
      return value;
    });
  }
  return out;
}

/**
 * The caller's own handle on a `per_caller` backend: its own connection (its own process over
 * stdio) with the backend's headers and env plus the caller's filled-in values. A caller whose
 * values changed (a reloaded key) gets a fresh connection.
 */
export function forCaller(handle: Handle, identity: CallerIdentity): Handle {
  const config = handle.config;
  const perCaller = config.per_caller!;
  const headers = fillTemplates(config.name, "headers", perCaller.headers, identity);
  const env = fillTemplates(config.name, "env", perCaller.env, identity);
  const key = `caller:${identity.id}`;
  const existing = handle.isolated.get(key);
  const filled = JSON.stringify([headers, env]);
  if (existing && existing.callerValues === filled) return existing;
  if (existing) {
    // Its credentials changed (a reload): its calls in flight finish first, then it closes.
    handle.isolated.delete(key);
    existing.retired = true;
    void drained(existing).then(() => existing.connection?.close());
  }
  const own = createHandle({
    ...config,
    headers: { ...config.headers, ...headers },
    env: { ...config.env, ...env },
  });
  own.session = key;
  own.parent = handle;
  own.listeners = handle.listeners;
  own.callerValues = filled;
  handle.isolated.set(key, own);
  return own;
}
