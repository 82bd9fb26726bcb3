import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { LoadResult } from "./load.ts";
import type { Capability } from "./resolve.ts";

const embedded: string | undefined = await import("./builtins-file.ts").then(
  (file) => file.default,
  () => undefined, // a runtime without `type: "file"` imports: the file next to this one
);

let cached: LoadResult[] | undefined;

/**
 * The embedded built-in catalog, parsed once. Sources read `builtin:<file>`. The files were
 * checked and resolved when builtins.json was generated (scripts/gen-catalog.ts; the catalog
 * tests compare it with the files), so this parses JSON, not a hundred YAML files. A file, not a
 * module: its text is garbage once parsed, where a module's string would be kept for good.
 */
export function loadBuiltinCapabilities(): LoadResult[] {
  const path = embedded ?? fileURLToPath(new URL("./builtins.json", import.meta.url));
  cached ??= (JSON.parse(readFileSync(path, "utf8")) as Capability[]).map((capability) => ({
    ok: true,
    source: capability.source,
    capability,
  }));
  return cached;
}
