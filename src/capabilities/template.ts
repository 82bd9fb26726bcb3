import type { JsonObject } from "../backends/types.ts";

/**
 * One pass over a template string, so a substituted value is never scanned again:
 * `$${` (a literal `${`), `${NAME}` / `${NAME:-default}` and `{env.NAME}` (environment, read at
 * call time), `{arg}` and `{+arg}` (a tool argument; `+` keeps `/` unescaped in a path).
 */
const TOKEN =
  /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\{(?:env\.([A-Za-z_][A-Za-z0-9_]*)|oauth\.([A-Za-z0-9_-]+))\}|\{(\+?)([A-Za-z0-9_][A-Za-z0-9_.-]*)\}/g;

/** `{oauth.google}` (the original's inline OAuth token) reads `GOOGLE_ACCESS_TOKEN`. */
function oauthTokenEnv(name: string): string {
  return `${name.toUpperCase().replace(/[^A-Z0-9]+/g, "_")}_ACCESS_TOKEN`;
}

/** Everything a template refers to. */
export interface TemplateRefs {
  args: string[];
  /** Environment variables without a default: the template cannot render without them. */
  env: string[];
}

/** Lists the arguments and environment variables a template names. */
export function templateRefs(text: string): TemplateRefs {
  const refs: TemplateRefs = { args: [], env: [] };
  for (const match of text.matchAll(TOKEN)) {
    if (match[0] === "$${") continue;
    if (match[1] !== undefined && match[2] === undefined) refs.env.push(match[1]);
    else if (match[3] !== undefined) refs.env.push(match[3]);
    else if (match[4] !== undefined) refs.env.push(oauthTokenEnv(match[4]));
    else if (match[6] !== undefined) refs.args.push(match[6]);
  }
  return refs;
}

/** Collects the refs of every string inside a template tree (a body, a header map). */
export function treeRefs(node: unknown, into: TemplateRefs = { args: [], env: [] }): TemplateRefs {
  if (typeof node === "string") {
    const refs = templateRefs(node);
    into.args.push(...refs.args);
    into.env.push(...refs.env);
  } else if (Array.isArray(node)) {
    for (const item of node) treeRefs(item, into);
  } else if (node && typeof node === "object") {
    for (const value of Object.values(node)) treeRefs(value, into);
  }
  return into;
}

export interface RenderContext {
  args: JsonObject;
  env: Record<string, string | undefined>;
  /** How an argument's text is escaped where it lands (a path segment, say). */
  encode?: (text: string, reserved: boolean, arg: string) => string;
  /**
   * Checks an argument's text placed inside longer text (a query parameter's JQL, CQL or
   * search syntax, a body's SQL), given the quote it sits in, if any; throws to refuse it.
   */
  embed?: (arg: string, text: string, quote: '"' | "'" | undefined) => string;
  /** Secret values read from the environment, collected so errors can redact them. */
  secrets: string[];
  /** Values of variables named as secrets (`*_KEY`, `*_TOKEN`, ...), masked in results too. */
  sensitive?: string[];
  /** Arguments a template consumed; the rest may go to the query or the body. */
  used: Set<string>;
}

/** Raised when a template needs an environment variable that is not set. */
export class MissingEnvError extends Error {
  constructor(readonly variable: string) {
    super(`environment variable ${variable} is not set`);
  }
}

/** An argument as text: strings as they are, other values as JSON. */
export function argText(value: unknown): string {
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/** Variable names that say they hold a secret. */
const SECRET_NAME = /KEY|TOKEN|SECRET|PASSW|CREDENTIAL|AUTH|SESSION|SIGN|COOKIE/i;

function readEnv(name: string, ctx: RenderContext, fallback?: string): string {
  const value = ctx.env[name];
  if (value !== undefined && value !== "") {
    if (value.length >= 4) ctx.secrets.push(value);
    if (value.length >= 4 && SECRET_NAME.test(name)) ctx.sensitive?.push(value);
    return value;
  }
  if (fallback !== undefined) return fallback;
  throw new MissingEnvError(name);
}

/**
 * Renders a template string. Returns undefined when it names an argument the caller did not
 * pass: the field it fills (a query parameter, a header, a body key) is then left out.
 */
export function renderString(text: string, ctx: RenderContext): string | undefined {
  let missing = false;
  const out = text.replace(
    TOKEN,
    (
      whole,
      envName?: string,
      fallback?: string,
      envDotted?: string,
      oauthName?: string,
      plus?: string,
      arg?: string,
      at?: number,
    ) => {
      if (whole === "$${") return "${";
      if (envName !== undefined) return readEnv(envName, ctx, fallback);
      if (envDotted !== undefined) return readEnv(envDotted, ctx);
      if (oauthName !== undefined) return readEnv(oauthTokenEnv(oauthName), ctx);
      const value = ctx.args[arg!];
      if (value === undefined || value === null) {
        missing = true;
        return "";
      }
      ctx.used.add(arg!);
      const raw = argText(value);
      if (ctx.encode) return ctx.encode(raw, plus === "+", arg!);
      if (ctx.embed && whole !== text) return ctx.embed(arg!, raw, quoteAt(text, at!));
      return raw;
    },
  );
  return missing ? undefined : out;
}

/** The quote (`"` or `'`) position `at` of a text is inside, if any (backslashes escape). */
export function quoteAt(text: string, at: number): '"' | "'" | undefined {
  let open: '"' | "'" | undefined;
  for (let i = 0; i < at; i++) {
    const c = text[i];
    if (c === "\\" && open) i++;
    else if (c === open) open = undefined;
    else if (!open && (c === '"' || c === "'")) open = c;
  }
  return open;
}

/** Renders a value in a body: a string that is exactly `{arg}` keeps the argument's JSON type. */
export function renderValue(text: string, ctx: RenderContext): unknown {
  const whole = /^\{\+?([A-Za-z0-9_][A-Za-z0-9_.-]*)\}$/.exec(text);
  if (whole && !/^(env|oauth)\./.test(whole[1]!)) {
    const value = ctx.args[whole[1]!];
    if (value === undefined || value === null) return undefined;
    ctx.used.add(whole[1]!);
    return value;
  }
  return renderString(text, ctx);
}

/** Renders every string in a body template; keys whose value is missing are left out. */
export function renderTree(node: unknown, ctx: RenderContext): unknown {
  if (typeof node === "string") return renderValue(node, ctx);
  if (Array.isArray(node)) {
    return node.map((item) => renderTree(item, ctx)).filter((item) => item !== undefined);
  }
  if (node && typeof node === "object") {
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(node)) {
      const rendered = renderTree(value, ctx);
      if (rendered !== undefined) out[key] = rendered;
    }
    return out;
  }
  return node;
}
