import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { defineCommand } from "citty";
import { parseYAML } from "confbox";
import { loadCapabilityFile, pinText } from "../../capabilities/load.ts";
import { errorMessage } from "../../errors.ts";
import { logger } from "../../logger.ts";
import { runAction } from "../_args.ts";
import { capPinSpec } from "../_tree.ts";

export default defineCommand({
  ...capPinSpec,
  async run({ args }) {
    await runAction(() => {
      const files = (args._.length ? args._ : [args.files]).map((file) => resolve(String(file)));
      for (const file of files) {
        if (!existsSync(file)) throw new Error(`${file}: no such file; nothing was pinned`);
        let text: string;
        try {
          text = readFileSync(file, "utf8");
          parseYAML(text);
        } catch (error) {
          throw new Error(`${file}: ${errorMessage(error).split("\n")[0]}; nothing was pinned`);
        }
        const pinned = pinText(text);
        writeFileSync(file, pinned);
        process.stdout.write(`pinned ${file}\n  ${pinned.slice(0, pinned.indexOf("\n"))}\n`);
        const loaded = loadCapabilityFile(file);
        if (!loaded.ok) {
          logger.warn(`${file} is pinned but does not load: ${loaded.errors.join("; ")}`);
        }
      }
    }, args);
  },
});
