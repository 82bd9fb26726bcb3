import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { defineCommand } from "citty";
import {
  findCapabilityFiles,
  type LoadResult,
  loadCapabilityFile,
} from "../../capabilities/load.ts";
import type { Capability } from "../../capabilities/resolve.ts";
import { toTool } from "../../capabilities/resolve.ts";
import { scanTool } from "../../security/poisoning.ts";
import { runAction } from "../_args.ts";
import { capValidateSpec } from "../_tree.ts";

export default defineCommand({
  ...capValidateSpec,
  async run({ args }) {
    await runAction(() => {
      const paths = (args._.length ? args._ : [args.paths]).map((path) => resolve(String(path)));
      const results: LoadResult[] = [];
      for (const path of paths) {
        if (!existsSync(path)) {
          results.push({ ok: false, source: path, errors: ["no such file or folder"] });
          continue;
        }
        results.push(...findCapabilityFiles(path).map(loadCapabilityFile));
      }
      const byName = new Map<string, string>();
      for (const [index, result] of results.entries()) {
        if (!result.ok) continue;
        const other = byName.get(result.capability.name);
        if (other) {
          results[index] = {
            ok: false,
            source: result.source,
            errors: [`name: "${result.capability.name}" is also defined by ${other}`],
          };
        } else byName.set(result.capability.name, result.source);
      }
      for (const result of results) {
        if (result.ok) result.capability.notes.push(...poisoningNotes(result.capability));
      }
      const bad = results.filter((result) => !result.ok);
      if (args.json) {
        const report = results.map((result) =>
          result.ok
            ? {
                file: result.source,
                ok: true,
                name: result.capability.name,
                notes: result.capability.notes,
              }
            : { file: result.source, ok: false, errors: result.errors },
        );
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      } else {
        for (const result of results) {
          if (result.ok) {
            const notes = result.capability.notes.map((note) => `\n     note: ${note}`).join("");
            process.stdout.write(`ok   ${result.source} (${result.capability.name})${notes}\n`);
          } else {
            for (const error of result.errors)
              process.stdout.write(`FAIL ${result.source}: ${error}\n`);
          }
        }
      }
      if (results.length === 0)
        throw new Error(`no capability files (*.yaml, *.yml) under ${paths.join(", ")}`);
      if (bad.length) {
        throw new Error(
          `${bad.length} of ${results.length} capability files are invalid: ${bad.map((b) => b.source).join(", ")}`,
        );
      }
    }, args);
  },
});

/**
 * What the poisoning scanner serve runs would hold against the capability's tool: a HIGH finding
 * quarantines it (with the default `security.poisoning: quarantine`), so it loads and is never served.
 */
function poisoningNotes(capability: Capability): string[] {
  const high = scanTool("capabilities", toTool(capability)).find((f) => f.severity === "high");
  if (!high) return [];
  return [
    `the gateway quarantines it as poisoned (${high.rule} in ${high.where}: "${high.excerpt}"); reword it, or list capabilities:${capability.name} in security.trusted_tools`,
  ];
}
