import { defineCommand } from "citty";
import { ConfigEditor, resolveEditablePath } from "../../config/edit.ts";
import type { ResolvedConfig } from "../../config/load.ts";
import { closeMatches } from "../../gateway/suggest.ts";
import { logger } from "../../logger.ts";
import { runAction } from "../_args.ts";
import { removeSpec } from "../_tree.ts";

export default defineCommand({
  ...removeSpec,
  async run({ args }) {
    await runAction(() => {
      const file = resolveEditablePath({ explicit: args.config });
      const editor = ConfigEditor.open(file);
      if (!editor.existed) throw new Error(`${file}: no config file to remove ${args.name} from`);
      const names = Object.keys(editor.backends());
      if (!editor.removeBackend(args.name)) {
        const guess = closeMatches(args.name, names, 1)[0];
        const hint = guess
          ? `did you mean ${guess}?`
          : names.length
            ? `backends: ${names.join(", ")}`
            : "it has no backends";
        throw new Error(`${file}: no backend named ${args.name} (${hint})`);
      }
      const config = editor.validate(process.env);
      editor.save();
      logger.success(`removed backend ${args.name} from ${file}`);
      for (const where of settingsNaming(config, args.name)) {
        logger.warn(`${where} still names ${args.name}; edit ${file} if it should go too`);
      }
    }, args);
  },
});

/**
 * Settings left naming a removed backend: harmless until a backend of that name is added again,
 * which then inherits them (a key's access, a surfaced tool), so the user is told.
 */
function settingsNaming(config: ResolvedConfig, name: string): string[] {
  const found: string[] = [];
  config.meta_mcp.surfaced_tools.forEach((entry, index) => {
    const server = typeof entry === "string" ? entry.slice(0, entry.indexOf(":")) : entry.server;
    if (server === name) found.push(`meta_mcp.surfaced_tools[${index}]`);
  });
  config.auth.api_keys.forEach((key, index) => {
    for (const field of ["allowed_tools", "denied_tools"] as const) {
      for (const pattern of key[field] ?? []) {
        if (pattern.startsWith(`${name}:`)) {
          found.push(`auth.api_keys[${index}].${field}: ${pattern}`);
        }
      }
    }
    if (key.backends?.includes(name)) found.push(`auth.api_keys[${index}].backends: ${name}`);
  });
  return found;
}
