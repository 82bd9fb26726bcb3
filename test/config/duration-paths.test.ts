import { expect, test } from "bun:test";
import { DurationSchema } from "../../src/config/duration.ts";
import { DURATION_PATHS } from "../../src/config/duration-paths.ts";
import { ConfigSchema } from "../../src/config/schema.ts";

type Def = { type: string; [key: string]: unknown };
type Schema = { _zod: { def: Def } };

const WRAPPERS = ["default", "optional", "prefault", "nullable", "readonly"];

/** Every path of ConfigSchema that holds a DurationSchema, in the table's notation. */
function durationPaths(schema: Schema, path: string[] = []): string[] {
  let inner = schema;
  while (inner !== (DurationSchema as unknown) && WRAPPERS.includes(inner._zod.def.type)) {
    inner = inner._zod.def.innerType as Schema;
  }
  if (inner === (DurationSchema as unknown)) return [path.join(".")];
  const def = inner._zod.def;
  if (def.type === "object") {
    return Object.entries(def.shape as Record<string, Schema>).flatMap(([key, child]) =>
      durationPaths(child, [...path, key]),
    );
  }
  if (def.type === "record") return durationPaths(def.valueType as Schema, [...path, "*"]);
  if (def.type === "array") return durationPaths(def.element as Schema, [...path, "[]"]);
  if (def.type === "union") {
    return (def.options as Schema[]).flatMap((option) => durationPaths(option, path));
  }
  return [];
}

test("the duration table config export uses is every duration of the schema", () => {
  const fromSchema = [...new Set(durationPaths(ConfigSchema as unknown as Schema))];
  expect([...DURATION_PATHS].sort()).toEqual(fromSchema.sort());
});
