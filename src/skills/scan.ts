import {
  documentFindings,
  MAX_SCANNED,
  scanDescription,
  scanTool,
  type ToolFinding,
} from "../security/poisoning.ts";
import { readInside } from "./files.ts";
import { SKILL_FILE, type Skill } from "./store.ts";

/** The pseudo-server skills are scoped, searched and reported under (`skills:NAME`). */
export const SKILLS_SERVER = "skills";

/** Overlap between scanned slices, so a phrase cut at a slice boundary is still read whole. */
const OVERLAP = 1024;

/**
 * The poisoning findings of a skill: its name and description as a tool's, and the text the
 * model reads (SKILL.md and the skill's other `.md` and `.txt` files), in slices, since a skill
 * is longer than a tool description. Scripts and schemas are served as files and never run, so
 * they are not read as instructions.
 */
export function scanSkill(skill: Skill): ToolFinding[] {
  const findings = scanTool(SKILLS_SERVER, { name: skill.name, description: skill.description });
  const add = (where: string, text: string) => {
    for (let at = 0; at < text.length; at += MAX_SCANNED - OVERLAP) {
      const slice = text.slice(at, at + MAX_SCANNED);
      for (const finding of scanDescription(slice)) {
        findings.push({ server: SKILLS_SERVER, tool: skill.name, where, ...finding });
      }
      for (const [, rule, excerpt] of documentFindings(skill.name, [[where, slice]])) {
        findings.push({
          server: SKILLS_SERVER,
          tool: skill.name,
          where,
          severity: "high",
          rule,
          excerpt,
        });
      }
      if (at + MAX_SCANNED >= text.length) break;
    }
  };
  add(SKILL_FILE, unfenceComments(skill.text));
  for (const file of skill.files) {
    if (file.path === SKILL_FILE || !file.text || !DOCUMENT.test(file.path)) continue;
    try {
      const text = new TextDecoder().decode(readInside(skill.dir, file.path));
      add(file.path, /\.txt$/i.test(file.path) ? text : unfenceComments(text));
    } catch {}
  }
  return findings;
}

/** The files a model reads as instructions: markdown and plain text (not code or schemas). */
const DOCUMENT = /\.(md|markdown|txt)$/i;

/** An element that hides itself when rendered (`<form hidden>`, `style="display:none"`). */
const SHOWN_HIDING = /<(?=[a-z][a-z0-9]*\b[^>\n]{0,200}?(?:\shidden[\s>=]|\sstyle\s*=))/gi;

/**
 * Markdown with the HTML comments inside fenced code blocks defused: in a fence a comment is
 * shown as written (an XML or HTML example), not hidden, so it is not a "hidden HTML comment";
 * nor is an element hidden by its attributes (a Vue or React example's `<form hidden>`).
 * Everything else in the fence is still read by every rule.
 */
export function unfenceComments(markdown: string): string {
  let fence: string | undefined;
  return markdown
    .split("\n")
    .map((line) => {
      const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
      if (marker && (!fence || (marker[0] === fence[0] && marker.length >= fence.length))) {
        fence = fence ? undefined : marker;
        return line;
      }
      return fence ? line.replaceAll("<!--", "<! --").replace(SHOWN_HIDING, "< ") : line;
    })
    .join("\n");
}
