import type { JsonObject } from "../backends/types.ts";
import { AjvJsonSchemaValidator, type Tool } from "../mcp/sdk.ts";
import {
  type AuthConfig,
  type CapabilityFile,
  type HttpMethod,
  IGNORED_KEYS,
  type RestConfig,
} from "./schema.ts";
import { templateRefs, treeRefs } from "./template.ts";

/** The default time one HTTP request of a capability may take. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** One REST endpoint, ready to render. */
export interface RestProvider {
  /** `rest`, or the provider's name in the original format (`primary`, `secondary`). */
  name: string;
  method: HttpMethod;
  /** URL template: `base_url` + `path`, or `endpoint`. */
  url: string;
  /** Undefined: arguments no other template used are sent as query parameters (GET, HEAD, DELETE). */
  params?: Record<string, string>;
  staticParams: Record<string, string>;
  headers: Record<string, string>;
  /** Undefined: arguments no other template used form the body (POST, PUT, PATCH). */
  body?: unknown;
  bodyFormat: "json" | "form";
  bodyContentType?: string;
  responsePath?: string;
  responseFormat?: "json" | "text";
  timeout: number;
}

export interface ResolvedAuth {
  type: AuthConfig["type"];
  required: boolean;
  /** The environment variable holding the secret. */
  keyEnv?: string;
  username?: string;
  header?: string;
  param?: string;
  prefix?: string;
  description?: string;
}

/** A validated capability: one tool, executed over REST. */
export interface Capability {
  name: string;
  title?: string;
  description: string;
  inputSchema: JsonObject;
  outputSchema?: JsonObject;
  /** The primary provider first, then the fallbacks in order. */
  providers: RestProvider[];
  auth: ResolvedAuth;
  /** Milliseconds a result is reused for; only read-only capabilities have one. */
  cacheTtl?: number;
  annotations: NonNullable<Tool["annotations"]>;
  category?: string;
  tags: string[];
  /** Requests people make of it (`metadata.examples`), for the search. */
  examples: string[];
  /** The primary provider's `cost_per_call` (cost governance). */
  costPerCall?: number;
  /** Variables it cannot run without (hidden from clients while one is unset) ... */
  requiredEnv: string[];
  /** ... and ones it uses when set (an optional key). */
  optionalEnv: string[];
  /** The file it came from (`builtin:<file>` for the embedded catalog). */
  source: string;
  /** Parts of the file that load but have no effect here. */
  notes: string[];
}

export type ResolveResult = { ok: true; capability: Capability } | { ok: false; errors: string[] };

const validators = new AjvJsonSchemaValidator();

export interface ResolveOptions {
  /**
   * Compile the JSON Schemas to prove they are valid (default true). The embedded catalog skips
   * it at start-up: compiling is most of the load time, and its tests compile every schema.
   */
  checkSchemas?: boolean;
}

