declare module "@jitl/quickjs-wasmfile-release-sync/wasm" {
  /** The path of the QuickJS WebAssembly file (embedded in a compiled binary). */
  const path: string;
  export default path;
}
