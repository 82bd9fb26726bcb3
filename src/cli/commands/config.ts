import { defineCommand } from "citty";
import { stringify } from "yaml";
import type { z } from "zod";
import { loadConfig, type ResolvedConfig } from "../../config/load.ts";
import { ConfigSchema, DurationSchema } from "../../config/schema.ts";
import { logger } from "../../logger.ts";
import { redactValue } from "../../security/redact.ts";
import { REDACTED, redactTree } from "../../setup/secrets.ts";
import { runAction } from "../_args.ts";
import { configExportSpec, configSpec } from "../_tree.ts";

const exportCommand = defineCommand({
  ...configExportSpec,
  async run({ args }) {
    await runAction(() => {
      const config = loadConfig({ path: args.config });
      // Keys names first (redactTree), then credential shapes anywhere (redactValue).
      const tree = redactValue(redactTree(toFileShape(config)));
      const text =
        args.format === "json"
          ? `${JSON.stringify(tree, null, 2)}\n`
          : stringify(tree, { lineWidth: 0 });
      process.stdout.write(text);
      const source = config.file ?? "the built-in default";
      logger.info(`effective config of ${source}; secrets are shown as ${REDACTED}`);
    }, args);
  },
});

export default defineCommand({
  meta: configSpec.meta,
  subCommands: { export: exportCommand },
});

/**
 * The resolved config in the shape of a config file, so an export loads again: backends keyed by
 * name, and every duration (found by walking the schema) written as `30s` rather than in ms.
 */
function toFileShape(config: ResolvedConfig): Record<string, unknown> {
  const { file: _file, warnings: _warnings, backends, ...rest } = config;
  const tree: Record<string, unknown> = { ...rest, backends: {} };
  for (const backend of backends) {
    const { name, configError: _error, ...fields } = backend;
    (tree.backends as Record<string, unknown>)[name] = fields;
  }
  return withDurations(tree, ConfigSchema as unknown as AnySchema) as Record<string, unknown>;
}

type AnySchema = z.ZodType & { _zod: { def: Record<string, unknown> } };

function unwrap(schema: AnySchema): AnySchema {
  let current = schema;
  for (;;) {
    const def = current._zod.def;
    if (current === (DurationSchema as unknown)) return current;
    if (["default", "optional", "prefault", "nullable", "readonly"].includes(def.type as string)) {
      current = def.innerType as AnySchema;
    } else return current;
  }
}

function withDurations(value: unknown, schema: AnySchema): unknown {
  const inner = unwrap(schema);
  if (inner === (DurationSchema as unknown)) {
    return typeof value === "number" ? formatMs(value) : value;
  }
  const def = inner._zod.def;
  if (Array.isArray(value) && def.type === "array") {
    return value.map((item) => withDurations(item, def.element as AnySchema));
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (child === undefined) continue;
    const shape = def.type === "object" ? (def.shape as Record<string, AnySchema>) : undefined;
    const childSchema =
      shape?.[key] ?? (def.type === "record" ? (def.valueType as AnySchema) : undefined);
    out[key] = childSchema ? withDurations(child, childSchema) : child;
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