/** Checks what the schema cannot (URLs, secrets, templates against the input schema) and resolves. */
export function resolveCapability(
  file: CapabilityFile,
  source: string,
  options: ResolveOptions = {},
): ResolveResult {
  const checkSchemas = options.checkSchemas ?? true;
  const errors: string[] = [];
  const notes: string[] = [];
  for (const [key, note] of Object.entries(IGNORED_KEYS)) {
    if (file[key as keyof CapabilityFile] !== undefined) notes.push(note);
  }

  const inputSchema: JsonObject = { ...(file.schema?.input ?? {}) };
  inputSchema.type ??= "object";
  if (inputSchema.type !== "object") errors.push("schema.input.type: must be `object`");
  inputSchema.properties ??= {};
  if (checkSchemas) checkCompiles(inputSchema, "schema.input", errors);
  const properties = Object.keys(inputSchema.properties as JsonObject);
  const outputSchema = file.schema?.output;
  if (outputSchema) {
    if (outputSchema.type !== "object") {
      errors.push(
        "schema.output.type: must be `object` (MCP structured content is an object); remove schema.output or pick an object with response_path",
      );
    }
    if (checkSchemas) checkCompiles(outputSchema, "schema.output", errors);
  }

  const configs: { name: string; where: string; rest: RestConfig; timeout?: number }[] = [];
  if (file.rest) configs.push({ name: "rest", where: "rest", rest: file.rest });
  if (file.providers) {
    const { providers, fallback } = file.providers;
    for (const name of ["primary", ...fallback]) {
      const provider = providers.get(name);
      if (!provider) continue;
      configs.push({
        name,
        where: `providers.${name}.config`,
        rest: provider.config,
        timeout: provider.timeout,
      });
      if (provider.config.param_map !== undefined) notes.push("param_map is not supported");
      if (provider.config.path_selector !== undefined) notes.push("path_selector is not supported");
    }
    for (const name of providers.keys()) {
      if (name !== "primary" && !fallback.includes(name)) {
        notes.push(`provider "${name}" is not primary and not in fallback, so it is never used`);
      }
    }
  }

  const providers: RestProvider[] = [];
  const requiredEnv = new Set<string>();
  for (const { name, where, rest, timeout } of configs) {
    const provider = resolveProvider(name, where, rest, timeout, errors);
    if (!provider) continue;
    providers.push(provider);
    const refs = treeRefs([provider.url, provider.params, provider.staticParams, provider.headers]);
    treeRefs(provider.body, refs);
    for (const variable of refs.env) requiredEnv.add(variable);
    if (properties.length) {
      for (const arg of new Set(refs.args)) {
        if (!properties.includes(arg)) {
          errors.push(
            `${where}: {${arg}} is not a property of schema.input (it has ${properties.join(", ")})`,
          );
        }
      }
    }
  }

  const auth = resolveAuth(file.auth, errors);
  const optionalEnv = new Set<string>();
  for (const variable of [auth.keyEnv, ...templateRefs(auth.username ?? "").env]) {
    if (!variable) continue;
    (auth.required ? requiredEnv : optionalEnv).add(variable);
  }

  const methods = providers.map((provider) => provider.method);
  const metadata = file.metadata;
  const readOnly = metadata?.read_only ?? methods.every((m) => m === "GET" || m === "HEAD");
  let cacheTtl: number | undefined;
  if (file.cache && file.cache.strategy !== "none") {
    if (!readOnly) notes.push("cache is ignored: only read-only capabilities are cached");
    else if (file.cache.ttl === undefined) notes.push("cache has no ttl, so nothing is cached");
    else cacheTtl = file.cache.ttl;
    if (file.cache.key_template !== undefined) notes.push("cache.key_template is not supported");
  }

  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    capability: {
      name: file.name,
      title: file.title,
      description: file.description,
      inputSchema,
      outputSchema,
      providers,
      auth,
      cacheTtl,
      annotations: {
        ...(file.title ? { title: file.title } : {}),
        readOnlyHint: readOnly,
        destructiveHint:
          !readOnly &&
          (metadata?.destructive ?? methods.some((m) => m === "DELETE" || m === "PUT")),
        idempotentHint: metadata?.idempotent ?? methods.every((m) => m !== "POST" && m !== "PATCH"),
        openWorldHint: metadata?.open_world ?? true,
      },
      category: metadata?.category,
      tags: metadata?.tags ?? [],
      examples: metadata?.examples ?? [],
      ...(file.providers?.providers.get("primary")?.cost_per_call !== undefined
        ? { costPerCall: file.providers.providers.get("primary")?.cost_per_call }
        : {}),
      requiredEnv: [...requiredEnv],
      optionalEnv: [...optionalEnv].filter((variable) => !requiredEnv.has(variable)),
      source,
      notes,
    },
  };
}

