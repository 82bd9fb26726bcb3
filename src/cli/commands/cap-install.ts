import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { basename, isAbsolute, join, relative, resolve } from "node:path";
import { defineCommand } from "citty";
import { BUILTIN_FILES } from "../../capabilities/_catalog.gen.ts";
import {
  catalogEntries,
  catalogEntry,
  userCapabilityFiles,
} from "../../capabilities/catalog-index.ts";
import { loadConfig } from "../../config/load.ts";
import { closeMatches } from "../../gateway/suggest.ts";
import { logger } from "../../logger.ts";
import { runAction } from "../_args.ts";
import { capInstallSpec } from "../_tree.ts";

/**
 * Built-ins are served without installing (capabilities.builtin, on by default); installing one
 * writes its file into a folder of yours, where it can be edited: a user file with a built-in's
 * name replaces the built-in, and with capabilities.builtin: false it is the only way it serves.
 */
export default defineCommand({
  ...capInstallSpec,
  async run({ args }) {
    await runAction(() => {
      const entry = catalogEntry(args.name);
      if (!entry) {
        const near = closeMatches(
          args.name,
          catalogEntries().map((e) => e.name),
        );
        throw new Error(
          `no built-in capability named ${args.name}${near.length ? `; did you mean ${near.join(", ")}?` : ""} (mcp-gateway cap search WORDS finds one)`,
        );
      }
      const config = loadConfig({ path: args.config });
      const configured = config.capabilities.directories;
      const configName = config.file ?? "gateway.yaml";
      if (!args.dir && !configured.length) {
        throw new Error(
          `no capabilities folder to install into: pass --dir DIR, or list one under capabilities.directories in ${configName}`,
        );
      }
      const dir = args.dir ? resolve(args.dir) : configured[0]!;
      const target = join(dir, basename(entry.file));
      const other = userCapabilityFiles([dir]).get(entry.name);
      if (!args.force) {
        if (existsSync(target)) {
          throw new Error(`${target} exists; pass --force to overwrite it`);
        }
        if (other) {
          throw new Error(
            `${other} already defines ${entry.name}; edit that file, or pass --force to write ${target} beside it`,
          );
        }
      }
      mkdirSync(dir, { recursive: true });
      writeFileSync(target, BUILTIN_FILES[entry.file]!);

      const served = configured.some((folder) => {
        const inside = relative(folder, target);
        return inside !== "" && !inside.startsWith("..") && !isAbsolute(inside);
      });
      if (args.json) {
        const report = {
          name: entry.name,
          path: target,
          requires_env: entry.requires_env,
          optional_env: entry.optional_env,
          missing_env: entry.requires_env.filter((name) => !process.env[name]),
          served,
        };
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      } else {
        process.stdout.write(`${target}\n`);
      }
      const replaces = config.capabilities.builtin
        ? "it replaces the built-in while it exists"
        : "capabilities.builtin is false, so this copy is the one served";
      logger.success(`installed ${entry.name}: edit ${target} freely; ${replaces}`);
      if (!config.capabilities.enabled) {
        logger.warn(`capabilities.enabled is false in ${configName}: no capability is served`);
      } else if (!served) {
        logger.warn(
          `${dir} is not under capabilities.directories in ${configName}: add it there, or the gateway does not read this file`,
        );
      }
      for (const name of entry.requires_env) {
        if (!process.env[name]) {
          logger.warn(`next: set ${name}; until it is set, ${entry.name} is hidden from clients`);
        }
      }
      for (const name of entry.optional_env) {
        if (!process.env[name]) {
          logger.info(`optional: set ${name} (${entry.name} sends it when set)`);
        }
      }
    }, args);
  },
});
