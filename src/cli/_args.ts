import { errorMessage } from "../errors.ts";
import { type LogLevelName, logger, setLogFormat, setLogLevel } from "../logger.ts";
import { checkLogArgs } from "./_check.ts";

// The flag definitions live with the command tree (no heavy imports there); commands take them
// from here.
export { configArg, globalArgs } from "./_tree.ts";

/** Applies `--log-level` / `--log-format` (or their MCP_GATEWAY_* variables). */
export function applyLogArgs(args: { "log-level"?: string; "log-format"?: string }): void {
  const { level, format } = checkLogArgs(args);
  if (level) setLogLevel(level as LogLevelName);
  if (format) setLogFormat(format);
}

/**
 * Runs a command's body: a failure prints its one-line reason and exits 1. `console`: the
 * command prints with console.log only, which a closed pipe does not fail, so Node's stdout
 * stream (10 ms and 10 MB at start) is never built.
 */
export async function runAction(
  action: () => unknown,
  logArgs?: { "log-level"?: string; "log-format"?: string },
  options: { console?: boolean } = {},
): Promise<void> {
  // `mcp-gateway list | head -1`: a reader that stops early is not an error.
  if (!options.console) {
    process.stdout.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(0);
    });
  }
  try {
    if (logArgs) applyLogArgs(logArgs);
    await action();
  } catch (error) {
    logger.error(errorMessage(error));
    if (error instanceof Error && error.stack) logger.debug(error.stack);
    process.exit(1);
  }
}

/** `runAction` for a command that prints with console.log only (see `console` above). */
export function runPrinting(
  action: () => unknown,
  logArgs?: { "log-level"?: string; "log-format"?: string },
): Promise<void> {
  return runAction(action, logArgs, { console: true });
}
