import { defineCommand, runMain } from "citty";
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
    await runMain(main, { rawArgs: argv });
  } catch (error) {
    logger.error(errorMessage(error));
    process.exit(1);
  }
}
