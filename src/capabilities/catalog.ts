import { BUILTIN_FILES } from "./_catalog.gen.ts";
import { type LoadResult, parseCapability } from "./load.ts";

let cached: LoadResult[] | undefined;

/** The embedded built-in catalog, parsed once. Sources read `builtin:<file>`. */
export function loadBuiltinCapabilities(): LoadResult[] {
  cached ??= Object.entries(BUILTIN_FILES).map(([file, text]) =>
    parseCapability(text, `builtin:${file}`, { checkSchemas: false }),
  );
  return cached;
}
