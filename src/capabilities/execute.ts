import type { JsonObject } from "../backends/types.ts";
import { logger } from "../logger.ts";
import { AjvJsonSchemaValidator, type CallToolResult } from "../mcp/sdk.ts";
import { readCapped } from "../security/body.ts";
import { forgetFetchedToken, readCredential } from "./credentials.ts";
import { type BuiltRequest, buildRequest, displayUrl, redact, ToolFailure } from "./request.ts";
import type { Capability, RestProvider } from "./resolve.ts";
import { type Fetch, fetchPinned, type Lookup } from "./ssrf.ts";
import { MissingEnvError } from "./template.ts";
import { xmlToJson } from "./xml.ts";

/** The default cap on what one capability call returns to the client. */
export const DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024;
const MAX_REDIRECTS = 5;
/** How much of an error body goes into the tool error's text. */
const ERROR_BODY_CHARS = 500;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Content types that are text whatever their charset (latin-1 text is not binary). */
const TEXTUAL = /^text\/|json|xml|javascript|csv|yaml|html|x-www-form-urlencoded/i;
/** Header names that carry a credential whatever their value's template. */
const CREDENTIAL_HEADER =
  /^(proxy-)?authorization$|^cookie$|key|token|secret|passw|auth|session|signature/i;
/** Connection failures that mean the request never reached the API. */
const UNSENT_CODES = new Set([
  "ECONNREFUSED",
  "ConnectionRefused",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "FailedToOpenSocket",
]);

const log = logger.withTag("capabilities");
const validators = new AjvJsonSchemaValidator();

export interface ExecuteOptions {
  /** Where secrets are read from, at call time. */
  env: Record<string, string | undefined>;
  allowPrivateNetworks: boolean;
  maxResponseBytes?: number;
  signal?: AbortSignal;
  /** An upper bound in ms on top of the capability's own timeout (the backend's `timeout`). */
  timeout?: number;
  lookup?: Lookup;
  /** Sends the pinned request (a test seam; the global `fetch` otherwise). */
  fetch?: Fetch;
}

/**
 * Runs a capability: renders its request, sends it (following redirects, each target checked
 * by the SSRF guard), and turns the answer into a tool result. API failures come back as tool
 * errors whose text starts with a code; only the caller's own cancellation throws.
 */
export async function executeCapability(
  capability: Capability,
  args: JsonObject,
  options: ExecuteOptions,
): Promise<CallToolResult> {
  const secrets: string[] = [];
  const failures: string[] = [];
  if (capability.unavailable) {
    return errorResult(`[UNSUPPORTED] ${capability.name}: ${capability.unavailable}`);
  }
  let credential: string | undefined;
  // The capability's timeout bounds the token request too (the primary provider's).
  const timeout = Math.min(
    capability.providers[0]?.timeout ?? Number.POSITIVE_INFINITY,
    options.timeout ?? Number.POSITIVE_INFINITY,
  );
  const credentialOptions = { ...options, timeout: Number.isFinite(timeout) ? timeout : undefined };
  try {
    credential = await readCredential(capability, credentialOptions);
  } catch (error) {
    if (options.signal?.aborted) throw error;
    if (error instanceof MissingEnvError) {
      return errorResult(
        `[MISSING_SECRET] ${capability.name} needs the environment variable ${error.variable}; set it and restart or reload the gateway`,
      );
    }
    if (error instanceof ToolFailure) return errorResult(`[${error.code}] ${error.message}`);
    return errorResult(`[UPSTREAM_AUTH_FAILED] ${capability.name}: ${describe(error)}`);
  }
  let renewed = false;
  for (let index = 0; index < capability.providers.length; index++) {
    const provider = capability.providers[index]!;
    try {
      return await callProvider(capability, provider, args, options, secrets, credential);
    } catch (error) {
      if (options.signal?.aborted || !(error instanceof ToolFailure)) throw error;
      // A fetched token the provider revoked before it expired: one new token, one more try
      // (a 401 was not acted on, so even a POST may go again).
      if (error.status === 401 && !renewed && forgetFetchedToken(capability, options.env)) {
        renewed = true;
        try {
          credential = await readCredential(capability, credentialOptions);
        } catch (renewal) {
          if (options.signal?.aborted) throw renewal;
          return errorResult(redact(`[${error.code}] ${error.message}`, secrets));
        }
        index--;
        continue;
      }
      const last = index === capability.providers.length - 1;
      // A POST that timed out or failed may have been done: the next provider would do it twice.
      const { idempotentHint, readOnlyHint } = capability.annotations;
      const replays = !idempotentHint && !readOnlyHint && !error.unsent;
      if (!error.retryable || last || replays) {
        const earlier = failures.length ? ` (after ${failures.join("; ")})` : "";
        const kept =
          error.retryable && !last
            ? `; not sent to the next provider: the API may have acted on it, and ${capability.name} is not idempotent (metadata.idempotent)`
            : "";
        return errorResult(redact(`[${error.code}] ${error.message}${earlier}${kept}`, secrets));
      }
      failures.push(`provider ${provider.name}: ${error.message}`);
      log.debug(redact(`${capability.name}: ${error.message}; trying the next provider`, secrets));
    }
  }
  throw new Error(`${capability.name} has no provider`);
}

