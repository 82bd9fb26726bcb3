import type { BackendEntry } from "../config/edit.ts";
import { CREDENTIAL_SHAPES, hasCredentialShape } from "../security/credentials.ts";

/** Key names that hold credentials: env variables, headers, flags, query parameters. */
const SECRET_KEY =
  /^keys?$|[-_.]keys?$|token|secret|passw(?:or)?d|pwd|api[-_]?key|apikey|access[-_]?key|private[-_]?key|authori[sz]ation|auth(?!or)|credential|cookie|session[-_]?id|connection[-_]?string|dsn/i;

/** Values that are never credentials themselves: flags, numbers, plain URLs, key hashes, references. */
const NOT_SECRET =
  /^(?:true|false|yes|no|on|off|none|null|\d{1,6}|https?:\/\/[^@\s]*|sha256:[0-9a-f]+|env:[A-Za-z_]\w*)$/i;
const SCHEME = /^(Bearer|Basic|Token|Bot)\s+/i;
const URL_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:)([^/\s@]+)(@)/i;
const REFERENCE = /(?<!\$)\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}/;

/** True when `value` only points at a variable (`${X}`, `Bearer ${X}`): nothing to move. */
function isReference(value: string): boolean {
  return REFERENCE.test(value) && !hasCredentialShape(value.replace(REFERENCE, ""));
}

/** Whether the value under `key` is a credential. */
export function isSecret(key: string, value: string): boolean {
  if (!value || isReference(value)) return false;
  if (hasCredentialShape(value) || URL_PASSWORD.test(value)) return true;
  if (!SECRET_KEY.test(key)) return false;
  const bare = value.replace(SCHEME, "");
  return !NOT_SECRET.test(bare.trim());
}

/** A credential moved out of an imported server into a `${VARIABLE}` reference. */
export interface MovedSecret {
  variable: string;
  /** The secret itself: never printed, only compared (and written where the user asks). */
  value: string;
  /** Where the reference now stands: `backends.github.env.GITHUB_TOKEN`. */
  where: string;
}

/** Hands out variable names: the same value under the same name shares it, a clash gets a prefix. */
export class VariableNamer {
  private readonly taken: Map<string, string>;

  /** `bound`: variables that already hold a value (the secrets file, the environment). */
  constructor(bound: Record<string, string | undefined> = {}) {
    this.taken = new Map(
      Object.entries(bound).filter((pair): pair is [string, string] => pair[1] !== undefined),
    );
  }

  name(preferred: string, value: string, prefix: string): string {
    const base = toVariable(preferred);
    const prefixed = base.startsWith(`${prefix}_`) ? base : toVariable(`${prefix}_${preferred}`);
    const candidates = [base, prefixed];
    for (const candidate of candidates) {
      const held = this.taken.get(candidate);
      if (held === undefined || held === value) {
        this.taken.set(candidate, value);
        return candidate;
      }
    }
    for (let n = 2; ; n++) {
      const candidate = `${candidates[1]}_${n}`;
      const held = this.taken.get(candidate);
      if (held === undefined || held === value) {
        this.taken.set(candidate, value);
        return candidate;
      }
    }
  }
}

