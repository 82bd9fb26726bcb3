import { type ConsolaInstance, type ConsolaReporter, createConsola, LogLevels } from "consola";
import { redactLogArg } from "./security/redact.ts";

/** The gateway's logger. It writes to stderr only: stdout is the MCP channel in stdio mode. */
export const logger: ConsolaInstance = createConsola({
  stdout: process.stderr,
  stderr: process.stderr,
  level: LogLevels.info,
});
logger.setReporters(logger.options.reporters.map(redacting));

/** Wraps a reporter so that credentials in log arguments are redacted before it writes them. */
function redacting(reporter: ConsolaReporter): ConsolaReporter {
  return {
    log(entry, context) {
      reporter.log({ ...entry, args: entry.args.map(redactLogArg) }, context);
    },
  };
}

export type LogLevelName = "silent" | "error" | "warn" | "info" | "debug" | "trace";

/** Sets the log level by name (`--log-level`, `MCP_GATEWAY_LOG_LEVEL`). */
export function setLogLevel(name: LogLevelName): void {
  logger.level = LogLevels[name === "error" ? "error" : name];
}

/** Switches to one JSON object per line (`--log-format json`). */
export function setLogFormat(format: "text" | "json"): void {
  if (format !== "json") return;
  logger.setReporters([
    redacting({
      log(entry) {
        const line = {
          time: entry.date.toISOString(),
          level: entry.type,
          tag: entry.tag || undefined,
          message: entry.args.map((arg) => (typeof arg === "string" ? arg : String(arg))).join(" "),
        };
        process.stderr.write(`${JSON.stringify(line)}\n`);
      },
    }),
  ]);
}
