import { z } from "zod";
import { unsafeRegex } from "../security/safe-regex.ts";

/**
 * The original gateway's response transforms (`transform` / `response_transform` on
 * capabilities, `backends.<n>.tools.<tool>.response_transform` here): applied in the order
 * project, rename, redact, format.
 */
export const TransformSchema = z.strictObject({
  /** Paths to keep (`id`, `user.name`, `results[].title`, `items[0].id`), each under its leaf key. */
  project: z.array(z.string().min(1)).optional(),
  /** Top-level keys to rename, `old: new` (a dotted old name means its leaf). */
  rename: z.record(z.string(), z.string().min(1)).optional(),
  /** Regex replacements in every string value, or field names whose values are redacted. */
  redact: z
    .array(
      z.union([
        z.string().min(1),
        z.strictObject({
          pattern: z.string().min(1),
          replacement: z.string().default("[REDACTED]"),
        }),
      ]),
    )
    .optional(),
  /** `flat` (dot-separated keys), `nested` (as is), or `template` with `{{path}}` references. */
  format: z
    .union([
      z.enum(["flat", "nested"]).transform((type) => ({ type, template: undefined })),
      z.strictObject({
        type: z.enum(["flat", "nested", "template"]),
        template: z.string().optional(),
      }),
    ])
    .optional(),
});
export type TransformConfig = z.infer<typeof TransformSchema>;

export type Transform = (value: unknown) => unknown;

const REDACTED = "[REDACTED]";

/** Compiles a transform; a bad regex or a template without text is an error naming `where`. */
export function compileTransform(
  config: TransformConfig,
  where: string,
):
  | { ok: true; apply: Transform; redactText: (text: string) => string }
  | { ok: false; error: string } {
  const patterns: { regex: RegExp; replacement: string }[] = [];
  const fields = new Set<string>();
  for (const [i, rule] of (config.redact ?? []).entries()) {
    if (typeof rule === "string") {
      fields.add(rule);
      continue;
    }
    try {
      const regex = new RegExp(rule.pattern, "g");
      // It runs over every string of a backend's result, on the event loop.
      const unsafe = unsafeRegex(rule.pattern, "g");
      if (unsafe) return { ok: false, error: `${where}.redact[${i}].pattern: ${unsafe}` };
      patterns.push({ regex, replacement: rule.replacement });
    } catch (error) {
      return { ok: false, error: `${where}.redact[${i}].pattern: ${(error as Error).message}` };
    }
  }
  const format = config.format;
  if (format?.type === "template" && !format.template) {
    return { ok: false, error: `${where}.format.template: a template format needs its text` };
  }
  const apply: Transform = (input) => {
    let value = input;
    if (config.project?.length) value = project(value, config.project);
    if (config.rename) value = rename(value, config.rename);
    if (patterns.length || fields.size) value = redact(value, patterns, fields);
    if (format?.type === "flat") value = flatten(value);
    if (format?.type === "template") value = render(format.template!, value);
    return value;
  };
  return {
    ok: true,
    apply,
    redactText: (text) => redact(text, patterns, fields) as string,
  };
}

/**
 * A tool result with a transform applied: `structuredContent`, and each text block that holds
 * JSON, are transformed; other text only has the redaction patterns applied. A result that is
 * the tool's error is left as it is.
 */
export function transformResult<
  R extends { content?: unknown[]; structuredContent?: unknown; isError?: boolean },
>(result: R, transform: Extract<ReturnType<typeof compileTransform>, { ok: true }>): R {
  if (result.isError) return result;
  const content = (result.content ?? []).map((block) => {
    const item = block as { type?: string; text?: string };
    if (item.type !== "text" || typeof item.text !== "string") return block;
    let parsed: unknown;
    try {
      parsed = JSON.parse(item.text);
    } catch {
      return { ...item, text: transform.redactText(item.text) };
    }
    const out = transform.apply(parsed);
    return { ...item, text: typeof out === "string" ? out : JSON.stringify(out) };
  });
  const out: R = { ...result, content };
  if (result.structuredContent !== undefined) {
    const structured = transform.apply(result.structuredContent);
    if (structured && typeof structured === "object" && !Array.isArray(structured)) {
      out.structuredContent = structured;
    } else {
      delete out.structuredContent;
    }
  }
  return out;
}

type Segment = string | number | "[]";

function parsePath(path: string): Segment[] {
  const out: Segment[] = [];
  for (const part of path.replace(/^\$\.?/, "").split(".")) {
    const match = /^([^[\]]*)((?:\[\d*\])*)$/.exec(part);
    if (!match) {
      out.push(part);
      continue;
    }
    if (match[1]) out.push(match[1]);
    for (const index of match[2]!.match(/\[\d*\]/g) ?? []) {
      out.push(index === "[]" ? "[]" : Number(index.slice(1, -1)));
    }
  }
  return out;
}

/** Every value a path reaches (`[]` fans out over an array). */
function resolvePath(value: unknown, path: Segment[]): unknown[] {
  if (!path.length) return value === undefined ? [] : [value];
  const [head, ...rest] = path;
  if (head === "[]") {
    return Array.isArray(value) ? value.flatMap((item) => resolvePath(item, rest)) : [];
  }
  if (value === null || typeof value !== "object") return [];
  return resolvePath((value as Record<string | number, unknown>)[head as string | number], rest);
}

function leafKey(path: string): string {
  const stripped = path.replace(/(\[\d*\])+$/, "");
  return stripped.slice(stripped.lastIndexOf(".") + 1);
}

function project(value: unknown, paths: string[]): unknown {
  const out: Record<string, unknown> = {};
  for (const path of paths) {
    const found = resolvePath(value, parsePath(path));
    if (!found.length) continue;
    out[leafKey(path)] = found.length === 1 && !path.includes("[]") ? found[0] : found;
  }
  return out;
}

function rename(value: unknown, names: Record<string, string>): unknown {
  if (!value || typeof value !== "object" || Array.isArray(value)) return value;
  const out = { ...(value as Record<string, unknown>) };
  for (const [from, to] of Object.entries(names)) {
    const key = leafKey(from);
    if (!(key in out)) continue;
    const moved = out[key];
    delete out[key];
    out[to] = moved;
  }
  return out;
}

function redact(
  value: unknown,
  patterns: { regex: RegExp; replacement: string }[],
  fields: Set<string>,
): unknown {
  if (typeof value === "string") {
    return patterns.reduce(
      (text, { regex, replacement }) => text.replace(regex, replacement),
      value,
    );
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, patterns, fields));
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        fields.has(key) ? REDACTED : redact(item, patterns, fields),
      ]),
    );
  }
  return value;
}

function flatten(value: unknown, prefix = "", out: Record<string, unknown> = {}): unknown {
  if (value && typeof value === "object") {
    const entries = Array.isArray(value)
      ? value.map((v, i) => [String(i), v] as const)
      : Object.entries(value);
    for (const [key, item] of entries) flatten(item, prefix ? `${prefix}.${key}` : key, out);
    return out;
  }
  out[prefix] = value;
  return out;
}

function render(template: string, value: unknown): string {
  return template.replace(/\{\{\s*([\w.[\]]+)\s*\}\}/g, (_, path: string) => {
    const found = resolvePath(value, parsePath(path))[0];
    if (found === undefined || found === null) return "";
    return typeof found === "string" ? found : JSON.stringify(found);
  });
}
