// src/main.ts repeats these two lines to print --version without importing anything.
declare const MCP_GATEWAY_VERSION: string | undefined;
declare const MCP_GATEWAY_COMMIT: string | undefined;

/** The gateway's semver; the build replaces the constant, a source run reads package.json's value. */
export const VERSION: string =
  typeof MCP_GATEWAY_VERSION === "string" ? MCP_GATEWAY_VERSION : "0.1.0";

/** The short commit the binary was built from, or "dev" when run from source. */
export const COMMIT: string = typeof MCP_GATEWAY_COMMIT === "string" ? MCP_GATEWAY_COMMIT : "dev";