function resolveProvider(
  name: string,
  where: string,
  rest: RestConfig,
  timeout: number | undefined,
  errors: string[],
): RestProvider | undefined {
  let url: string;
  if (rest.endpoint) {
    if (rest.base_url) errors.push(`${where}: has both endpoint and base_url; keep one`);
    url = rest.endpoint;
  } else if (rest.base_url) {
    url = rest.path
      ? `${rest.base_url.replace(/\/+$/, "")}/${rest.path.replace(/^\/+/, "")}`
      : rest.base_url;
  } else {
    errors.push(`${where}.base_url: required (or a full endpoint URL)`);
    return undefined;
  }
  const base = rest.endpoint ?? rest.base_url!;
  if (!/\$\{|\{env\./.test(base)) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url.replace(/\{\+?[A-Za-z0-9_][A-Za-z0-9_.-]*\}/g, "x"));
    } catch {}
    if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
      errors.push(
        `${where}.${rest.endpoint ? "endpoint" : "base_url"}: expected an http(s) URL, got ${JSON.stringify(base)}`,
      );
    }
  }
  if (rest.body !== undefined && (rest.method === "GET" || rest.method === "HEAD")) {
    errors.push(`${where}.body: a ${rest.method} request has no body; use params`);
  }
  let bodyFormat = rest.body_format ?? "json";
  if (rest.body_content_type?.includes("x-www-form-urlencoded")) bodyFormat = "form";
  return {
    name,
    method: rest.method,
    url,
    params: rest.params,
    staticParams: rest.static_params ?? {},
    headers: rest.headers ?? {},
    body: rest.body,
    bodyFormat,
    bodyContentType: rest.body_content_type,
    responsePath: rest.response_path,
    responseFormat: rest.response_format,
    timeout: rest.timeout ?? timeout ?? DEFAULT_TIMEOUT_MS,
  };
}

/** `env:NAME`, `${NAME}`, `{env.NAME}`, or (the original's) a bare `UPPER_CASE` name. */
export function secretEnvName(ref: string): string | undefined {
  const match =
    /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(ref) ??
    /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(ref) ??
    /^\{env\.([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(ref) ??
    /^([A-Z][A-Z0-9]*_[A-Z0-9_]*)$/.exec(ref);
  return match?.[1];
}

function resolveAuth(auth: AuthConfig | undefined, errors: string[]): ResolvedAuth {
  if (!auth || auth.type === "none") {
    if (auth?.key) {
      errors.push("auth.key: is set but auth.type is none; set the type (api_key, bearer, basic)");
    }
    return { type: "none", required: false };
  }
  let keyEnv: string | undefined;
  if (!auth.key) {
    errors.push(`auth.key: required for type ${auth.type}; write env:NAME`);
  } else {
    keyEnv = secretEnvName(auth.key);
    if (!keyEnv) {
      const scheme = /^(keychain|file|oauth):/.exec(auth.key)?.[1];
      errors.push(
        scheme
          ? `auth.key: ${scheme}: credentials are not supported; put the secret in an environment variable and write env:NAME`
          : "auth.key: write the environment variable that holds the secret (env:NAME or ${NAME}), never the secret itself",
      );
    }
  }
  if (auth.type === "api_key" && auth.header && auth.param) {
    errors.push(
      "auth: api_key goes in a header or a query parameter; set header or param, not both",
    );
  }
  return {
    type: auth.type,
    required: auth.required ?? true,
    keyEnv,
    username: auth.username,
    header: auth.header,
    param: auth.param,
    prefix: auth.prefix,
    description: auth.description,
  };
}

function checkCompiles(schema: JsonObject, where: string, errors: string[]): void {
  try {
    validators.getValidator(schema);
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    errors.push(`${where}: not a valid JSON Schema: ${message}`);
  }
}

/** The MCP tool a capability is listed as. */
export function toTool(capability: Capability): Tool {
  return {
    name: capability.name,
    ...(capability.title ? { title: capability.title } : {}),
    description: capability.description,
    inputSchema: capability.inputSchema as Tool["inputSchema"],
    ...(capability.outputSchema
      ? { outputSchema: capability.outputSchema as Tool["outputSchema"] }
      : {}),
    annotations: capability.annotations,
  };
}
