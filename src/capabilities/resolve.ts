import type { JsonObject } from "../backends/types.ts";
import { compileTransform, type Transform } from "../gateway/transform.ts";
import { AjvJsonSchemaValidator, type Tool } from "../mcp/sdk.ts";
import { unsafeRegex } from "../security/safe-regex.ts";
import {
  type AuthConfig,
  type CapabilityFile,
  type HttpMethod,
  IGNORED_KEYS,
  type ProviderConfig,
  type RestConfig,
  type WebhookFile,
} from "./schema.ts";
import { templateRefs, treeRefs } from "./template.ts";

/** The default time one HTTP request of a capability may take. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** One REST endpoint, ready to render. */
export interface RestProvider {
  /** `rest`, or the provider's name in the original format (`primary`, `secondary`). */
  name: string;
  /** How the request and answer are shaped: plain HTTP, GraphQL or JSON-RPC 2.0 over POST. */
  service: "rest" | "graphql" | "jsonrpc";
  method: HttpMethod;
  /** JSON-RPC: the remote method; its params are `defaultParams` under the arguments. */
  rpcMethod?: string;
  defaultParams?: Record<string, unknown>;
  /** GraphQL: the query (`{arg}` filled from arguments) and default variables. */
  query?: string;
  variables?: Record<string, unknown>;
  /** Argument name -> the API's name, for arguments sent as query or body fields. */
  paramMap: Record<string, string>;
  /** The URL template chosen by an argument's value (`path_selector`). */
  urlSelector?: { parameter: string; default?: string; urls: Record<string, string> };
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
  responseFormat?: "json" | "text" | "xml" | "binary";
  timeout: number;
  /**
   * Read from the original's `providers:`: its answers keep its shapes (binary as
   * `{data, mime_type, size}`, text as `{answer, confidence}`, XML known by its content type).
   */
  original?: boolean;
}

export interface ResolvedAuth {
  type: AuthConfig["type"];
  required: boolean;
  /** The environment variable holding the secret ... */
  keyEnv?: string;
  /** ... or a field of a file (`file:/path:field`) ... */
  keyFile?: { path: string; field: string };
  /** ... or an OAuth token (`oauth:<name>`: `<NAME>_ACCESS_TOKEN`, or a grant at the endpoint). */
  oauth?: { name: string; tokenEndpoint?: string; scopes: string[] };
  username?: string;
  header?: string;
  param?: string;
  prefix?: string;
  description?: string;
  /** The file itself puts the key in the request (`{env.NAME}` in params): nothing is added. */
  placedByFile?: boolean;
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
  /** Renders the cache key from the arguments (`cache.key_template`); default: all arguments. */
  cacheKey?: string;
  /** `projection`: section -> field -> dotted path into the response. */
  projection?: Record<string, Record<string, string>>;
  /** The declared output was not an object: results are wrapped as `{ result: ... }`. */
  wrapsResult: boolean;
  /** Why it cannot run here (`service: cli`), if so: listed by `cap list`, hidden from clients. */
  unavailable?: string;
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
  /** Applied to the response (after `response_path`), before `schema.output` is checked. */
  transforms: Transform[];
  /** Its inbound webhooks (`webhooks:`), each with its id. */
  webhooks: (WebhookFile & { id: string })[];
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
  let outputSchema = file.schema?.output;
  // MCP structured content is an object: another declared output (an array, say) is wrapped.
  const wrapsResult = !!outputSchema && outputSchema.type !== "object";
  if (outputSchema) {
    if (checkSchemas) checkCompiles(outputSchema, "schema.output", errors);
    // Run over the API's answers on the event loop: a backtracking one is a crafted answer away
    // from stalling every session.
    slowPatterns(outputSchema, "schema.output", errors);
    if (wrapsResult) {
      outputSchema = { type: "object", properties: { result: outputSchema }, required: ["result"] };
    }
  }
  if (outputSchema && file.projection) {
    const sections = Object.fromEntries(
      Object.keys(file.projection).map((key) => [key, { type: "object" }]),
    );
    outputSchema = { type: "object", properties: { ...sections, _raw: outputSchema } };
  }

