import type { ResolvedConfig } from "../config/load.ts";
import { skillsDir } from "../skills/dir.ts";
import { SkillRegistry } from "../skills/registry.ts";
import type { Check } from "./doctor.ts";

/** The skills folder: how many skills are served, which are withheld as poisoned or broken. */
export function skillChecks(
  config: ResolvedConfig,
  env: Record<string, string | undefined>,
): Check[] {
  if (!config.skills.enabled) return [];
  const registry = new SkillRegistry(skillsDir(config, env), () => ({
    poisoning: config.security.poisoning,
    trusted: config.security.trusted_tools,
  }));
  const report = registry.report();
  const checks: Check[] = [
    ...report.quarantined.map(({ name, reason }) => ({
      name: `skill:${name}`,
      status: "warn" as const,
      message: `withheld from clients: ${reason}`,
      hint: `read it with mcp-gateway skills show ${name}; remove it, or trust it in security.trusted_tools`,
    })),
    ...report.problems.map(({ message }) => ({
      name: "skills",
      status: "warn" as const,
      message,
      hint: "fix the SKILL.md, or import the skill again with mcp-gateway skills import",
    })),
  ];
  if (report.served || !checks.length) {
    checks.unshift({
      name: "skills",
      status: "ok",
      message: `${report.served} skill(s) served from ${report.dir}`,
    });
  }
  return checks;
}
