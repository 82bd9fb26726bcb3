import { defineCommand } from "citty";
import { loadConfigCached } from "../../config/cache.ts";
import { DURATION_PATHS } from "../../config/duration-paths.ts";
import type { ResolvedConfig } from "../../config/load.ts";
import { infoLine } from "../../logger.ts";
import { redactValue } from "../../security/redact.ts";
import { REDACTED, redactTree } from "../../setup/secrets.ts";
import { runPrinting } from "../_args.ts";
import { configExportSpec, configSpec } from "../_tree.ts";
import { plainYaml } from "../_yaml.ts";

const exportCommand = defineCommand({
  ...configExportSpec,
  async run({ args }) {
    await runPrinting(async () => {
      const config = await loadConfigCached({ path: args.config });
      // Keys names first (redactTree), then credential shapes anywhere (redactValue).
      const tree = redactValue(redactTree(toFileShape(config)));
      const text =
        args.format === "json"
          ? `${JSON.stringify(tree, null, 2)}\n`
          : (plainYaml(tree) ?? (await import("yaml")).stringify(tree, { lineWidth: 0 }));
      console.log(text.replace(/\n$/, ""));
      const source = config.file ?? "the built-in default";
      infoLine(`effective config of ${source}; secrets are shown as ${REDACTED}`);
    }, args);
  },
});

export default defineCommand({
  meta: configSpec.meta,
  subCommands: { export: exportCommand },
});

/**
 * The resolved config in the shape of a config file, so an export loads again: backends keyed by
 * name, and every duration written as `30s` rather than in ms.
 */
function toFileShape(config: ResolvedConfig): Record<string, unknown> {
  const { file: _file, warnings: _warnings, backends, ...rest } = config;
  // An empty allowed_tools is the default (every tool); written out, it loads with a warning
  // meant for the original gateway's configs, where it allowed no tool.
  const api_keys = rest.auth.api_keys.map(({ allowed_tools, ...key }) =>
    allowed_tools.length ? { ...key, allowed_tools } : key,
  );
  const tree: Record<string, unknown> = {
    ...rest,
    auth: { ...rest.auth, api_keys },
    backends: {},
  };
  for (const backend of backends) {
    const { name, configError: _error, stateDir: _stateDir, ...fields } = backend;
    (tree.backends as Record<string, unknown>)[name] = fields;
  }
  const paths = DURATION_PATHS.map((path) => path.split("."));
  return withDurations(tree, paths) as Record<string, unknown>;
}

/** `value` without undefined keys, with the numbers at `paths` (see DURATION_PATHS) as durations. */
function withDurations(value: unknown, paths: string[][]): unknown {
  if (paths.some((path) => path.length === 0)) {
    return typeof value === "number" ? formatMs(value) : value;
  }
  if (Array.isArray(value)) {
    const items = paths.filter((path) => path[0] === "[]").map((path) => path.slice(1));
    return value.map((item) => withDurations(item, items));
  }
  if (!value || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (child === undefined) continue;
    const below = paths.filter((path) => path[0] === key || path[0] === "*");
    out[key] = withDurations(
      child,
      below.map((path) => path.slice(1)),
    );
  }
  return out;
}

/** Milliseconds as the largest whole unit the config accepts: 60000 → `1m`, 1500 → `1500ms`. */
function formatMs(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