  const configs: {
    name: string;
    where: string;
    rest: NonNullable<ProviderConfig["config"]>;
    service: RestProvider["service"];
    timeout?: number;
  }[] = [];
  if (file.rest) configs.push({ name: "rest", where: "rest", rest: file.rest, service: "rest" });
  const local: string[] = [];
  if (file.providers) {
    const { providers, fallback } = file.providers;
    for (const name of ["primary", ...fallback]) {
      const provider = providers.get(name);
      if (!provider) continue;
      if (provider.unknownService) {
        notes.push(`providers.${name}.service: "${provider.unknownService}" is read as rest`);
      }
      if (!provider.config) {
        local.push(`providers.${name}: service: ${provider.service}`);
        continue;
      }
      configs.push({
        name,
        where: `providers.${name}.config`,
        rest: provider.config,
        service: provider.service as RestProvider["service"],
        timeout: provider.timeout,
      });
      if (provider.config.response_transform !== undefined) {
        notes.push(`providers.${name}.config.response_transform is not applied`);
      }
    }
    for (const name of providers.keys()) {
      if (name !== "primary" && !fallback.includes(name)) {
        notes.push(`provider "${name}" is not primary and not in fallback, so it is never used`);
      }
    }
  }

  const providers: RestProvider[] = [];
  const requiredEnv = new Set<string>();
  let keychain: string | undefined;
  let unfilled: string | undefined;
  for (const { name, where, rest, service, timeout } of configs) {
    const provider = resolveProvider(name, where, rest, service, timeout, errors);
    if (!provider) continue;
    providers.push(provider);
    const refs = treeRefs([
      provider.url,
      Object.values(provider.urlSelector?.urls ?? {}),
      provider.params,
      provider.staticParams,
      provider.headers,
    ]);
    treeRefs(provider.body, refs);
    treeRefs(provider.variables, refs);
    const statics = Object.keys(provider.staticParams);
    for (const variable of refs.env) requiredEnv.add(variable);
    if (properties.length) {
      for (const arg of new Set(refs.args)) {
        // `{access_token}` is the credential of `auth` (the original's OAuth placeholder).
        if (arg === "access_token" || statics.includes(arg)) continue;
        if (arg.startsWith("keychain.")) {
          keychain = `{${arg}}: keychain credentials (macOS) are not supported; use {env.NAME}`;
          continue;
        }
        if (!properties.includes(arg)) {
          const problem = `${where}: {${arg}} is not a property of schema.input (it has ${properties.join(", ")})`;
          // The original loads such a file (and sends the placeholder as written): one of its
          // own catalog's does. In its format the file loads as one that cannot run.
          if (file.fulcrum !== undefined) {
            unfilled ??= `${problem}, so no argument fills it and it cannot run; add ${arg} to schema.input.properties`;
          } else errors.push(problem);
        }
      }
    }
  }

