import { defineCommand } from "citty";
import { loadConfig, type ResolvedConfig } from "../../config/load.ts";
import { logger } from "../../logger.ts";
import { skillsDir } from "../../skills/dir.ts";
import { importSkills } from "../../skills/import.ts";
import { type SkillEntry, SkillRegistry } from "../../skills/registry.ts";
import { removeSkill } from "../../skills/store.ts";
import { applyLogArgs, runAction } from "../_args.ts";
import {
  skillsImportSpec,
  skillsListSpec,
  skillsRemoveSpec,
  skillsSearchSpec,
  skillsShowSpec,
  skillsSpec,
} from "../_tree.ts";

interface CommonArgs {
  config?: string;
  "log-level"?: string;
  "log-format"?: string;
}

/** The config and the skills folder it names. */
function open(args: CommonArgs): { config: ResolvedConfig; dir: string } {
  applyLogArgs(args);
  const config = loadConfig({ path: args.config });
  return { config, dir: skillsDir(config) };
}

/** The stored skills as the gateway would serve them (scanned with its poisoning settings). */
function registryOf(config: ResolvedConfig, dir: string): SkillRegistry {
  return new SkillRegistry(dir, () => ({
    poisoning: config.security.poisoning,
    trusted: config.security.trusted_tools,
  }));
}

const out = (text: string) => process.stdout.write(`${text}\n`);
const json = (value: unknown) => out(JSON.stringify(value, null, 2));

function summary(entry: SkillEntry) {
  const { skill } = entry;
  return {
    name: skill.name,
    description: skill.description,
    ...(skill.license ? { license: skill.license } : {}),
    allowedTools: skill.allowedTools,
    uri: `skill://${skill.name}`,
    files: skill.files.length,
    bytes: skill.files.reduce((sum, file) => sum + file.size, 0),
    status: entry.quarantined ? "quarantined" : "served",
    ...(entry.quarantined ? { reason: entry.quarantined } : {}),
    ...(skill.skipped.length ? { skipped: skill.skipped } : {}),
  };
}

const importCommand = defineCommand({
  ...skillsImportSpec,
  async run({ args }) {
    await runAction(async () => {
      const { config, dir } = open(args);
      const report = await importSkills(args.source, dir, {
        allowPrivateNetworks: config.capabilities.allow_private_networks,
      });
      const registry = registryOf(config, dir);
      const imported = report.imported.map((skill) => {
        const entry = registry.all().find((e) => e.skill.name === skill.name);
        return { ...skill, ...(entry ? summary(entry) : {}) };
      });
      for (const problem of report.problems) logger.warn(problem.message);
      if (args.json) return json({ dir, imported, problems: report.problems });
      for (const skill of imported) {
        const files = "files" in skill ? ` (${plural(skill.files ?? 0, "file")})` : "";
        out(`${skill.replaced ? "replaced" : "imported"} ${skill.name}${files} in ${skill.dir}`);
        for (const note of skill.skipped) logger.warn(`${skill.name}: skipped ${note}`);
        if ("reason" in skill && skill.reason) {
          logger.warn(`${skill.name} is withheld from clients: ${skill.reason}`);
        }
      }
    }, args);
  },
});

const listCommand = defineCommand({
  ...skillsListSpec,
  async run({ args }) {
    await runAction(() => {
      const { config, dir } = open(args);
      const registry = registryOf(config, dir);
      const { problems } = registry.report();
      const skills = registry.all().map(summary);
      if (args.json) return json({ dir, skills, problems });
      if (!skills.length && !problems.length) {
        out(`no skills in ${dir}; add some with: mcp-gateway skills import PATH|URL`);
        return;
      }
      const width = Math.max(4, ...skills.map((s) => s.name.length));
      for (const skill of skills) {
        const status = skill.status === "served" ? "" : "  [quarantined]";
        out(`${skill.name.padEnd(width)}  ${skill.description.split("\n")[0]}${status}`);
      }
      for (const problem of problems) logger.warn(problem.message);
    }, args);
  },
});

const searchCommand = defineCommand({
  ...skillsSearchSpec,
  async run({ args }) {
    await runAction(() => {
      const limit = args.limit === undefined ? 5 : Number(args.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 25) {
        throw new Error(`--limit must be an integer from 1 to 25, not ${args.limit}`);
      }
      const { config, dir } = open(args);
      const matches = registryOf(config, dir)
        .search(args.query, limit)
        .map(({ skill, score }) => ({
          name: skill.name,
          description: skill.description,
          uri: `skill://${skill.name}`,
          score: Math.round(score * 1000) / 1000,
        }));
      if (args.json) return json({ matches });
      if (!matches.length) throw new Error(`no skill matches "${args.query}" in ${dir}`);
      const width = Math.max(...matches.map((m) => m.name.length));
      for (const match of matches) {
        out(`${match.name.padEnd(width)}  ${match.description.split("\n")[0]}`);
      }
    }, args);
  },
});

const showCommand = defineCommand({
  ...skillsShowSpec,
  async run({ args }) {
    await runAction(() => {
      const { config, dir } = open(args);
      const registry = registryOf(config, dir);
      const entry = registry.all().find((e) => e.skill.name === args.name);
      if (!entry) throw new Error(unknown(args.name, registry, dir));
      const { skill } = entry;
      if (args.json) {
        return json({
          ...summary(entry),
          frontmatter: skill.frontmatter,
          body: skill.body,
          files: skill.files.map(({ path, size, mimeType }) => ({ path, size, mimeType })),
        });
      }
      out(skill.text.trimEnd());
      out("");
      out(`# files (skill://${skill.name}/<path>)`);
      for (const file of skill.files) out(`${file.path}  ${file.size} bytes  ${file.mimeType}`);
      if (entry.quarantined) logger.warn(`withheld from clients: ${entry.quarantined}`);
    }, args);
  },
});

const removeCommand = defineCommand({
  ...skillsRemoveSpec,
  async run({ args }) {
    await runAction(() => {
      const { config, dir } = open(args);
      if (!removeSkill(dir, args.name)) {
        throw new Error(unknown(args.name, registryOf(config, dir), dir));
      }
      out(`removed ${args.name} from ${dir}`);
    }, args);
  },
});

function unknown(name: string, registry: SkillRegistry, dir: string): string {
  const names = registry.all().map((e) => e.skill.name);
  return `no skill "${name}" in ${dir}; ${names.length ? `there are: ${names.join(", ")}` : "it holds none"} (mcp-gateway skills list)`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export default defineCommand({
  meta: skillsSpec.meta,
  subCommands: {
    import: importCommand,
    list: listCommand,
    search: searchCommand,
    show: showCommand,
    remove: removeCommand,
  },
});
