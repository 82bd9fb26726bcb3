import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ArgsDef, CommandDef } from "citty";
import { REGISTRY } from "../../src/registry/servers.ts";
import { ROOT } from "../helpers.ts";

// Table cells may be padded by the formatter: compare with runs of spaces collapsed.
const doc = readFileSync(join(ROOT, "docs/cli.md"), "utf8").replace(/ {2,}/g, " ");
const VERBS = ["setup", "add", "remove", "list", "init", "config", "completions"];

async function flagsOf(command: CommandDef): Promise<string[]> {
  const resolve = async <T>(value: unknown) =>
    (typeof value === "function" ? await value() : await value) as T;
  const args = ((await resolve<ArgsDef>(command.args)) ?? {}) as ArgsDef;
  const own = Object.entries(args)
    .filter(
      ([name, def]) => def.type !== "positional" && !["log-level", "log-format"].includes(name),
    )
    .map(([name]) => `--${name}`);
  const subs = Object.values((await resolve<Record<string, unknown>>(command.subCommands)) ?? {});
  const nested = await Promise.all(
    subs.map(async (sub) => flagsOf(await resolve<CommandDef>(sub))),
  );
  return [...own, ...nested.flat()];
}

test("docs/cli.md documents every flag of these commands and every known server", async () => {
  const missing: string[] = [];
  for (const verb of VERBS) {
    const command = (await import(`../../src/cli/commands/${verb}.ts`)).default as CommandDef;
    if (!doc.includes(`mcp-gateway ${verb}`)) missing.push(verb);
    for (const flag of await flagsOf(command))
      if (!doc.includes(flag)) missing.push(`${verb} ${flag}`);
  }
  for (const entry of REGISTRY) {
    const row = `| \`${entry.name}\` | \`${entry.command} ${entry.args.join(" ")}\``;
    if (!doc.includes(row)) missing.push(`registry ${entry.name}`);
  }
  expect(missing).toEqual([]);
});
