import { MAX_SCANNED, scanDescription, scanTool, type ToolFinding } from "../security/poisoning.ts";
import { readInside } from "./files.ts";
import { SKILL_FILE, type Skill } from "./store.ts";

/** The pseudo-server skills are scoped, searched and reported under (`skills:NAME`). */
export const SKILLS_SERVER = "skills";

/** Overlap between scanned slices, so a phrase cut at a slice boundary is still read whole. */
const OVERLAP = 1024;

/**
 * The poisoning findings of a skill: its name and description as a tool's, and the text the
 * model reads (SKILL.md and the skill's other markdown and plain-text files), in slices, since a
 * skill is longer than a tool description. Scripts are served as files and never run, so they
 * are not read as instructions.
 */
export function scanSkill(skill: Skill): ToolFinding[] {
  const findings = scanTool(SKILLS_SERVER, { name: skill.name, description: skill.description });
  const add = (where: string, text: string) => {
    for (let at = 0; at < text.length; at += MAX_SCANNED - OVERLAP) {
      for (const finding of scanDescription(text.slice(at, at + MAX_SCANNED))) {
        findings.push({ server: SKILLS_SERVER, tool: skill.name, where, ...finding });
      }
      if (at + MAX_SCANNED >= text.length) break;
    }
  };
  add(SKILL_FILE, skill.text);
  for (const file of skill.files) {
    if (file.path === SKILL_FILE || !file.text) continue;
    if (!/^text\/(markdown|plain)$/.test(file.mimeType)) continue;
    try {
      add(file.path, new TextDecoder().decode(readInside(skill.dir, file.path)));
    } catch {}
  }
  return findings;
}
