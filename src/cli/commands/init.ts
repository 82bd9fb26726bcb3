import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { defineCommand } from "citty";
import { resolveEditablePath } from "../../config/edit.ts";
import { parseConfigText, resolveConfig } from "../../config/load.ts";
import { logger } from "../../logger.ts";
import { writeWithBackup } from "../../setup/backup.ts";
import { starterConfig } from "../../setup/starter.ts";
import { runAction } from "../_args.ts";
import { initSpec } from "../_tree.ts";

export default defineCommand({
  ...initSpec,
  async run({ args }) {
    await runAction(() => {
      const file = resolveEditablePath({ explicit: args.config });
      if (!/\.ya?ml$/i.test(file)) {
        throw new Error(`init writes YAML: give --config a .yaml path (got ${file})`);
      }
      const profile = args.profile ?? (args["with-examples"] ? "local" : "minimal");
      if (profile !== "local" && profile !== "minimal") {
        throw new Error(`--profile must be local or minimal, got ${profile}`);
      }
      const text = starterConfig({ withExamples: profile === "local" });
      // The starter must load as written; a failure here is a bug, not the user's problem.
      resolveConfig(parseConfigText(text, "gateway.yaml"), {
        env: {},
        baseDir: dirname(file),
        file,
      });
      const exists = existsSync(file);
      if (exists && !args.force) {
        throw new Error(
          `${file} already exists; pass --force to overwrite it, or --config PATH to write elsewhere`,
        );
      }
      if (exists) {
        const before = readFileSync(file, "utf8");
        const backup = writeWithBackup([{ path: file, before, after: text }], process.env, "init");
        logger.info(
          `the previous file is backed up: undo with \`mcp-gateway setup restore --id ${backup.id}\``,
        );
      } else {
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, text);
      }
      logger.success(`wrote ${file}`);
      logger.info(
        "next: `mcp-gateway setup` imports your AI clients' servers, `mcp-gateway add` adds one, `mcp-gateway serve` starts the gateway",
      );
    }, args);
  },
});
