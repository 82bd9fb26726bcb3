import { defineCommand, runCommand, runMain } from "citty";
import { errorMessage } from "../errors.ts";
import { logger } from "../logger.ts";
import { VERSION } from "../version.ts";

/** The command tree (`completions` walks it). */
export const main = defineCommand({
  meta: {
    name: "mcp-gateway",
    version: VERSION,
    description: "One MCP endpoint in front of many MCP servers and REST APIs",
  },
  subCommands: {
    serve: () => import("./commands/serve.ts").then((m) => m.default),
    init: () => import("./commands/init.ts").then((m) => m.default),
    setup: () => import("./commands/setup.ts").then((m) => m.default),
    add: () => import("./commands/add.ts").then((m) => m.default),
    remove: () => import("./commands/remove.ts").then((m) => m.default),
    list: () => import("./commands/list.ts").then((m) => m.default),
    config: () => import("./commands/config.ts").then((m) => m.default),
    completions: () => import("./commands/completions.ts").then((m) => m.default),
    keys: () => import("./commands/keys.ts").then((m) => m.default),
    lock: () => import("./commands/lock.ts").then((m) => m.default),
    cap: () => import("./commands/cap.ts").then((m) => m.default),
    doctor: () => import("./commands/doctor.ts").then((m) => m.default),
    tools: () => import("./commands/tools.ts").then((m) => m.default),
  },
});

/** Runs the command line; a failing command prints one line and exits non-zero. */
export async function runCli(argv: string[]): Promise<void> {
  if (argv.length === 0) argv = ["--help"];
  try {
    // citty shows help for `--help` anywhere, even in `add NAME -- server --help`, where it
    // belongs to the backend's command: past `--`, run the command as written.
    const dash = argv.indexOf("--");
    const wantsHelp = (args: string[]) => args.some((arg) => arg === "--help" || arg === "-h");
    if (dash !== -1 && !wantsHelp(argv.slice(0, dash)) && wantsHelp(argv.slice(dash))) {
      await runCommand(main, { rawArgs: argv });
    } else await runMain(main, { rawArgs: argv });
  } catch (error) {
    logger.error(errorMessage(error));
    process.exit(1);
  }
}