async function callProvider(
  capability: Capability,
  provider: RestProvider,
  args: JsonObject,
  options: ExecuteOptions,
  secrets: string[],
  credential: string | undefined,
): Promise<CallToolResult> {
  let request: BuiltRequest;
  try {
    request = buildRequest(capability, provider, args, options.env, secrets, credential);
  } catch (error) {
    if (error instanceof ToolFailure) throw error;
    // Nothing was sent: a request that cannot be built is this call's problem, never counted
    // as the backend failing (that opened the breaker of every capability for every caller).
    throw new ToolFailure("INVALID_ARGUMENTS", `${capability.name}: ${describe(error)}`);
  }
  const timeoutMs = Math.min(provider.timeout, options.timeout ?? Number.POSITIVE_INFINITY);
  const timer = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timer]) : timer;
  const shown = () => `${request.method} ${displayUrl(request.url, request.secretParam)}`;
  const started = performance.now();
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  let response: Response;
  let bytes: Uint8Array;
  let complete: boolean;
  try {
    response = await send(request, options, signal);
    ({ bytes, complete } = await readCapped(response, maxBytes * 16));
  } catch (error) {
    if (options.signal?.aborted) throw error;
    if (error instanceof ToolFailure) throw error;
    if (timer.aborted) {
      throw new ToolFailure(
        "UPSTREAM_TIMEOUT",
        `${shown()} did not answer within ${formatMs(timeoutMs)}`,
        true,
      );
    }
    const code = (error as { code?: unknown })?.code;
    throw new ToolFailure(
      "UPSTREAM_UNREACHABLE",
      `${shown()} failed: ${describe(error)}`,
      true,
      typeof code === "string" && UNSENT_CODES.has(code),
    );
  }
  const text = new TextDecoder().decode(bytes);
  log.debug(
    redact(
      `${capability.name}: ${shown()} -> ${response.status} in ${Math.round(performance.now() - started)} ms`,
      secrets,
    ),
  );

  if (response.status < 200 || response.status > 299) {
    const body = trimBody(text);
    // What the API asks a client to wait, said to the model that would otherwise call again.
    const after = response.headers.get("retry-after");
    const wait =
      after && (response.status === 429 || response.status === 503)
        ? ` (Retry-After: ${after.trim().slice(0, 40)})`
        : "";
    throw new ToolFailure(
      "UPSTREAM_HTTP_ERROR",
      `${shown()} returned ${response.status}${response.statusText ? ` ${response.statusText}` : ""}${wait}${body ? `: ${body}` : " with an empty body"}`,
      response.status >= 500 || response.status === 429,
      response.status === 429 || response.status === 503,
      response.status,
    );
  }
  // An API may echo its request (a `next` link with the key in its query): masked, as in errors.
  const hidden = request.resultSecrets.filter((secret) => secret.length >= 4);
  const mask = (shown: string) => (hidden.length ? redact(shown, hidden) : shown);
  if (request.method === "HEAD") {
    return success(
      mask(
        JSON.stringify({ status: response.status, headers: Object.fromEntries(response.headers) }),
      ),
      maxBytes,
    );
  }
  const type = response.headers.get("content-type") ?? "";
  if (provider.responseFormat === undefined && !TEXTUAL.test(type) && isBinary(bytes)) {
    // Decoded, it would be replacement characters: tokens spent on noise.
    return success(
      `(a binary answer: ${type || "no content type"}, ${complete ? `${bytes.length} bytes` : `more than ${formatBytes(bytes.length)}`}; add response_format: binary to the capability to receive it base64-encoded)`,
      maxBytes,
    );
  }
  if (!complete) {
    return success(
      mask(text),
      maxBytes,
      `the response is larger than ${formatBytes(maxBytes * 16)} and was not read to the end`,
    );
  }

  // The original reads an answer as XML by its content type when the file names no format.
  const format =
    provider.responseFormat ?? (provider.original && /\bxml\b/i.test(type) ? "xml" : undefined);
  const wantsJson =
    format !== "text" &&
    (/\bjson\b/i.test(type) ||
      provider.responsePath !== undefined ||
      capability.outputSchema ||
      provider.service !== "rest");
  let data: unknown = text;
  if (format === "binary") {
    // Audio, images, files: returned whole, base64-encoded, with what they are.
    let binary = "";
    for (const byte of bytes) binary += String.fromCharCode(byte);
    const mime = type || "application/octet-stream";
    data = provider.original
      ? { data: btoa(binary), mime_type: mime, size: bytes.length }
      : { content_type: mime, bytes: bytes.length, base64: btoa(binary) };
  } else if (format === "text" && provider.original) {
    // The original's shape for a text answer (its files declare `answer` in schema.output).
    data = { answer: text, confidence: "high" };
  } else if (format === "xml" && text.trim()) {
    try {
      data = xmlToJson(text);
    } catch (error) {
      throw new ToolFailure(
        "UPSTREAM_BAD_RESPONSE",
        `${shown()} returned invalid XML (${describe(error)}): ${trimBody(text)}`,
      );
    }
  } else if (format !== "text" && text.trim()) {
    try {
      if (wantsJson || (!type && /^\s*[[{]/.test(text))) data = JSON.parse(text);
    } catch (error) {
      throw new ToolFailure(
        "UPSTREAM_BAD_RESPONSE",
        `${shown()} returned invalid JSON (${describe(error)}): ${trimBody(text)}`,
      );
    }
  }
  // The original returns a text answer whole, whatever response_path says.
  let path = format === "text" && provider.original ? undefined : provider.responsePath;
  if (provider.service === "graphql") {
    data = unwrapGraphql(data, shown);
    // The original reads `data.viewer` and `viewer` alike: `data` is already unwrapped.
    path = path?.replace(/^data(\.|$)/, "");
  } else if (provider.service === "jsonrpc") {
    data = unwrapJsonRpc(data, shown);
  }
  if (path) {
    const picked = pick(data, path);
    if (picked === undefined) {
      throw new ToolFailure(
        "UPSTREAM_BAD_RESPONSE",
        `${shown()} returned no "${provider.responsePath}" (the capability's response_path): ${trimBody(text)}`,
      );
    }
    data = picked;
  }
  // A declared non-object output is wrapped, as is a bare JSON-RPC result declared as `result`.
  const declaresResult = !!(capability.outputSchema?.properties as JsonObject | undefined)?.result;
  if (capability.wrapsResult || (declaresResult && !isObject(data) && !capability.projection)) {
    data = { result: data };
  }
  if (capability.projection && isObject(data)) data = project(capability.projection, data);
  for (const transform of capability.transforms) data = transform(data);
  if (typeof data === "string")
    return success(mask(data) || `(empty response, HTTP ${response.status})`, maxBytes);
  let json = JSON.stringify(data);
  if (hidden.length && json !== undefined && mask(json) !== json) {
    // Value by value: a secret that is also JSON syntax (`true`) must not break the document.
    data = maskValues(data, mask);
    json = JSON.stringify(data);
  }
  if (capability.outputSchema) {
    const validate = validators.getValidator(capability.outputSchema);
    const result = validate(data);
    if (!result.valid || !isObject(data)) {
      const why = result.valid ? "it is not an object" : result.errorMessage;
      throw new ToolFailure(
        "UPSTREAM_BAD_RESPONSE",
        `${shown()} returned data that does not match the capability's schema.output (${why}): ${trimBody(json)}`,
      );
    }
    return success(json, maxBytes, undefined, data as JsonObject);
  }
  return success(json, maxBytes);
}

/** Every string inside a JSON value passed through `mask`. */
function maskValues(value: unknown, mask: (text: string) => string): unknown {
  if (typeof value === "string") return mask(value);
  if (Array.isArray(value)) return value.map((item) => maskValues(item, mask));
  if (isObject(value)) {
    const out: JsonObject = {};
    for (const [key, inner] of Object.entries(value))
      out[key] = maskValues(inner, mask) as JsonObject;
    return out;
  }
  return value;
}

/** Bytes that are not text: a NUL, or not UTF-8 (an unfinished last character aside). */
function isBinary(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return true;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes, { stream: true });
    return false;
  } catch {
    return true;
  }
}

