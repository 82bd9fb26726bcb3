import { type CommandDef, defineCommand, renderUsage, runCommand } from "citty";
import { errorMessage } from "../errors.ts";
import { flagsAfterCommand, locate } from "./_check.ts";
import { originalSpellings } from "./_original.ts";
import { type CommandSpec, tree } from "./_tree.ts";

/** The command tree that runs: each command's file is imported only when it runs. */
export const main = defineCommand({
  meta: tree.meta,
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
    auth: () => import("./commands/auth.ts").then((m) => m.default),
    lock: () => import("./commands/lock.ts").then((m) => m.default),
    cap: () => import("./commands/cap.ts").then((m) => m.default),
    doctor: () => import("./commands/doctor.ts").then((m) => m.default),
    tools: () => import("./commands/tools.ts").then((m) => m.default),
    skills: () => import("./commands/skills.ts").then((m) => m.default),
    audit: () => import("./commands/audit.ts").then((m) => m.default),
  },
});

/**
 * Runs the command line; a failing command prints one line and exits non-zero. Help and the
 * check of verbs and flags read only the static tree (`_tree.ts`), so `--help` loads no command.
 */
export async function runCli(argv: string[]): Promise<void> {
  if (argv.length === 0) argv = ["--help"];
  argv = flagsAfterCommand(tree, serveByDefault(argv));
  // Past `--` the words belong to a backend's command (`add NAME -- server --help`).
  const before = argv.indexOf("--");
  try {
    // The original's spellings (`doctor --format json`) become ours before the check.
    argv = originalSpellings(locate(tree, before === -1 ? argv : argv.slice(0, before)).path, argv);
  } catch (error) {
    return fail(errorMessage(error));
  }
  const dash = argv.indexOf("--");
  const own = dash === -1 ? argv : argv.slice(0, dash);
  const found = locate(tree, own);
  if (typeof Bun !== "undefined" && RUNS_A_GATEWAY.has(found.path[0] ?? "")) {
    Bun.unsafe?.setJITPolicy?.(1);
  }
  if (own.includes("--help") || own.includes("-h")) {
    if (found.unknownCommand) return fail(found.unknownCommand);
    console.log(`${await usage(found.spec, found.path)}\n`);
    return;
  }
  const problem = found.unknownCommand ?? found.unknownFlag ?? found.incomplete;
  if (problem) {
    const help = ["mcp-gateway", ...found.path, "--help"].join(" ");
    return fail(`${problem} (${help} lists what it takes)`);
  }
  try {
    await runCommand(main, { rawArgs: argv });
  } catch (error) {
    // citty's own errors (a missing argument) say what, not where to look.
    const help = ["mcp-gateway", ...found.path, "--help"].join(" ");
    const name = error instanceof Error ? error.name : "";
    await fail(name === "CLIError" ? `${errorMessage(error)} (see ${help})` : errorMessage(error));
  }
}

/**
 * `mcp-gateway --config FILE` with no command serves, as the original gateway does (its systemd
 * units and client entries say so): flags first and no command word among the arguments.
 */
function serveByDefault(argv: string[]): string[] {
  const first = argv[0]!;
  if (!first.startsWith("-") || ["--help", "-h", "--version", "-v"].includes(first)) return argv;
  const commands = Object.keys(tree.subCommands ?? {});
  return argv.some((arg) => commands.includes(arg)) ? argv : ["serve", ...argv];
}

/**
 * The commands that start a gateway (`tools` runs one in process): the JIT works as usual there
 * (main.ts makes it reluctant for the one-shot commands).
 */
const RUNS_A_GATEWAY = new Set(["serve", "tools"]);

/** The help of `spec`, named by its whole path; colour only on a terminal (and not NO_COLOR). */
async function usage(spec: CommandSpec, path: string[]): Promise<string> {
  const parent = path.length
    ? {
        meta: { name: ["mcp-gateway", ...path.slice(0, -1)].join(" "), version: tree.meta.version },
      }
    : undefined;
  const text = await renderUsage(spec as CommandDef, parent as CommandDef | undefined);
  const { colourOn, stripAnsi } = await import("../colour.ts");
  return colourOn(1) ? text : stripAnsi(text);
}

async function fail(message: string): Promise<never> {
  const { logger } = await import("../logger.ts");
  logger.error(message);
  process.exit(1);
}
