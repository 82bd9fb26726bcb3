import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { ROOT } from "./helpers.ts";

/**
 * The files `file` imports statically, transitively, relative to the repository (packages by
 * name); dynamic and type imports are not followed: what loads with it.
 */
export function staticImports(file: string): string[] {
  const seen = new Set<string>();
  const transpiler = new Bun.Transpiler({ loader: "ts" });
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const entry of transpiler.scanImports(readFileSync(path, "utf8"))) {
      if (entry.kind !== "import-statement") continue;
      if (entry.path.startsWith(".")) visit(resolve(dirname(path), entry.path));
      else seen.add(entry.path);
    }
  };
  visit(resolve(ROOT, file));
  return [...seen].map((path) => (path.startsWith(ROOT) ? path.slice(ROOT.length + 1) : path));
}
