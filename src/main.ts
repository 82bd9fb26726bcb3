#!/usr/bin/env bun
// The entry point. `--version` answers before anything heavy is imported.
import { versionLine } from "./version.ts";

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-v" || argv[0] === "version")) {
  process.stdout.write(`${versionLine()}\n`);
} else {
  const { runCli } = await import("./cli/index.ts");
  await runCli(argv);
}