function isObject(value: unknown): value is JsonObject {
  return !!value && typeof value === "object" && !Array.isArray(value);
}

/** A GraphQL answer's `data`; its `errors` make the call a tool error. */
function unwrapGraphql(body: unknown, shown: () => string): unknown {
  if (!isObject(body)) return body;
  const errors = body.errors;
  if (Array.isArray(errors) && errors.length) {
    const messages = errors.map((error) =>
      isObject(error) && typeof error.message === "string" ? error.message : JSON.stringify(error),
    );
    throw new ToolFailure("UPSTREAM_GRAPHQL_ERROR", `${shown()}: ${messages.join("; ")}`);
  }
  return body.data ?? body;
}

/** A JSON-RPC answer's `result`; its `error` makes the call a tool error. */
function unwrapJsonRpc(body: unknown, shown: () => string): unknown {
  if (!isObject(body)) return body;
  if (isObject(body.error)) {
    const { code, message, data } = body.error;
    const extra = data === undefined ? "" : ` (data: ${JSON.stringify(data)})`;
    throw new ToolFailure(
      "UPSTREAM_RPC_ERROR",
      `${shown()}: JSON-RPC error ${code ?? "?"}: ${message ?? "no message"}${extra}`,
    );
  }
  return "result" in body ? body.result : body;
}

