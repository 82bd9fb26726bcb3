import type { JsonObject } from "../backends/types.ts";
import { VERSION } from "../version.ts";
import type { Capability, RestProvider } from "./resolve.ts";
import {
  argText,
  MissingEnvError,
  type RenderContext,
  renderString,
  renderTree,
  templateRefs,
} from "./template.ts";

/** A failed capability call, returned to the client as a tool error starting with `[code]`. */
export class ToolFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** Worth trying the next provider (network failure, timeout, 5xx). */
    readonly retryable = false,
  ) {
    super(message);
  }
}

/** An HTTP request built from a capability's templates and one call's arguments. */
export interface BuiltRequest {
  method: string;
  url: URL;
  headers: Headers;
  body?: string;
  /** Headers carrying a secret: dropped when a redirect leaves the origin. */
  secretHeaders: string[];
  /** The query parameter carrying the API key, shown as `***`. */
  secretParam?: string;
}

const SENDS_BODY = new Set(["POST", "PUT", "PATCH"]);

/** Renders the URL, query, headers, auth and body. Secrets read are pushed onto `secrets`. */
export function buildRequest(
  capability: Capability,
  provider: RestProvider,
  args: JsonObject,
  env: Record<string, string | undefined>,
  secrets: string[],
): BuiltRequest {
  args = withDefaults(capability, args);
  const used = new Set<string>();
  const ctx = (encode?: RenderContext["encode"]): RenderContext => ({
    args,
    env,
    secrets,
    used,
    encode,
  });
  try {
    const urlText = renderString(provider.url, ctx(encodeSegment));
    if (urlText === undefined) {
      const missing = templateRefs(provider.url).args.filter((arg) => args[arg] == null);
      throw new ToolFailure(
        "INVALID_ARGUMENTS",
        `${capability.name} needs ${missing.map((arg) => `"${arg}"`).join(", ")}: it is part of the URL`,
      );
    }
    let url: URL;
    try {
      url = new URL(urlText);
    } catch {
      throw new ToolFailure("INVALID_ARGUMENTS", `${capability.name}: not a valid URL: ${urlText}`);
    }

    for (const [key, template] of Object.entries(provider.staticParams)) {
      const value = renderString(template, ctx());
      if (value !== undefined) url.searchParams.set(key, value);
    }
    for (const [key, template] of Object.entries(provider.params ?? {})) {
      const whole = /^\{([A-Za-z0-9_][A-Za-z0-9_.-]*)\}$/.exec(template);
      const value = whole ? args[whole[1]!] : undefined;
      if (Array.isArray(value)) {
        used.add(whole![1]!);
        url.searchParams.delete(key);
        for (const item of value) url.searchParams.append(key, argText(item));
        continue;
      }
      const text = renderString(template, ctx());
      if (text !== undefined) url.searchParams.set(key, text);
    }

    const headers = new Headers({
      "user-agent": `mcp-gateway/${VERSION}`,
      accept: "application/json, */*;q=0.5",
    });
    const secretHeaders: string[] = [];
    for (const [name, template] of Object.entries(provider.headers)) {
      const before = secrets.length;
      const value = renderString(template, ctx());
      if (value === undefined) continue;
      headers.set(name, value);
      if (secrets.length > before) secretHeaders.push(name);
    }

    const secretParam = applyAuth(capability, url, headers, secretHeaders, env, secrets, ctx());

    let bodyValue = provider.body === undefined ? undefined : renderTree(provider.body, ctx());
    const leftover: JsonObject = {};
    for (const [key, value] of Object.entries(args)) {
      if (!used.has(key) && value !== undefined) leftover[key] = value;
    }
    const sendsBody =
      SENDS_BODY.has(provider.method) ||
      (provider.method === "DELETE" && provider.body !== undefined);
    if (sendsBody && provider.body === undefined && Object.keys(leftover).length) {
      bodyValue = leftover;
    }
    if (!sendsBody && provider.params === undefined) {
      for (const [key, value] of Object.entries(leftover)) {
        if (Array.isArray(value))
          for (const item of value) url.searchParams.append(key, argText(item));
        else url.searchParams.set(key, argText(value));
      }
    }
    let body: string | undefined;
    if (sendsBody && bodyValue !== undefined) {
      if (provider.bodyFormat === "form" && typeof bodyValue === "object" && bodyValue) {
        const form = new URLSearchParams();
        for (const [key, value] of Object.entries(bodyValue)) form.append(key, argText(value));
        body = form.toString();
      } else {
        body = typeof bodyValue === "string" ? bodyValue : JSON.stringify(bodyValue);
      }
      if (!headers.has("content-type")) {
        headers.set(
          "content-type",
          provider.bodyContentType ??
            (provider.bodyFormat === "form"
              ? "application/x-www-form-urlencoded"
              : "application/json"),
        );
      }
    }
    return { method: provider.method, url, headers, body, secretHeaders, secretParam };
  } catch (error) {
    if (error instanceof MissingEnvError) {
      throw new ToolFailure(
        "MISSING_SECRET",
        `${capability.name} needs the environment variable ${error.variable}; set it and restart or reload the gateway`,
      );
    }
    throw error;
  }
}

