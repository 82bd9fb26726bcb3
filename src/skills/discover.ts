import { existsSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { SKILL_FILE } from "./store.ts";

/**
 * Claude Code's skill folders (`~/.claude/skills`, and `.claude/skills` of the project) that hold
 * skills the skills folder does not have yet, with how many: what `setup` offers to import.
 */
export function claudeSkillFolders(
  env: Record<string, string | undefined>,
  projectDir: string,
  stored: string,
): { dir: string; fresh: string[] }[] {
  const home = join(env.HOME || homedir(), ".claude", "skills");
  const project = join(projectDir, ".claude", "skills");
  const found: { dir: string; fresh: string[] }[] = [];
  for (const dir of new Set([home, project])) {
    let names: string[];
    try {
      names = readdirSync(dir).filter((name) => existsSync(join(dir, name, SKILL_FILE)));
    } catch {
      continue;
    }
    const fresh = names.filter((name) => !existsSync(join(stored, name, SKILL_FILE)));
    if (fresh.length) found.push({ dir, fresh });
  }
  return found;
}
