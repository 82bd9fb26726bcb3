import { type Watcher, watchDirectories } from "../capabilities/watch.ts";
import { logger } from "../logger.ts";
import type { Tool } from "../mcp/sdk.ts";
import { ToolIndex } from "../search/index.ts";
import type { ToolFinding } from "../security/poisoning.ts";
import { compileTrust, trusts } from "../security/scopes.ts";
import { SKILLS_SERVER, scanSkill } from "./scan.ts";
import { loadSkills, type Skill, type SkillProblem } from "./store.ts";

const log = logger.withTag("skills");

/** A loaded skill with its poisoning findings; `quarantined` says why it is withheld. */
export interface SkillEntry {
  skill: Skill;
  findings: ToolFinding[];
  quarantined?: string;
}

/** How poisoned skills are treated: `security.poisoning` and `security.trusted_tools`. */
export interface SkillPolicy {
  poisoning: "warn" | "quarantine";
  trusted: string[];
}

/** The skills part of `/health`. */
export interface SkillsReport {
  dir: string;
  served: number;
  quarantined: { name: string; reason: string }[];
  problems: SkillProblem[];
}

/**
 * The skills of the skills folder, as the gateway serves them: loaded, scanned for poisoning,
 * searchable with the tool ranker, and reloaded when the folder changes (listeners hear of a
 * real change only).
 */
export class SkillRegistry {
  private entries = new Map<string, SkillEntry>();
  private problems: SkillProblem[] = [];
  private index = new ToolIndex();
  /** Counts the reloads that changed what is served (joint indexes rebuild on a new one). */
  version = 0;
  private digest = "";
  /** Findings by a skill's own digest: a reload rescans only the skills that changed. */
  private scans = new Map<string, ToolFinding[]>();
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly dir: string,
    private readonly policy: () => SkillPolicy,
  ) {
    this.reload();
  }

  /** Re-reads the folder; true (and listeners told) when what is served changed. */
  reload(): boolean {
    let loaded: ReturnType<typeof loadSkills>;
    try {
      loaded = loadSkills(this.dir);
    } catch (error) {
      log.warn(`could not read ${this.dir}: ${error instanceof Error ? error.message : error}`);
      return false;
    }
    const digests = loaded.skills.map((s) =>
      JSON.stringify([s.name, s.text, s.files.map((f) => [f.path, f.size, f.modified])]),
    );
    const digest = JSON.stringify([digests, this.policy()]);
    if (digest === this.digest) return false;
    this.digest = digest;
    const scans = new Map<string, ToolFinding[]>();
    const { poisoning, trusted } = this.policy();
    const trust = trusted.map(compileTrust);
    const entries = new Map<string, SkillEntry>();
    for (const [index, skill] of loaded.skills.entries()) {
      const key = digests[index]!;
      const findings = this.scans.get(key) ?? scanSkill(skill);
      scans.set(key, findings);
      const high = findings.find((f) => f.severity === "high");
      const withheld =
        high && poisoning === "quarantine" && !trusts(trust, SKILLS_SERVER, skill.name);
      const reason =
        high &&
        `it looks poisoned: ${high.rule} in ${high.where} ("${high.excerpt}"); if you trust it, add "${SKILLS_SERVER}:${skill.name}" to security.trusted_tools`;
      // Said once per version of a skill, not on every reload.
      if (reason && !this.scans.has(key))
        log.warn(`skill ${skill.name} ${withheld ? "withheld" : "served"}: ${reason}`);
      entries.set(skill.name, { skill, findings, ...(withheld ? { quarantined: reason } : {}) });
    }
    for (const problem of loaded.problems) log.warn(problem.message);
    this.entries = entries;
    this.scans = scans;
    this.problems = loaded.problems;
    this.index = new ToolIndex((_server, tool) => this.hints(tool.name));
    this.index.upsert(SKILLS_SERVER, this.served().map(asTool));
    this.version++;
    log.debug(`${this.served().length} skills served from ${this.dir}`);
    for (const listener of this.listeners) listener();
    return true;
  }

  /** Every loaded skill, withheld ones included (for the CLI and /health). */
  all(): SkillEntry[] {
    return [...this.entries.values()];
  }

  /** The skills served: loaded and not quarantined, among those `visible` allows. */
  served(visible: (name: string) => boolean = () => true): Skill[] {
    return this.all()
      .filter((entry) => !entry.quarantined && visible(entry.skill.name))
      .map((entry) => entry.skill);
  }

  /** A served skill by name, when `visible` allows it. */
  get(name: string, visible: (name: string) => boolean = () => true): Skill | undefined {
    const entry = this.entries.get(name);
    return entry && !entry.quarantined && visible(name) ? entry.skill : undefined;
  }

  /** Served skills for a task, best first, ranked as tools are. */
  search(
    query: string,
    limit: number,
    visible: (name: string) => boolean = () => true,
  ): { skill: Skill; score: number }[] {
    return this.index
      .search(query, { limit, allow: (_server, name) => this.get(name, visible) !== undefined })
      .map((hit) => ({ skill: this.entries.get(hit.tool.name)!.skill, score: hit.score }));
  }

  /** What the index also reads for a skill: its keywords, triggers and headings. */
  hints(name: string): string | undefined {
    return searchHints(this.entries.get(name)?.skill);
  }

  /** Calls `listener` after every reload that changed what is served. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reloads when anything under the folder changes (the folder may not exist yet). */
  watch(): Watcher {
    // The folder is created by the first `skills import`: missing is the usual state.
    return watchDirectories([this.dir], () => this.reload(), { what: "skills", missing: "debug" });
  }

  report(): SkillsReport {
    return {
      dir: this.dir,
      served: this.served().length,
      quarantined: this.all()
        .filter((entry) => entry.quarantined)
        .map((entry) => ({ name: entry.skill.name, reason: entry.quarantined! })),
      problems: this.problems,
    };
  }
}

/** A skill as the index sees a tool: its name and description. */
export function asTool(skill: Skill): Tool {
  return {
    name: skill.name,
    description: skill.description,
    inputSchema: { type: "object" },
  };
}

/** Extra words a skill is found by: its keywords, triggers and the body's headings. */
function searchHints(skill: Skill | undefined): string | undefined {
  if (!skill) return undefined;
  const { keywords = [], triggers = [] } = skill.frontmatter;
  // Headings outside code fences (a `# comment` in a script example is not one).
  const prose = skill.body.replace(/^ {0,3}(`{3,}|~{3,})[^\n]*\n[\s\S]*?^ {0,3}\1[^\n]*$/gm, "");
  const headings = [...prose.matchAll(/^#{1,3}\s+(.+)$/gm)].map((m) => m[1]).slice(0, 20);
  const words = [...keywords, ...triggers, ...headings].join(" ");
  return words || undefined;
}
