import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ArgsDef, CommandDef } from "citty";
import { createGatewayHooks } from "../../src/hooks.ts";
import { createObserver } from "../../src/observe/observer.ts";
import { createMemoryStore } from "../../src/state/store.ts";
import { ROOT } from "../helpers.ts";

// docs/operations.md must match the code: every metric the gateway exports, every flag of
// doctor and tools.
const doc = readFileSync(join(ROOT, "docs/operations.md"), "utf8");

test("every metric /metrics exports is documented", () => {
  const observer = createObserver({
    hooks: createGatewayHooks(),
    pool: { statuses: () => [], breakerState: () => "closed" },
    store: createMemoryStore(),
  });
  const names = [...observer.metrics().matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!);
  observer.close();
  expect(names.length).toBeGreaterThan(10);
  expect(names.filter((name) => !doc.includes(`| \`${name}\` |`))).toEqual([]);
});

async function flags(command: CommandDef): Promise<string[]> {
  const args = ((await (command.args as unknown)) ?? {}) as ArgsDef;
  return Object.entries(args)
    .filter(
      ([name, def]) => def.type !== "positional" && !["log-level", "log-format"].includes(name),
    )
    .map(([name]) => `--${name}`);
}

test("every flag of doctor, tools search and tools call is documented", async () => {
  const doctor = (await import("../../src/cli/commands/doctor.ts")).default as CommandDef;
  const tools = (await import("../../src/cli/commands/tools.ts")).default as CommandDef;
  const subs = tools.subCommands as Record<string, CommandDef>;
  const missing: string[] = [];
  for (const [verb, command] of [
    ["doctor", doctor],
    ["tools search", subs.search!],
    ["tools call", subs.call!],
  ] as const) {
    // Each verb's synopsis line names every flag it takes.
    const synopses = doc.split("\n").filter((line) => line.includes(`mcp-gateway ${verb} `));
    for (const flag of await flags(command)) {
      if (!synopses.some((line) => line.includes(flag))) missing.push(`${verb} ${flag}`);
    }
  }
  expect(missing).toEqual([]);
});