  // A capability that calls no HTTP API (a local program, or a webhook receiver) needs no key.
  const auth = resolveAuth(file.auth, providers.length ? errors : [], notes);
  // The original sends an api_key that names no header or param in Authorization, as it is;
  // where the file puts the variable in the request itself, only there (no stray header).
  if (file.providers && auth.type === "api_key" && !auth.header && !auth.param) {
    if (auth.keyEnv && requiredEnv.has(auth.keyEnv)) auth.placedByFile = true;
    else auth.header = "Authorization";
  }
  let unavailable: string | undefined;
  if (!providers.length && local.length) {
    unavailable = `${local.join(", ")} runs a local program or MCP server, which capabilities cannot do here (the original cannot run it either); add that program as a backend instead`;
  } else if (!providers.length && file.webhooks !== undefined) {
    unavailable = "it only receives webhooks (served at webhooks.base_path), it has no tool";
  } else if (!providers.length && !errors.length) {
    errors.push("providers: none defined; add providers.primary (or rest:)");
  }
  unavailable ??= auth.unsupported ?? keychain ?? unfilled;
  // A URL the caller chooses must not carry a secret: it would go wherever the caller points.
  const callerUrl = providers.find((provider) => /^\{\+/.test(provider.url));
  const secret = auth.type !== "none" || requiredEnv.size > 0;
  if (callerUrl && secret) {
    errors.push(
      `providers.${callerUrl.name}.config.endpoint: the whole URL comes from an argument, so it cannot carry credentials (auth or {env.*} would be sent wherever the caller points); fix the host in the file`,
    );
  }
  if (unavailable && unavailable !== auth.unsupported) notes.push(unavailable);
  const optionalEnv = new Set<string>();
  for (const variable of [auth.keyEnv, ...templateRefs(auth.username ?? "").env]) {
    if (!variable) continue;
    (auth.required ? requiredEnv : optionalEnv).add(variable);
  }

  const methods = providers.map((provider) => provider.method);
  // The original's top-level `tags` and `examples` add to metadata's.
  const metadata =
    file.metadata || file.tags || file.examples
      ? {
          ...file.metadata,
          tags: [...(file.metadata?.tags ?? []), ...(file.tags ?? [])],
          examples: [...(file.metadata?.examples ?? []), ...(file.examples ?? [])],
        }
      : undefined;
  const readOnly = metadata?.read_only ?? methods.every((m) => m === "GET" || m === "HEAD");
  let cacheTtl: number | undefined;
  if (file.cache && file.cache.strategy !== "none" && file.cache.ttl !== 0) {
    if (!readOnly) notes.push("cache is ignored: only read-only capabilities are cached");
    else if (file.cache.ttl === undefined) notes.push("cache has no ttl, so nothing is cached");
    else cacheTtl = file.cache.ttl;
  }

  // The executor's `transform`, then the invoke-time `response_transform`, as in the original.
  const transforms: Transform[] = [];
  for (const key of ["transform", "response_transform"] as const) {
    const config = file[key];
    if (!config) continue;
    const compiled = compileTransform(config, key);
    if (compiled.ok) transforms.push(compiled.apply);
    else errors.push(compiled.error);
  }

  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    capability: {
      transforms,
      name: file.name,
      title: file.title,
      description: file.description,
      inputSchema,
      outputSchema,
      providers,
      auth,
      cacheTtl,
      cacheKey: cacheTtl ? file.cache?.key_template : undefined,
      projection: file.projection,
      wrapsResult,
      unavailable,
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
      webhooks: Object.entries(file.webhooks ?? {}).map(([id, hook]) => ({ id, ...hook })),
    },
  };
}

