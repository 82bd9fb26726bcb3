import { relative } from "node:path";
import { defineCommand } from "citty";
import {
  type CatalogEntry,
  searchCatalog,
  userCapabilityFiles,
} from "../../capabilities/catalog-index.ts";
import { loadConfig } from "../../config/load.ts";
import { logger } from "../../logger.ts";
import { runAction } from "../_args.ts";
import { capSearchSpec } from "../_tree.ts";

/** One match as `cap search --json` prints it. */
interface SearchRow {
  name: string;
  title: string | null;
  description: string;
  category: string | null;
  score: number;
  /** Variables it cannot run without, and ones it uses when set. */
  requires_env: string[];
  optional_env: string[];
  /** `builtin`: served from the binary; `installed`: your file (`path`) replaces it; `off`: capabilities.builtin is false and you have no copy. */
  state: "builtin" | "installed" | "off";
  path: string | null;
}

export default defineCommand({
  ...capSearchSpec,
  async run({ args }) {
    await runAction(() => {
      const limit = args.limit === undefined ? 10 : Number(args.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 50) {
        throw new Error(`--limit must be a whole number from 1 to 50, not ${args.limit}`);
      }
      const config = loadConfig({ path: args.config });
      const installed = userCapabilityFiles(config.capabilities.directories);
      const rows = searchCatalog(args.query, limit).map(({ entry, score }): SearchRow => {
        const path = installed.get(entry.name) ?? null;
        return {
          name: entry.name,
          title: entry.title ?? null,
          description: entry.description,
          category: entry.category ?? null,
          score: Math.round(score * 1000) / 1000,
          requires_env: entry.requires_env,
          optional_env: entry.optional_env,
          state: path ? "installed" : config.capabilities.builtin ? "builtin" : "off",
          path,
        };
      });
      if (args.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      if (!rows.length) {
        logger.warn(
          `no built-in capability matches "${args.query}"; try other words, or mcp-gateway cap import for an API with an OpenAPI description`,
        );
        return;
      }
      const table = rows.map((row) => [row.name, row.title ?? "", keyText(row), stateText(row)]);
      const widths = [0, 1, 2].map((column) =>
        Math.max(...table.map((cells) => cells[column]!.length)),
      );
      for (const cells of table) {
        const line = cells.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join("  ");
        process.stdout.write(`${line}\n`);
      }
      if (!config.capabilities.enabled) {
        logger.warn("capabilities.enabled is false: no capability is served");
      }
      logger.info("mcp-gateway cap install NAME copies one into your folder to edit it");
    }, args);
  },
});

function keyText(row: Pick<CatalogEntry, "requires_env" | "optional_env">): string {
  if (row.requires_env.length) return `needs ${row.requires_env.join(", ")}`;
  if (row.optional_env.length) return `no key (optional ${row.optional_env.join(", ")})`;
  return "no key";
}

function stateText(row: SearchRow): string {
  if (row.path) return `installed: ${relative(process.cwd(), row.path) || row.path}`;
  return row.state === "off" ? "built-in, off (capabilities.builtin: false)" : "built-in";
}