/** Fills arguments the caller left out from the input schema's `default`s. */
function withDefaults(capability: Capability, args: JsonObject): JsonObject {
  const properties = capability.inputSchema.properties as Record<string, { default?: unknown }>;
  let out = args;
  for (const [name, property] of Object.entries(properties ?? {})) {
    if (args[name] !== undefined || property?.default === undefined) continue;
    if (out === args) out = { ...args };
    out[name] = property.default;
  }
  return out;
}

/** Adds the capability's credentials; returns the query parameter that carries one, if any. */
function applyAuth(
  capability: Capability,
  url: URL,
  headers: Headers,
  secretHeaders: string[],
  env: Record<string, string | undefined>,
  secrets: string[],
  ctx: RenderContext,
): string | undefined {
  const { auth } = capability;
  if (auth.type === "none" || !auth.keyEnv) return undefined;
  const key = env[auth.keyEnv];
  if (key === undefined || key === "") {
    if (!auth.required) return undefined;
    throw new MissingEnvError(auth.keyEnv);
  }
  secrets.push(key);
  if (auth.type === "api_key" && auth.param) {
    url.searchParams.set(auth.param, key);
    return auth.param;
  }
  let header: string;
  let value: string;
  if (auth.type === "api_key") {
    header = auth.header ?? "X-API-Key";
    value = auth.prefix ? `${auth.prefix} ${key}` : key;
  } else if (auth.type === "basic") {
    const username = auth.username === undefined ? undefined : renderString(auth.username, ctx);
    header = auth.header ?? "Authorization";
    value = `Basic ${base64(username === undefined ? key : `${username}:${key}`)}`;
  } else {
    header = auth.header ?? "Authorization";
    value = `${auth.prefix ?? "Bearer"} ${key}`;
  }
  headers.set(header, value);
  secretHeaders.push(header);
  return undefined;
}

/** Escapes an argument placed in a URL path; `{+arg}` keeps its slashes. */
function encodeSegment(text: string, reserved: boolean): string {
  return reserved ? encodeURI(text).replace(/[?#]/g, encodeURIComponent) : encodeURIComponent(text);
}

function base64(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** The URL as shown in messages and logs: credentials and the key parameter masked. */
export function displayUrl(url: URL, secretParam?: string): string {
  const shown = new URL(url);
  shown.username = "";
  shown.password = "";
  if (secretParam && shown.searchParams.has(secretParam))
    shown.searchParams.set(secretParam, "***");
  return shown.toString().replace(/%2A%2A%2A/g, "***");
}

/** Replaces every secret value in a text with `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join("***");
  return out;
}
