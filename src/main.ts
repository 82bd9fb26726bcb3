#!/usr/bin/env bun
// The entry point. `--version` answers before anything else is loaded: no import at all here,
// since with code splitting each imported chunk is a module the binary loads at start.
declare const MCP_GATEWAY_VERSION: string | undefined;
declare const MCP_GATEWAY_COMMIT: string | undefined;

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-v" || argv[0] === "version")) {
  const version = typeof MCP_GATEWAY_VERSION === "string" ? MCP_GATEWAY_VERSION : "0.1.0";
  const commit = typeof MCP_GATEWAY_COMMIT === "string" ? MCP_GATEWAY_COMMIT : "dev";
  // console.log, not process.stdout.write: touching process.stdout sets up Node's stream
  // machinery, which costs Bun ~20 ms of CPU.
  console.log(`mcp-gateway ${version} (${commit})`);
} else {
  // A command runs once and exits within milliseconds: JavaScriptCore compiling its start-up
  // code costs more than it saves (4 MB of peak memory and some CPU, bench/cli.ts). Tier-up
  // thresholds 64 times higher keep that code in the interpreter (a long loop still compiles);
  // the commands that start a gateway set them back (src/cli/index.ts). This thread only.
  if (typeof Bun !== "undefined") Bun.unsafe?.setJITPolicy?.(64);
  const { runCli } = await import("./cli/index.ts");
  await runCli(argv);
}

// A module (for top-level await) that imports nothing.
export {};
