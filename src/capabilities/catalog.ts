import { BUILTIN_CAPABILITIES_JSON } from "./_builtins.gen.ts";
import type { LoadResult } from "./load.ts";
import type { Capability } from "./resolve.ts";

let cached: LoadResult[] | undefined;

/**
 * The embedded built-in catalog, parsed once. Sources read `builtin:<file>`. The files were
 * checked and resolved when the module was generated (scripts/gen-catalog.ts; the catalog tests
 * compare it with the files), so this parses JSON, not a hundred YAML files.
 */
export function loadBuiltinCapabilities(): LoadResult[] {
  cached ??= (JSON.parse(BUILTIN_CAPABILITIES_JSON) as Capability[]).map((capability) => ({
    ok: true,
    source: capability.source,
    capability,
  }));
  return cached;
}