/** The original's canonical projection: each section's fields picked by path, the response kept under `_raw`. */
function project(projection: Record<string, Record<string, string>>, data: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [section, fields] of Object.entries(projection)) {
    const picked: JsonObject = {};
    for (const [field, path] of Object.entries(fields)) {
      const value = pick(data, path);
      if (value !== undefined) picked[field] = value as JsonObject;
    }
    out[section] = picked;
  }
  out._raw = data;
  return out;
}

/** Sends a request, following redirects by hand so that every hop passes the SSRF guard. */
async function send(
  request: BuiltRequest,
  options: ExecuteOptions,
  signal: AbortSignal,
): Promise<Response> {
  let { method, url, body } = request;
  const headers = new Headers(request.headers);
  for (let hop = 0; ; hop++) {
    // Checked and sent to the checked address in one step: no second lookup to rebind.
    const response = await abortable(
      fetchPinned(url, { method, headers, body, signal }, options),
      signal,
    );
    if (!(response instanceof Response)) {
      throw new ToolFailure(
        "PRIVATE_NETWORK_BLOCKED",
        `${method} ${displayUrl(url, request.secretParam)}${hop ? ` (redirect ${hop})` : ""} refused: ${response.refused}`,
      );
    }
    const location = response.headers.get("location");
    if (!REDIRECTS.has(response.status) || !location) return response;
    await response.body?.cancel().catch(() => {});
    if (hop >= MAX_REDIRECTS) {
      throw new ToolFailure(
        "UPSTREAM_BAD_RESPONSE",
        `${request.method} ${displayUrl(request.url, request.secretParam)} redirected more than ${MAX_REDIRECTS} times`,
      );
    }
    const next = new URL(location, url);
    if (
      response.status === 303 ||
      ((response.status === 301 || response.status === 302) && method === "POST")
    ) {
      method = "GET";
      body = undefined;
      headers.delete("content-type");
    }
    // Credentials are for the origin they were configured for, never for where it redirects.
    if (next.origin !== url.origin) {
      for (const name of request.secretHeaders) headers.delete(name);
      // And those that carry credentials by their name, a key written into the file included.
      for (const name of [...headers.keys()])
        if (CREDENTIAL_HEADER.test(name)) headers.delete(name);
      // A body that keeps its key (307, 308) cannot be sent on without it.
      if (body !== undefined && request.secretBody) {
        throw new ToolFailure(
          "UPSTREAM_BAD_RESPONSE",
          `${request.method} ${displayUrl(request.url, request.secretParam)} redirected (${response.status}) to ${next.origin}, another origin; not followed, as the request body carries a credential`,
        );
      }
    }
    url = next;
  }
}

/** A result, cut to `maxBytes` of text with a note saying so (structured content is then left off). */
function success(
  text: string,
  maxBytes: number,
  note?: string,
  structured?: JsonObject,
): CallToolResult {
  const bytes = new TextEncoder().encode(text);
  if (bytes.byteLength <= maxBytes && !note) {
    return {
      content: [{ type: "text", text }],
      ...(structured ? { structuredContent: structured } : {}),
    };
  }
  const cut = bytes.byteLength > maxBytes;
  const kept = cut
    ? new TextDecoder().decode(bytes.subarray(0, maxBytes)).replace(/\uFFFD$/, "")
    : text;
  const why = note ?? `the response was ${formatBytes(bytes.byteLength)}`;
  return {
    content: [
      {
        type: "text",
        text: `${kept}\n[truncated: ${why}; capabilities.max_response_bytes is ${formatBytes(maxBytes)}. Ask for less (fewer fields, a smaller page) to see all of it]`,
      },
    ],
  };
}

function errorResult(text: string): CallToolResult {
  return { content: [{ type: "text", text }], isError: true };
}

/** `data.items[0].name`, `results.0`, `$.data` */
export function pick(data: unknown, path: string): unknown {
  const parts = path
    .replace(/^\$\.?/, "")
    .replace(/\[(\d+)\]/g, ".$1")
    .split(".")
    .filter(Boolean);
  let node = data;
  for (const part of parts) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function trimBody(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > ERROR_BODY_CHARS ? `${flat.slice(0, ERROR_BODY_CHARS)}…` : flat;
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === "string" && !message.includes(code) ? `${code}: ${message}` : message;
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
