import { readFileSync } from "node:fs";
import type { QuickJSWASMModule } from "quickjs-emscripten-core";
import { logger } from "../logger.ts";

let loading: Promise<QuickJSWASMModule> | undefined;

/**
 * The QuickJS WebAssembly module, loaded on the first script (not at start: DESIGN keeps startup
 * light). Under Bun the .wasm bytes come from an embedded file, so a compiled binary has them;
 * elsewhere (Deno) the variant package finds its .wasm itself.
 */
export function loadQuickJS(): Promise<QuickJSWASMModule> {
  loading ??= load().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

/**
 * Forgets the loaded module, so the next script loads a fresh one. For a runtime that could not be
 * freed: emscripten may have aborted, and an aborted module must not run another script.
 */
export function discardQuickJS(): void {
  loading = undefined;
}

async function load(): Promise<QuickJSWASMModule> {
  const started = performance.now();
  const core = await import("quickjs-emscripten-core");
  const variant = (await import("@jitl/quickjs-wasmfile-release-sync")).default;
  let module: QuickJSWASMModule;
  const wasmPath = await embeddedWasm();
  if (wasmPath) {
    const bytes = readFileSync(wasmPath);
    const wasmBinary = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    module = await core.newQuickJSWASMModuleFromVariant(
      core.newVariant(variant, { wasmBinary: wasmBinary as ArrayBuffer }),
    );
  } else {
    module = await core.newQuickJSWASMModuleFromVariant(variant);
  }
  logger.debug(`code mode: QuickJS loaded in ${(performance.now() - started).toFixed(1)} ms`);
  return module;
}

async function embeddedWasm(): Promise<string | undefined> {
  try {
    return (await import("./wasm-file.ts")).default;
  } catch {
    return undefined; // a runtime without `type: "file"` imports
  }
}
