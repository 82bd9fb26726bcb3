import type { ArgsDef } from "citty";
import { errorMessage } from "../errors.ts";
import { type LogLevelName, logger, setLogFormat, setLogLevel } from "../logger.ts";

/** Flags every command takes. */
export const globalArgs = {
  "log-level": {
    type: "string",
    description: "silent, error, warn, info, debug or trace (default info)",
  },
  "log-format": { type: "string", description: "text or json (default text)" },
} as const satisfies ArgsDef;

export const configArg = {
  config: {
    type: "string",
    alias: "c",
    description:
      "Config file (default: $MCP_GATEWAY_CONFIG, ./gateway.yaml, ~/.config/mcp-gateway/gateway.yaml)",
  },
} as const satisfies ArgsDef;

const LEVELS = ["silent", "error", "warn", "info", "debug", "trace"];

/** Applies `--log-level` / `--log-format` (or their MCP_GATEWAY_* variables). */
export function applyLogArgs(args: { "log-level"?: string; "log-format"?: string }): void {
  const level = args["log-level"] ?? process.env.MCP_GATEWAY_LOG_LEVEL;
  if (level) {
    if (!LEVELS.includes(level)) throw new Error(`--log-level must be one of ${LEVELS.join(", ")}`);
    setLogLevel(level as LogLevelName);
  }
  const format = args["log-format"] ?? process.env.MCP_GATEWAY_LOG_FORMAT;
  if (format) {
    if (format !== "text" && format !== "json")
      throw new Error("--log-format must be text or json");
    setLogFormat(format);
  }
}

/** Runs a command's body: a failure prints its one-line reason and exits 1. */
export async function runAction(
  action: () => unknown,
  logArgs?: { "log-level"?: string; "log-format"?: string },
): Promise<void> {
  // `mcp-gateway list | head -1`: a reader that stops early is not an error.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
  });
  try {
    if (logArgs) applyLogArgs(logArgs);
    await action();
  } catch (error) {
    logger.error(errorMessage(error));
    if (error instanceof Error && error.stack) logger.debug(error.stack);
    process.exit(1);
  }
}
