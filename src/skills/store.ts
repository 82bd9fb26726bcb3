import { randomBytes } from "node:crypto";
import { existsSync, lstatSync, readdirSync, renameSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { listFolder, readInside, SKILL_LIMITS, type SkillFile } from "./files.ts";
import { allowedTools, parseSkillMd, SKILL_NAME, type SkillFrontmatter } from "./format.ts";

/** The file every skill has; `skill://NAME` serves it. */
export const SKILL_FILE = "SKILL.md";

/** A skill as stored in the skills folder: data to serve, never code to run. */
export interface Skill {
  name: string;
  description: string;
  license?: string;
  allowedTools: string[];
  frontmatter: SkillFrontmatter;
  /** SKILL.md after its frontmatter: the prompt's text. */
  body: string;
  /** SKILL.md as written. */
  text: string;
  /** The skill's folder. */
  dir: string;
  /** Every file served, SKILL.md first. */
  files: SkillFile[];
  /** Files left out (links, oversized), each with the reason. */
  skipped: string[];
}

export type LoadResult = { ok: true; skill: Skill } | { ok: false; message: string };

/** Reads one skill's folder: SKILL.md validated, its other files listed within the limits. */
export function loadSkill(dir: string): LoadResult {
  const file = join(dir, SKILL_FILE);
  let text: string;
  try {
    const stat = lstatSync(file);
    if (stat.isSymbolicLink()) {
      return {
        ok: false,
        message: `${file}: a symbolic link; the skill's SKILL.md must be a file`,
      };
    }
    text = new TextDecoder().decode(readInside(dir, SKILL_FILE));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "missing" : String(error);
    return { ok: false, message: `${file}: ${reason}` };
  }
  const parsed = parseSkillMd(text, file);
  if (!parsed.ok) return parsed;
  const listing = listFolder(dir);
  if (listing.refused) return { ok: false, message: `${dir}: refused: ${listing.refused}` };
  const { frontmatter, body } = parsed.skill;
  const files = [
    ...listing.files.filter((f) => f.path === SKILL_FILE),
    ...listing.files.filter((f) => f.path !== SKILL_FILE),
  ];
  return {
    ok: true,
    skill: {
      name: frontmatter.name,
      description: frontmatter.description,
      ...(frontmatter.license ? { license: frontmatter.license } : {}),
      allowedTools: allowedTools(frontmatter),
      frontmatter,
      body,
      text,
      dir,
      files,
      skipped: listing.skipped,
    },
  };
}

/** A folder in the skills folder that did not load, and why. */
export interface SkillProblem {
  path: string;
  message: string;
}

/**
 * Every skill in the skills folder (`<dir>/<name>/SKILL.md`). A folder whose SKILL.md does not
 * load, or whose name differs from the skill's, is a problem, not a skill; dot-folders are the
 * importer's work in progress.
 */
export function loadSkills(root: string): { skills: Skill[]; problems: SkillProblem[] } {
  const skills: Skill[] = [];
  const problems: SkillProblem[] = [];
  if (!existsSync(root)) return { skills, problems };
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (entry.name.startsWith(".") || !entry.isDirectory()) continue;
    const dir = join(root, entry.name);
    const loaded = loadSkill(dir);
    if (!loaded.ok) {
      problems.push({ path: dir, message: loaded.message });
    } else if (loaded.skill.name !== entry.name) {
      problems.push({
        path: dir,
        message: `${dir}: holds skill "${loaded.skill.name}"; a skill's folder must be named after it (rename the folder, or import it with mcp-gateway skills import)`,
      });
    } else {
      skills.push(loaded.skill);
    }
  }
  skills.sort((a, b) => a.name.localeCompare(b.name));
  return { skills, problems };
}

/** Removes a stored skill; false when there is none of that name. */
export function removeSkill(root: string, name: string): boolean {
  if (!SKILL_NAME.test(name)) return false;
  const dir = join(root, name);
  if (!existsSync(dir) || !lstatSync(dir).isDirectory()) return false;
  // Renamed first, so the watcher never sees half a skill.
  const gone = join(root, `.removed-${name}-${randomBytes(4).toString("hex")}`);
  renameSync(dir, gone);
  rmSync(gone, { recursive: true, force: true });
  return true;
}

/** The skill folder a stored skill lives in, or undefined for a name that is not one. */
export function skillDir(root: string, name: string): string | undefined {
  return SKILL_NAME.test(name) && basename(name) === name ? join(root, name) : undefined;
}

export { SKILL_LIMITS };
