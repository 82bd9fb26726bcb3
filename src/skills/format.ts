import { parseYAML } from "confbox";
import { z } from "zod";

/**
 * A skill's name (Agent Skills): lowercase letters, digits and single hyphens, at most 64
 * characters. It names the skill's folder in the state folder and its `skill://` URI, so it can
 * never hold a path separator or `..`.
 */
export const SKILL_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const NAME_RULE =
  "lowercase letters, digits and single hyphens, not starting or ending with one (e.g. pdf-tools), at most 64 characters";

/**
 * SKILL.md frontmatter. The fields of the Agent Skills format are checked; other keys (Claude
 * Code's `model`, `argument-hint`, the original gateway's `triggers`, `keywords`) are kept as
 * they are, so real skills load.
 */
export const SkillFrontmatterSchema = z.looseObject({
  name: z.string({ error: "required: the skill's name" }).max(64).regex(SKILL_NAME, NAME_RULE),
  description: z
    .string({ error: "required: what the skill does and when to use it" })
    .trim()
    .min(1, "must not be empty: say what the skill does and when to use it")
    // The Agent Skills format says 1024; published skills run longer (Anthropic's claude-api).
    .max(4096, "at most 4096 characters (the Agent Skills format asks for 1024)"),
  license: z.string().optional(),
  "allowed-tools": z
    .union([z.string(), z.array(z.string())], {
      error: 'a list of tool names, or one string ("Bash Read")',
    })
    .optional(),
  metadata: z.record(z.string(), z.unknown(), { error: "a mapping of keys to values" }).optional(),
  /** The original gateway's search words. */
  keywords: z.array(z.string()).optional(),
  triggers: z.array(z.string()).optional(),
});
export type SkillFrontmatter = z.infer<typeof SkillFrontmatterSchema>;

/** A parsed SKILL.md: its validated frontmatter and the markdown body after it. */
export interface SkillDocument {
  frontmatter: SkillFrontmatter;
  body: string;
}

export type ParseResult = { ok: true; skill: SkillDocument } | { ok: false; message: string };

/**
 * Parses a SKILL.md. `file` names it in every error, which says what to fix:
 * `/x/pdf/SKILL.md: frontmatter name: lowercase letters, ...`.
 */
export function parseSkillMd(text: string, file: string): ParseResult {
  const fail = (message: string): ParseResult => ({ ok: false, message: `${file}: ${message}` });
  const source = text.replace(/^\uFEFF/, "");
  const open = /^---[ \t]*\r?\n/.exec(source);
  if (!open) {
    return fail(
      "does not start with YAML frontmatter: the first line must be --- and the block must hold name: and description:",
    );
  }
  const rest = source.slice(open[0].length);
  const close = /^---[ \t]*(\r?\n|$)/m.exec(rest);
  if (!close) return fail("the frontmatter is not closed: add a line with --- after it");
  let data: unknown;
  try {
    data = parseYAML(rest.slice(0, close.index));
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return fail(`the frontmatter is not valid YAML: ${reason}`);
  }
  if (!data || typeof data !== "object" || Array.isArray(data)) {
    return fail("the frontmatter must be a YAML mapping with name: and description:");
  }
  const parsed = SkillFrontmatterSchema.safeParse(data);
  if (!parsed.success) {
    const record = data as Record<string, unknown>;
    const problems = parsed.error.issues.map((issue) => {
      const key = issue.path.join(".") || "(top)";
      const value = issue.path.length === 1 ? record[String(issue.path[0])] : undefined;
      const got = typeof value === "string" ? ` (it is ${JSON.stringify(value.slice(0, 80))})` : "";
      return `frontmatter ${key}: ${issue.message}${got}`;
    });
    return fail(problems.join("; "));
  }
  const body = rest.slice(close.index + close[0].length).replace(/^\r?\n/, "");
  return { ok: true, skill: { frontmatter: parsed.data, body } };
}

/** `allowed-tools` as a list, whichever way it was written. */
export function allowedTools(frontmatter: SkillFrontmatter): string[] {
  const value = frontmatter["allowed-tools"];
  if (value === undefined) return [];
  return typeof value === "string" ? value.split(/[\s,]+/).filter(Boolean) : value;
}
