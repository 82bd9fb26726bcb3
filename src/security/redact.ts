/**
 * Credentials out of logs, `config export` and (with `security.redact_results`) tool results: each
 * known credential shape (./credentials.ts) becomes `[REDACTED:<kind>]`, and so do URL passwords,
 * `Bearer` values and `password=`-style assignments.
 */
import { CREDENTIAL_SHAPES } from "./credentials.ts";

/**
 * `scheme://user:password@host`: the password goes, the rest stays readable. Every part is
 * bounded, so text that almost matches ("a-a-a-..." with no `://`) costs linear time, not
 * quadratic: this runs on queries and results that anyone can send.
 */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]{0,31}:\/\/[^\s:/@]{1,256}:)([^\s@/]{1,1024})(@)/gi;
/** `Bearer <token>` and `Basic <credentials>` in headers that were logged. */
const AUTH_SCHEME = /\b(Bearer|Basic)\s+([A-Za-z0-9._~+/-]{12,}=*)/g;
/**
 * `password=...`, `"api_key": "..."`, `AWS_SECRET_ACCESS_KEY=...`. The match starts at the
 * keyword: the name before it (`AWS_SECRET_`) stays as it is either way, and a pattern that first
 * spans the name backtracks over every long run of name characters (quadratic time).
 */
const ASSIGNMENT =
  /((?:password|passwd|secret|api[_-]?key|access[_-]?key|private[_-]?key|token)["']?\s*[=:]\s*["']?)([^\s"',;&]{8,})/gi;

/** Redaction markers (ours, `config export`'s) and `${VAR}` references: nothing to hide. */
const ALREADY_HIDDEN = /^(\[REDACTED|<redacted>|\$\{)/i;

/**
 * Words after a name that are not its value: "auth.bearer_token: variable X is not set" (a
 * lowercase word after `: `) and `${API_TOKEN:-default}` (a default, after `:-`).
 */
function isProse(head: string, value: string): boolean {
  return value.startsWith("-") || (/:\s+$/.test(head) && /^[a-z]+$/.test(value));
}

/**
 * A value that looks generated rather than written: letters and digits, no call or member access.
 * Tool results are full of code and docs (`api_key: z.string()`, `user:pw@host`), so there the
 * heuristic rules (URL passwords, assignments) take only such values; the shapes always apply.
 */
function looksGenerated(value: string): boolean {
  return /\d/.test(value) && /[A-Za-z]/.test(value) && !/[().]/.test(value) && value.length >= 6;
}

/**
 * Replaces every credential-shaped string in `text`. `strict` (tool results) keeps URL
 * passwords and assignments whose value reads as a word or code (see `looksGenerated`).
 */
export function redactText(text: string, strict = false): string {
  if (text.length < 8) return text;
  let out = text;
  for (const [kind, pattern] of CREDENTIAL_SHAPES) {
    out = out.replace(pattern, `[REDACTED:${kind}]`);
  }
  out = out.replace(URL_PASSWORD, (whole, head: string, password: string, at: string) =>
    ALREADY_HIDDEN.test(password) || (strict && !looksGenerated(password))
      ? whole
      : `${head}[REDACTED:password]${at}`,
  );
  out = out.replace(AUTH_SCHEME, (whole, scheme: string, value: string) =>
    ALREADY_HIDDEN.test(value) ? whole : `${scheme} [REDACTED:token]`,
  );
  out = out.replace(ASSIGNMENT, (whole, head: string, value: string) =>
    ALREADY_HIDDEN.test(value) || isProse(head, value) || (strict && !looksGenerated(value))
      ? whole
      : `${head}[REDACTED:secret]`,
  );
  return out;
}

/**
 * A deep copy of a JSON value with every string redacted, property names too (a map keyed by
 * token, `{"ghp_…": {"scopes": …}}`, passed its keys on whole).
 */
export function redactValue<T>(value: T, strict = false): T {
  if (typeof value === "string") return redactText(value, strict) as T;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, strict)) as T;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      out[redactText(key, strict)] = redactValue(child, strict);
    }
    return out as T;
  }
  return value;
}

interface ResultLike {
  content?: unknown;
  structuredContent?: unknown;
}

/**
 * A tool result with credentials redacted from its text, embedded resources, resource links and
 * structured content (strict).
 */
export function redactResult<T extends ResultLike>(result: T): T {
  const out = { ...result };
  if (Array.isArray(result.content)) {
    out.content = result.content.map((block: { type?: string; text?: unknown }) =>
      block?.type === "text" && typeof block.text === "string"
        ? { ...block, text: redactText(block.text, true) }
        : block?.type === "resource" || block?.type === "resource_link"
          ? redactValue(block, true)
          : block,
    );
  }
  if (result.structuredContent !== undefined) {
    out.structuredContent = redactValue(result.structuredContent, true);
  }
  return out;
}

/**
 * A `prompts/get` result with credentials redacted from its description and each message's
 * content as from a tool result's blocks (strict): the model reads a prompt as it reads a result.
 */
export function redactPrompt<T extends { description?: unknown; messages?: unknown }>(
  result: T,
): T {
  if (!Array.isArray(result.messages)) return result;
  return {
    ...result,
    ...(typeof result.description === "string" && {
      description: redactText(result.description, true),
    }),
    messages: result.messages.map((message: { content?: unknown }) =>
      message?.content && typeof message.content === "object"
        ? { ...message, content: redactResult({ content: [message.content] }).content[0] }
        : message,
    ),
  };
}

/**
 * A `resources/read` result with credentials redacted from its text contents (strict), as an
 * embedded resource in a tool result is: a link to it must not be the way around. Blobs are left
 * whole (base64 is no text to read).
 */
export function redactContents<T extends { contents?: unknown }>(result: T): T {
  if (!Array.isArray(result.contents)) return result;
  return {
    ...result,
    contents: result.contents.map((content: { text?: unknown }) =>
      typeof content?.text === "string"
        ? { ...content, text: redactText(content.text, true) }
        : content,
    ),
  };
}

/** A log argument with credentials redacted (strings and error messages). */
export function redactLogArg(arg: unknown): unknown {
  if (typeof arg === "string") return redactText(arg);
  if (arg instanceof Error) {
    const copy = new Error(redactText(arg.message));
    copy.name = arg.name;
    copy.stack = arg.stack ? redactText(arg.stack) : undefined;
    return copy;
  }
  return arg;
}