function resolveProvider(
  name: string,
  where: string,
  rest: RestConfig & {
    query?: string;
    variables?: Record<string, unknown>;
    default_params?: Record<string, unknown>;
  },
  service: RestProvider["service"],
  timeout: number | undefined,
  errors: string[],
): RestProvider | undefined {
  let url: string;
  const join = (base: string, path?: string) =>
    path ? `${base.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}` : base;
  let urlSelector: RestProvider["urlSelector"];
  if (rest.endpoint) {
    if (rest.base_url) errors.push(`${where}: has both endpoint and base_url; keep one`);
    url = rest.endpoint;
  } else if (rest.base_url) {
    url = join(rest.base_url, rest.path);
    const selector = rest.path_selector;
    if (selector) {
      const urls = Object.fromEntries(
        Object.entries(selector.paths).map(([value, path]) => [value, join(rest.base_url!, path)]),
      );
      if (selector.default !== undefined && !(selector.default in urls)) {
        errors.push(`${where}.path_selector.default: "${selector.default}" is not one of paths`);
      }
      urlSelector = { parameter: selector.parameter, default: selector.default, urls };
    }
  } else {
    errors.push(`${where}.base_url: required (or a full endpoint URL)`);
    return undefined;
  }
  const base = rest.endpoint ?? rest.base_url!;
  // A URL that is an argument (`{video_url}`) is the caller's; the SSRF guard checks it per call.
  const fromArgument = /^\{\+?([A-Za-z0-9_]+)\}/.exec(base);
  if (fromArgument) url = url.replace(fromArgument[0], `{+${fromArgument[1]}}`);
  else if (!/\$\{|\{env\./.test(base)) {
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
  // GraphQL and JSON-RPC are POSTs whatever `method` says (for JSON-RPC it names the call).
  const method = service === "rest" ? (rest.method as HttpMethod) : "POST";
  if (rest.body !== undefined && (method === "GET" || method === "HEAD")) {
    errors.push(`${where}.body: a ${method} request has no body; use params`);
  }
  if (service === "graphql" && rest.body === undefined && !rest.query) {
    errors.push(`${where}.query: required for service graphql (or a body with the query)`);
  }
  let bodyFormat = rest.body_format ?? "json";
  if (rest.body_content_type?.includes("x-www-form-urlencoded")) bodyFormat = "form";
  return {
    name,
    service,
    method,
    rpcMethod: service === "jsonrpc" ? rest.method : undefined,
    defaultParams: rest.default_params,
    query: rest.query,
    variables: rest.variables,
    paramMap: rest.param_map ?? {},
    urlSelector,
    url,
    params: rest.params,
    staticParams: rest.static_params ?? {},
    headers: rest.headers ?? {},
    body: rest.body,
    bodyFormat,
    bodyContentType: rest.body_content_type,
    responsePath: rest.response_path,
    responseFormat: rest.response_format ?? undefined,
    timeout: rest.timeout ?? timeout ?? DEFAULT_TIMEOUT_MS,
    ...(where === "rest" ? {} : { original: true }),
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

function resolveAuth(
  auth: AuthConfig | undefined,
  errors: string[],
  notes: string[],
): ResolvedAuth & { unsupported?: string } {
  if (!auth || auth.type === "none") {
    if (auth?.key) {
      errors.push("auth.key: is set but auth.type is none; set the type (api_key, bearer, basic)");
    }
    return { type: "none", required: false };
  }
  let keyEnv: string | undefined;
  let keyFile: ResolvedAuth["keyFile"];
  let oauth: ResolvedAuth["oauth"];
  let unsupported: string | undefined;
  const isOauth = auth.type === "oauth" || auth.type === "oauth2";
  const file = auth.key ? /^file:(.+):([^:/]+)$/.exec(auth.key) : null;
  const named = auth.key ? /^oauth:([A-Za-z0-9_.-]+)$/.exec(auth.key) : null;
  if (!auth.key) {
    errors.push(`auth.key: required for type ${auth.type}; write env:NAME`);
  } else if (file) {
    keyFile = { path: file[1]!, field: file[2]! };
  } else if (named) {
    oauth = { name: named[1]!, tokenEndpoint: auth.token_endpoint, scopes: auth.scopes ?? [] };
    if (!isOauth) errors.push(`auth.key: oauth:${named[1]} needs auth.type oauth or oauth2`);
  } else if (auth.key.startsWith("keychain:")) {
    unsupported =
      "auth.key: keychain: credentials (macOS) are not supported; put the secret in an environment variable and write env:NAME";
    notes.push(unsupported);
  } else {
    keyEnv = secretEnvName(auth.key);
    if (!keyEnv) {
      errors.push(
        "auth.key: write the environment variable that holds the secret (env:NAME or ${NAME}), never the secret itself",
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
    keyFile,
    oauth,
    unsupported,
    username: auth.username,
    header: auth.header,
    param: auth.param,
    prefix: auth.prefix,
    description: auth.description,
  };
}

/**
 * What compiling each schema said, by its JSON text: a reload re-reads every file when one
 * changes, and compiling is most of the cost of reading one (about a millisecond a schema).
 */
const compiled = new Map<string, string | undefined>();
const COMPILED_MAX = 10_000;

function checkCompiles(schema: JsonObject, where: string, errors: string[]): void {
  const key = JSON.stringify(schema);
  let problem = compiled.get(key);
  if (!compiled.has(key)) {
    try {
      validators.getValidator(schema);
    } catch (error) {
      problem = error instanceof Error ? error.message.split("\n")[0] : String(error);
    }
    if (compiled.size >= COMPILED_MAX) compiled.clear();
    compiled.set(key, problem);
  }
  if (problem !== undefined) errors.push(`${where}: not a valid JSON Schema: ${problem}`);
}

/** The `pattern`s of a schema whose regular expression backtracks, as errors naming them. */
function slowPatterns(schema: unknown, where: string, errors: string[]): void {
  if (Array.isArray(schema)) {
    schema.forEach((item, index) => {
      slowPatterns(item, `${where}[${index}]`, errors);
    });
    return;
  }
  if (typeof schema !== "object" || schema === null) return;
  for (const [key, value] of Object.entries(schema)) {
    const unsafe = key === "pattern" && typeof value === "string" && unsafeRegex(value, "u");
    if (unsafe) errors.push(`${where}.pattern: ${unsafe}`);
    else slowPatterns(value, `${where}.${key}`, errors);
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
