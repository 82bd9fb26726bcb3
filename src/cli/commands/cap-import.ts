import { isAbsolute, relative, resolve } from "node:path";
import { defineCommand } from "citty";
import { importOpenApi, writeImport } from "../../capabilities/openapi/import.ts";
import { loadConfig } from "../../config/load.ts";
import { logger } from "../../logger.ts";
import { runAction } from "../_args.ts";
import { capImportSpec } from "../_tree.ts";

export default defineCommand({
  ...capImportSpec,
  async run({ args }) {
    await runAction(async () => {
      const output = args.output ? resolve(args.output) : servedFolder(args.config);
      const result = await importOpenApi(args.spec, {
        prefix: args.prefix,
        baseUrl: args["base-url"],
        allowFileRefs: args["allow-file-refs"],
        authKey: args["auth-key"],
      });
      if (result.capabilities.length === 0) {
        const reasons = [...new Set(result.skipped.map((skip) => skip.reason))].slice(0, 3);
        throw new Error(
          `${args.spec}: no operation could be turned into a capability (${result.skipped.length} skipped${reasons.length ? `: ${reasons.join("; ")}` : ""})`,
        );
      }
      const files = writeImport(result, output);
      warnIfNotServed(output, args.config);
      if (args.json) {
        const report = {
          title: result.title,
          version: result.version,
          output,
          generated: result.capabilities.map((c, i) => ({
            name: c.name,
            operation: c.operation,
            file: files[i],
          })),
          skipped: result.skipped,
          env: result.env,
          notes: result.capabilities.flatMap((c) =>
            c.notes.map((note) => ({ name: c.name, note })),
          ),
        };
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return;
      }
      const lines = [
        `${result.title} ${result.version}: wrote ${files.length} capability files to ${output}`,
      ];
      if (result.skipped.length) {
        lines.push(`skipped ${result.skipped.length} operations:`);
        for (const skip of result.skipped) lines.push(`  ${skip.operation}: ${skip.reason}`);
      }
      const noted = result.capabilities.filter((c) => c.notes.length);
      if (noted.length) {
        lines.push(`notes on ${noted.length} descriptions (kept):`);
        for (const c of noted) lines.push(`  ${c.name}: ${c.notes.join("; ")}`);
      }
      if (result.env.length) {
        lines.push(`secrets are read from: ${result.env.join(", ")} (set them before serving)`);
      }
      process.stdout.write(`${lines.join("\n")}\n`);
    }, args);
  },
});

/**
 * Where `cap import` writes without `--output`: the first folder the config serves, as
 * `cap install` does (the original gateway wrote to `./capabilities`, which it served).
 */
function servedFolder(configPath: string | undefined): string {
  const config = loadConfig({ path: configPath });
  const folder = config.capabilities.directories[0];
  if (!folder) {
    throw new Error(
      `no capabilities folder to import into: pass --output DIR, or list one under capabilities.directories in ${config.file ?? "gateway.yaml"}`,
    );
  }
  return folder;
}

/** Imported files in a folder outside capabilities.directories are never served: say so. */
function warnIfNotServed(output: string, configPath: string | undefined): void {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig({ path: configPath });
  } catch {
    return; // doctor explains a config that does not load; the files are written either way
  }
  // With no config file at all there is nothing to add the folder to yet (init writes one).
  if (!config.file) return;
  const name = config.file;
  if (!config.capabilities.enabled) {
    logger.warn(`capabilities.enabled is false in ${name}: no capability is served`);
    return;
  }
  const served = config.capabilities.directories.some((folder) => {
    const inside = relative(folder, output);
    return !inside.startsWith("..") && !isAbsolute(inside);
  });
  if (!served) {
    logger.warn(
      `${output} is not under capabilities.directories in ${name}: add it there (a running gateway reads the folder when it reloads the config), or the gateway does not serve these files`,
    );
  }
}
