import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { defineCommand } from "citty";
import {
  loadConfig,
  parseConfigText,
  type ResolvedConfig,
  resolveConfig,
} from "../../config/load.ts";
import { findConfigFile } from "../../config/locate.ts";
import { logger } from "../../logger.ts";
import { applyLogArgs, runAction } from "../_args.ts";
import { toolsEvalSpec } from "../_tree.ts";

/**
 * `tools eval`: how well search ranks on this gateway's own traffic. Replays what callers
 * searched for and then called (`search.feedback`, in the state database) against the tools as
 * they are now, without the learned lift, and prints hit rates and the misses.
 */
export const evalCommand = defineCommand({
  ...toolsEvalSpec,
  async run({ args }) {
    await runAction(async () => {
      applyLogArgs(args);
      // Replayed in this process, as the local admin: the keys' variables are serve's, not this shell's.
      const config = loadOrWithoutAuth(args.config);
      const [{ localGateway }, { evaluateFeedback }] = await Promise.all([
        import("../local-gateway.ts"),
        import("../../search/evaluate.ts"),
      ]);
      const { gateway, store, stateDir } = await localGateway(config);
      const rows = store
        .loadFeedback()
        .filter((row) => args.caller === undefined || row.caller === args.caller);
      if (!rows.length) {
        await gateway.close();
        throw new Error(
          `no recorded searches${args.caller ? ` for ${args.caller}` : ""} in ${stateDir}: they are recorded while the gateway serves, when a search is followed by a successful call (search.feedback)`,
        );
      }
      try {
        await gateway.start();
        const report = evaluateFeedback(gateway.index, rows);
        const shown = Number(args.misses ?? 10);
        if (args.json) {
          process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
          return;
        }
        const pct = (share: number) => `${(100 * share).toFixed(1)}%`;
        process.stdout.write(
          `${plural(report.choices, "search", "searches")} (${plural(report.times, "time", "times")}) replayed: hit@1 ${pct(report.hit1)}, hit@5 ${pct(report.hit5)}, MRR ${report.mrr.toFixed(3)}\n`,
        );
        for (const miss of report.misses.slice(0, shown)) {
          const where = miss.rank ? `ranks ${miss.rank}` : "not in the top 20";
          process.stdout.write(
            `  "${miss.query}" (${miss.times}x, ${miss.caller}): ${miss.tool} ${where}; first: ${miss.first ?? "nothing"}\n`,
          );
        }
        if (report.misses.length > shown)
          logger.info(`${report.misses.length - shown} more misses`);
      } finally {
        await gateway.close();
      }
    });
  },
});

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** `loadConfig`, or when that fails the config without its `auth` section, if that loads. */
function loadOrWithoutAuth(path: string | undefined): ResolvedConfig {
  try {
    return loadConfig({ path });
  } catch (error) {
    const rest = withoutAuth(path);
    if (!rest) throw error;
    return rest;
  }
}

/**
 * The config without its `auth` section, for a config that does not load here only for want of
 * what `serve` needs: an `env:NAME` key set in the gateway's environment, not this shell's. A
 * client needs only the address (and the in-process gateway answers as the local admin).
 */
export function withoutAuth(path: string | undefined): ResolvedConfig | undefined {
  try {
    const file = findConfigFile(path, process.env, process.cwd());
    if (!file) return undefined;
    const tree = parseConfigText(readFileSync(file, "utf8"), file);
    if (typeof tree !== "object" || tree === null || !("auth" in tree)) return undefined;
    const { auth: _auth, ...rest } = tree as Record<string, unknown>;
    return resolveConfig(rest, { env: process.env, baseDir: dirname(file), file });
  } catch {
    return undefined;
  }
}
