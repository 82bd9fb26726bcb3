// Bun only: `with { type: "file" }` embeds the QuickJS WebAssembly in a compiled binary (without it,
// `bun build --compile` leaves the .wasm behind and the first script fails with ENOENT). Imported
// lazily by quickjs.ts, which falls back to the package's own loader where this attribute is unknown.
import path from "@jitl/quickjs-wasmfile-release-sync/wasm" with { type: "file" };

export default path as unknown as string;
