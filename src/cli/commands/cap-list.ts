import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { defineCommand } from "citty";
import { CapabilityRegistry, missingEnv } from "../../capabilities/registry.ts";
import { envWithFiles } from "../../config/env-files.ts";
import { loadConfig } from "../../config/load.ts";
import { logger } from "../../logger.ts";
import { runAction } from "../_args.ts";
import { capListSpec } from "../_tree.ts";

/** One capability as `cap list` shows it. */
interface ListedCapability {
  name: string;
  description: string;
  source: string;
  auth: { required: boolean; type: string; env: string | null };
  /** Every variable it cannot run without, and those of them that are unset. */
  requires_env: string[];
  missing_env: string[];
  /** Why it cannot run here at all (`service: cli`, say). */
  unavailable: string | null;
  /** Shown to clients: nothing it needs is missing. */
  available: boolean;
}

export default defineCommand({
  ...capListSpec,
  async run({ args }) {
    await runAction(() => {
      const config = loadConfig({ path: args.config });
      const env = envWithFiles(config, process.env).env;
      // `cap list DIR` (the original's form): that folder's files alone.
      const dir = args.directory ? resolve(args.directory) : undefined;
      if (dir && !existsSync(dir)) throw new Error(`${dir}: no such folder`);
      const registry = new CapabilityRegistry({
        builtin: dir ? false : config.capabilities.builtin,
        directories: dir ? [dir] : config.capabilities.directories,
      });
      const { problems } = registry.load();
      for (const problem of problems)
        logger.warn(`${problem.source}: ${problem.errors.join("; ")}`);
      const rows = registry.list().map((capability): ListedCapability => {
        const missing = missingEnv(capability, env);
        return {
          name: capability.name,
          description: capability.description,
          source: capability.source,
          auth: {
            required: capability.auth.required,
            type: capability.auth.type,
            env: capability.auth.keyEnv ?? null,
          },
          requires_env: capability.requiredEnv,
          missing_env: missing,
          unavailable: capability.unavailable ?? null,
          available: missing.length === 0 && !capability.unavailable,
        };
      });
      if (args.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      if (!config.capabilities.enabled && !dir)
        logger.warn("capabilities.enabled is false: none are served");
      const table = rows.map((row) => [
        row.name,
        row.source.replace(/^builtin:.*/, "built-in"),
        keyText(row, env),
      ]);
      const widths = [0, 1].map((column) =>
        Math.max(...table.map((cells) => cells[column]!.length)),
      );
      for (const cells of table) {
        process.stdout.write(
          `${cells[0]!.padEnd(widths[0]!)}  ${cells[1]!.padEnd(widths[1]!)}  ${cells[2]}\n`.replace(
            / +\n$/,
            "\n",
          ),
        );
      }
      const hidden = rows.filter((row) => !row.available).length;
      process.stdout.write(
        `${rows.length} capabilities, ${hidden} hidden (keys unset, or they cannot run here)\n`,
      );
    }, args);
  },
});

function keyText(row: ListedCapability, env: Record<string, string | undefined>): string {
  if (row.unavailable) return `cannot run here (hidden): ${row.unavailable}`;
  if (row.missing_env.length) return `needs ${row.missing_env.join(", ")} (not set: hidden)`;
  if (row.requires_env.length) return `uses ${row.requires_env.join(", ")} (set)`;
  if (row.auth.env) return `optional key ${row.auth.env}${env[row.auth.env] ? " (set)" : ""}`;
  return "no key";
}
