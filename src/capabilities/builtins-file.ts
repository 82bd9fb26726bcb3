// Bun only: `with { type: "file" }` embeds the built-ins in a compiled binary as a file, which
// catalog.ts reads once. Imported lazily by catalog.ts, which reads it next to the source where
// this attribute is unknown (Deno).
import builtins from "./builtins.json" with { type: "file" };

export default builtins as unknown as string;
