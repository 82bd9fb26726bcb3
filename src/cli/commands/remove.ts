import { defineCommand } from "citty";
import { ConfigEditor, resolveEditablePath } from "../../config/edit.ts";
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
      editor.validate(process.env);
      editor.save();
      logger.success(`removed backend ${args.name} from ${file}`);
    }, args);
  },
});