/** `x-api-key` → `X_API_KEY`; a leading digit gets an underscore. */
export function toVariable(text: string): string {
  const upper = text
    .replace(/[^A-Za-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .toUpperCase();
  return /^[0-9]/.test(upper) ? `_${upper}` : upper || "SECRET";
}

/**
 * Moves every credential of one backend (env values, headers, flag values, URL passwords and
 * secret query parameters) to `${VARIABLE}` references, returning the new entry and what moved.
 */
export function extractSecrets(
  name: string,
  entry: BackendEntry,
  namer: VariableNamer,
): { entry: BackendEntry; moved: MovedSecret[] } {
  const moved: MovedSecret[] = [];
  const out: BackendEntry = { ...entry };
  const prefix = toVariable(name);
  const take = (preferred: string, value: string, where: string): string => {
    const variable = namer.name(preferred, value, prefix);
    moved.push({ variable, value, where });
    return `\${${variable}}`;
  };

  if (entry.env) {
    out.env = {};
    for (const [key, value] of Object.entries(entry.env)) {
      const isName = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key);
      out.env[key] = isSecret(key, value)
        ? take(isName ? key : `${name}_${key}`, value, `backends.${name}.env.${key}`)
        : value;
    }
  }
  if (entry.headers) {
    out.headers = {};
    for (const [key, value] of Object.entries(entry.headers)) {
      const secret = isSecret(key, value) || /^(?:proxy-)?authorization$/i.test(key);
      if (!secret || !value || isReference(value)) {
        out.headers[key] = value;
        continue;
      }
      const scheme = SCHEME.exec(value)?.[0] ?? "";
      // A header already named like a variable (CONTEXT7_API_KEY) keeps its name.
      const preferred = /authorization/i.test(key)
        ? `${name}_TOKEN`
        : /^[A-Z][A-Z0-9_]*$/.test(key)
          ? key
          : `${name}_${key}`;
      const where = `backends.${name}.headers.${key}`;
      out.headers[key] = scheme + take(preferred, value.slice(scheme.length), where);
    }
  }
  if (entry.args) {
    out.args = [];
    for (let i = 0; i < entry.args.length; i++) {
      const arg = entry.args[i]!;
      const where = `backends.${name}.args[${i}]`;
      const flag = /^(--?[A-Za-z0-9][A-Za-z0-9_-]*)=(.*)$/.exec(arg);
      const previous = i > 0 ? entry.args[i - 1]! : "";
      if (flag && isSecret(flag[1]!, flag[2]!)) {
        out.args.push(`${flag[1]}=${take(`${name}_${flag[1]}`, flag[2]!, where)}`);
      } else if (
        /^--?[A-Za-z]/.test(previous) &&
        !previous.includes("=") &&
        isSecret(previous, arg)
      ) {
        out.args.push(take(`${name}_${previous}`, arg, where));
      } else if (!arg.startsWith("-") && (hasCredentialShape(arg) || URL_PASSWORD.test(arg))) {
        out.args.push(take(URL_PASSWORD.test(arg) ? `${name}_URL` : `${name}_TOKEN`, arg, where));
      } else {
        out.args.push(arg);
      }
    }
  }
  if (entry.url)
    out.url = secureUrl(entry.url, (preferred, value, part) =>
      take(`${name}_${preferred}`, value, `backends.${name}.url (${part})`),
    );
  return { entry: out, moved };
}

/** Replaces a URL's password and secret query values, through `take`, with references. */
function secureUrl(
  url: string,
  take: (preferred: string, value: string, part: string) => string,
): string {
  let out = url.replace(URL_PASSWORD, (_, head: string, password: string, at: string) => {
    return head + take("PASSWORD", decodeURIComponent(password), "password") + at;
  });
  out = out.replace(
    /([?&])([^=&#]+)=([^&#]*)/g,
    (whole, sep: string, key: string, value: string) => {
      if (!value || !isSecret(key, decodeURIComponent(value))) return whole;
      return `${sep}${key}=${take(key, decodeURIComponent(value), `query ${key}`)}`;
    },
  );
  return out;
}

export const REDACTED = "<redacted>";

/**
 * A copy of a config tree with credentials replaced by `<redacted>`: values under secret-looking
 * keys, every Authorization header, flag values after secret flags, token-shaped strings and URL
 * passwords anywhere.
 */
export function redactTree(tree: unknown, key = ""): unknown {
  if (typeof tree === "string") return redactString(key, tree);
  if (Array.isArray(tree)) {
    return tree.map((item, index) => {
      const previous = index > 0 ? tree[index - 1] : undefined;
      if (typeof item === "string") {
        const flag = /^(--?[A-Za-z0-9][A-Za-z0-9_-]*)=(.*)$/.exec(item);
        if (flag && isSecret(flag[1]!, flag[2]!)) return `${flag[1]}=${REDACTED}`;
        if (
          typeof previous === "string" &&
          /^--?[A-Za-z]/.test(previous) &&
          isSecret(previous, item)
        )
          return REDACTED;
      }
      return redactTree(item, key);
    });
  }
  if (tree && typeof tree === "object") {
    const out: Record<string, unknown> = {};
    for (const [childKey, value] of Object.entries(tree)) {
      // `Bearer ${TOKEN}` only names where the secret is: it is shown as written.
      out[childKey] =
        typeof value === "string" &&
        /^(?:proxy-)?authorization$/i.test(childKey) &&
        value &&
        !isReference(value)
          ? (SCHEME.exec(value)?.[0] ?? "") + REDACTED
          : redactTree(value, childKey);
    }
    return out;
  }
  return tree;
}

function redactString(key: string, value: string): string {
  const whole = SECRET_KEY.test(key) && isSecret(key, value);
  if (whole && !URL_PASSWORD.test(value) && !/[?&][^=]+=/.test(value)) {
    return (SCHEME.exec(value)?.[0] ?? "") + REDACTED;
  }
  // Otherwise only the credential inside the text goes: a URL's password, a token in prose.
  let out = value.replace(URL_PASSWORD, (_, head: string, _password: string, at: string) => {
    return head + REDACTED + at;
  });
  out = out.replace(/([?&])([^=&#]+)=([^&#]*)/g, (whole, sep: string, name: string, v: string) =>
    v && isSecret(name, v) ? `${sep}${name}=${REDACTED}` : whole,
  );
  for (const [, pattern] of CREDENTIAL_SHAPES) out = out.replace(pattern, REDACTED);
  return out;
}
