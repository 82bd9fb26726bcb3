import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * The built-in search tables (lexicon.json, hints.json), read and parsed on first use. They are
 * files, not modules: as a module (JSON or text) each is a megabyte of code or string the binary
 * loads and keeps for every `serve`, whether it ever searches or not.
 */
export type TableName = "hints" | "lexicon";

const embedded: Record<TableName, string> | undefined = await import("./table-files.ts").then(
  (files) => files.default,
  () => undefined, // a runtime without `type: "file"` imports: the files next to this one
);

export function readTable(name: TableName): unknown {
  const path = embedded?.[name] ?? fileURLToPath(new URL(`./${name}.json`, import.meta.url));
  return JSON.parse(readFileSync(path, "utf8"));
}
