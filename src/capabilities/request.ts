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
    /** The API surely did not act on the request (429, 503, a refused connection). */
    readonly unsent = false,
    /** The HTTP status the API answered, if it answered. */
    readonly status?: number,
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
  /** The body holds a secret (`${KEY}` in a body template): never re-sent to another origin. */
  secretBody?: boolean;
  /**
   * What a successful result must not show: the credential and the variables named as secrets
   * (an API echoing its request URL, key included, in a pagination link).
   */
  resultSecrets: string[];
}

const SENDS_BODY = new Set(["POST", "PUT", "PATCH"]);

/** Renders the URL, query, headers, auth and body. Secrets read are pushed onto `secrets`. */
export function buildRequest(
  capability: Capability,
  provider: RestProvider,
  callerArgs: JsonObject,
  env: Record<string, string | undefined>,
  secrets: string[],
  /** The secret of `auth`, read beforehand (see credentials.ts). */
  credential?: string,
): BuiltRequest {
  callerArgs = withDefaults(capability, pinStatics(capability, provider, callerArgs));
  // `static_params` are arguments every call has (the caller's win), and `{access_token}` is
  // the credential, as the original gateway fills them.
  const statics: JsonObject = {};
  for (const [key, template] of Object.entries(provider.staticParams)) statics[key] = template;
  let args: JsonObject = { ...statics, ...callerArgs };
  if (credential) {
    // Pushed first, so a header whose template holds it counts as a secret header.
    secrets.push(credential);
    if (args.access_token === undefined) args = { ...args, access_token: credential };
  }
  const used = new Set<string>(["access_token"]);
  const sensitive: string[] = credential ? [credential] : [];
  const ctx = (
    encode?: RenderContext["encode"],
    embed?: RenderContext["embed"],
  ): RenderContext => ({
    args,
    env,
    secrets,
    sensitive,
    used,
    encode,
    embed,
  });
  // An argument inside a longer query parameter is part of a query the API parses (JQL, CQL, a
  // search syntax); inside a body's string, quoted, part of one too (SQL).
  const inQuery = (arg: string, text: string, quote: '"' | "'" | undefined) =>
    embedded(capability.name, arg, text, quote, true);
  const inBody = (arg: string, text: string, quote: '"' | "'" | undefined) =>
    embedded(capability.name, arg, text, quote, false);
  try {
    const urlTemplate = selectUrl(capability, provider, args, used);
    // The original's files place `{url}` or `{path}` in a path with its slashes (its wayback_save
    // sends /save/https://...): those keep them there, as `{+url}` does; every other argument is
    // one segment.
    const urlText = renderString(
      urlTemplate,
      ctx((text, reserved, arg) =>
        encodeSegment(
          capability.name,
          arg,
          text,
          reserved || (provider.original === true && PATH_LIKE.test(arg)),
        ),
      ),
    );
    if (urlText === undefined) {
      const missing = templateRefs(urlTemplate).args.filter((arg) => args[arg] == null);
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
      if (provider.service !== "rest") break;
      const given = callerArgs[key];
      const value =
        given !== undefined ? argText(given) : renderString(template, ctx(undefined, inQuery));
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
      const text = renderString(template, ctx(undefined, inQuery));
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
      if (/[^\t\x20-\x7e\x80-\xff]/.test(value)) {
        throw new ToolFailure(
          "INVALID_ARGUMENTS",
          `${capability.name}: the header ${name} cannot carry this value: a line break, a control character or a character beyond Latin-1 (é is fine, ☃ is not)`,
        );
      }
      headers.set(name, value);
      // `{access_token}` is the credential too, though it is filled as an argument.
      if (secrets.length > before || (credential && value.includes(credential))) {
        secretHeaders.push(name);
      }
    }

    const secretParam = applyAuth(
      capability,
      url,
      headers,
      secretHeaders,
      credential,
      secrets,
      ctx(),
    );

    let bodyValue =
      provider.body === undefined ? undefined : renderTree(provider.body, ctx(undefined, inBody));
    if (provider.service === "graphql" && provider.body === undefined) {
      bodyValue = graphqlBody(capability, provider, args, ctx());
    }
    // Arguments no template used go to the query or the body; with a schema that lists its
    // properties, only declared ones (an undeclared `role: owner` is not the caller's to add).
    const declared = capability.inputSchema.properties as JsonObject | undefined;
    const listed = !!declared && Object.keys(declared).length > 0;
    const leftover: JsonObject = {};
    for (const [key, value] of Object.entries(callerArgs)) {
      if (used.has(key) || value === undefined) continue;
      if (listed && !Object.hasOwn(declared, key)) continue;
      leftover[provider.paramMap[key] ?? key] = value;
    }
    if (provider.service === "jsonrpc") {
      bodyValue = {
        jsonrpc: "2.0",
        id: crypto.randomUUID(),
        method: provider.rpcMethod!,
        params: { ...(provider.defaultParams ?? {}), ...statics, ...leftover },
      };
    }
    if (provider.service === "graphql" && provider.body !== undefined && bodyValue) {
      // Arguments no template used become variables (a query's `$term`), the caller's win.
      const body = bodyValue as JsonObject;
      const variables = { ...((body.variables as JsonObject | undefined) ?? {}), ...leftover };
      if (Object.keys(variables).length) body.variables = variables;
    }
    const sendsBody =
      SENDS_BODY.has(provider.method) ||
      (provider.method === "DELETE" && provider.body !== undefined);
    if (
      sendsBody &&
      provider.body === undefined &&
      provider.service === "rest" &&
      Object.keys(leftover).length
    ) {
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
        // A list is the key repeated (`tag=a&tag=b`), as forms send several values.
        for (const [key, value] of Object.entries(bodyValue)) {
          for (const item of Array.isArray(value) ? value : [value])
            form.append(key, argText(item));
        }
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
    const secretBody = !!body && secrets.some((secret) => secret && body.includes(secret));
    return {
      method: provider.method,
      url,
      headers,
      body,
      secretHeaders,
      secretParam,
      secretBody,
      resultSecrets: sensitive,
    };
  } catch (error) {
    if (error instanceof MissingEnvError) {
      throw new ToolFailure(
        "MISSING_SECRET",
        `${capability.name} needs the environment variable ${error.variable}; set it and restart or reload the gateway`,
      );
    }
    // A value no URL can hold (a lone surrogate): the arguments' fault, not the API's.
    if (error instanceof URIError) {
      throw new ToolFailure(
        "INVALID_ARGUMENTS",
        `${capability.name}: an argument cannot be put in the URL (${error.message}): it holds an unpaired surrogate`,
      );
    }
    throw error;
  }
}

/** The URL template: `path_selector` picks it by an argument's value; unknown values are refused. */
function selectUrl(
  capability: Capability,
  provider: RestProvider,
  args: JsonObject,
  used: Set<string>,
): string {
  const selector = provider.urlSelector;
  if (!selector) return provider.url;
  const given = args[selector.parameter];
  used.add(selector.parameter);
  const value = given === undefined || given === null ? selector.default : argText(given);
  const url = value === undefined ? undefined : selector.urls[value];
  if (url === undefined) {
    const choices = Object.keys(selector.urls).join(", ");
    throw new ToolFailure(
      "INVALID_ARGUMENTS",
      `${capability.name}: "${selector.parameter}" must be one of ${choices}${value === undefined ? "" : ` (got "${value}")`}`,
    );
  }
  return url;
}

/**
 * A GraphQL body from `query` and `variables`: `{arg}` in the query is filled only for arguments
 * that are passed (GraphQL's own braces stay), variables are the defaults under the caller's.
 */
function graphqlBody(
  capability: Capability,
  provider: RestProvider,
  args: JsonObject,
  ctx: RenderContext,
): JsonObject {
  const template = provider.query ?? "";
  const query = template.replace(/\{([A-Za-z0-9_]+)\}/g, (whole, name: string, at: number) => {
    const value = args[name];
    if (value === undefined || value === null || name === "query" || name === "variables") {
      return whole;
    }
    ctx.used.add(name);
    return graphqlValue(capability, name, value, insideString(template, at));
  });
  ctx.used.add("query");
  ctx.used.add("variables");
  const defaults = (renderTree(provider.variables ?? {}, ctx) as JsonObject) ?? {};
  const given =
    args.variables && typeof args.variables === "object" && !Array.isArray(args.variables)
      ? (args.variables as JsonObject)
      : {};
  const variables = { ...defaults, ...given };
  return Object.keys(variables).length ? { query, variables } : { query };
}

/**
 * An argument as it goes into a GraphQL query's text. Inside quotes it is escaped as a string
 * (GraphQL's escapes are JSON's); elsewhere only a number, a boolean, a name (an enum value) or
 * a list of plain values: a value that closed the string or the brackets rewrote the query, and
 * read with the gateway's token what the capability was not written to expose.
 */
function graphqlValue(
  capability: Capability,
  name: string,
  value: unknown,
  quoted: boolean,
): string {
  const text = argText(value);
  if (quoted) return JSON.stringify(text).slice(1, -1);
  const plain = (item: unknown) =>
    typeof item === "number" || typeof item === "boolean" || typeof item === "string";
  if (Array.isArray(value) && value.every(plain)) return JSON.stringify(value);
  if (/^(-?\d+(\.\d+)?([eE][+-]?\d+)?|[A-Za-z_][A-Za-z0-9_]*)$/.test(text)) return text;
  throw new ToolFailure(
    "INVALID_ARGUMENTS",
    `${capability.name}: "${name}" goes into the GraphQL query outside quotes, so it must be a number, true or false, or a name (an enum value)`,
  );
}

/** Whether position `at` of a GraphQL text is inside a "string" (escaped quotes skipped). */
function insideString(text: string, at: number): boolean {
  let inside = false;
  for (let i = 0; i < at; i++) {
    if (text[i] === "\\" && inside) i++;
    else if (text[i] === '"') inside = !inside;
  }
  return inside;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * An argument as it goes into a longer template text (`jql: "project = {project}"`,
 * `cql: 'siteSearch ~ "{query}"'`, a body's `"... WHERE name = '{name}'"`): such text is a query
 * the API parses, and a value that closed its string or added a clause (`ENG OR project = HR`,
 * `x" OR space = "SECRET`) read, with the gateway's credential, what the capability was not
 * written to expose. Inside quotes it may not hold that quote, a backslash or a control
 * character (APIs escape them differently: JQL with `\`, SQL and OData by doubling, so the
 * gateway cannot escape them for all); outside quotes in a query parameter it must be one word
 * (letters, digits, `_ . , : @ + -`). A value that is the whole parameter is the caller's query.
 */
function embedded(
  capability: string,
  arg: string,
  text: string,
  quote: '"' | "'" | undefined,
  query: boolean,
): string {
  if (quote) {
    if (!text.includes(quote) && !text.includes("\\") && !CONTROL.test(text)) {
      return text;
    }
    throw new ToolFailure(
      "INVALID_ARGUMENTS",
      `${capability}: "${arg}" goes inside ${quote}...${quote} in a query the API parses; it may not hold ${quote}, a backslash or a line break, which would end the string and rewrite the query`,
    );
  }
  if (!query || /^[\p{L}\p{N}_.,:@+-]*$/u.test(text)) return text;
  throw new ToolFailure(
    "INVALID_ARGUMENTS",
    `${capability}: "${arg}" goes into a query parameter's query text outside quotes, so it must be one word (letters, digits, _ . , : @ + -): spaces, quotes or brackets would add clauses to the query`,
  );
}

/**
 * Drops the caller's value for a static parameter the input schema does not declare: the author
 * pinned it (`static_params: {org: acme}` behind `/orgs/{org}/members`), and an undeclared
 * `org` must not move the call, credential included, elsewhere. A declared one is the caller's.
 */
function pinStatics(capability: Capability, provider: RestProvider, args: JsonObject): JsonObject {
  const declared = (capability.inputSchema.properties ?? {}) as JsonObject;
  let out = args;
  for (const key of Object.keys(provider.staticParams)) {
    if (args[key] === undefined || Object.hasOwn(declared, key)) continue;
    if (out === args) out = { ...args };
    delete out[key];
  }
  return out;
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
  key: string | undefined,
  secrets: string[],
  ctx: RenderContext,
): string | undefined {
  const { auth } = capability;
  if (auth.type === "none" || key === undefined || key === "") return undefined;
  secrets.push(key);
  if (auth.placedByFile) return undefined;
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
    // A pair without a colon cannot be user:password: it is already encoded, as the original's
    // users keep it (JIRA_BASIC_AUTH is base64(email:token)), and is sent as written, as there.
    const pair = username === undefined ? key : `${username}:${key}`;
    value = `${auth.prefix ?? "Basic"} ${pair.includes(":") ? base64(pair) : pair}`;
  } else {
    header = auth.header ?? "Authorization";
    value = `${auth.prefix ?? "Bearer"} ${key}`;
  }
  headers.set(header, value);
  secretHeaders.push(header);
  return undefined;
}

/**
 * Arguments of the original's files that keep their slashes in a URL path, as the original (which
 * escapes nothing) sends them: a URL or a path, by name (`url`, `path`, `file_path`, `page_url`).
 */
const PATH_LIKE = /^(?:\w+_)?(?:url|uri|path)$/i;

/**
 * Escapes an argument placed in a URL path; `{+arg}` keeps its slashes. A `.` or `..` segment is
 * refused: URL parsing would resolve it and send the request, credential included, to another
 * endpoint of the API (owner and repo `..` turn /repos/../../issues into /issues).
 */
function encodeSegment(capability: string, arg: string, text: string, reserved: boolean): string {
  // A backslash too: servers on Windows and some proxies read `%5C` as a separator, so
  // `..\admin` climbed as `../admin` does.
  const segments = text.split(/[/\\]/);
  if (segments.some((segment) => segment === "." || segment === "..")) {
    throw new ToolFailure(
      "INVALID_ARGUMENTS",
      `${capability}: "${arg}" goes into the URL path, so it may not be "." or ".." or hold such a segment (between / or \\): it would change which endpoint is called`,
    );
  }
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

/**
 * Replaces every secret value in a text with `***`, as written and as a URL escapes it (a key
 * with `/`, `+` or `=` sent in a query parameter shows as `%2F`, `%2B`, `%3D` in the URL).
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret) continue;
    const forms = new Set([
      secret,
      encodeURIComponent(secret),
      new URLSearchParams({ s: secret }).toString().slice(2),
      encodeURI(secret),
    ]);
    for (const form of forms) out = out.split(form).join("***");
  }
  return out;
}
