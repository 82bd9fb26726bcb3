import { type ConsolaInstance, type ConsolaReporter, createConsola, LogLevels } from "consola";
import { colourOn, stripAnsi } from "./colour.ts";
import { redactLogArg } from "./security/redact.ts";

/**
 * stderr as consola sees it. consola colours when stdout is a terminal, so `serve 2>gateway.log`
 * on a terminal would write escape codes into the file: colour is kept only where stderr itself
 * is a terminal (and NO_COLOR is unset).
 */
const stderr = colourOn(2)
  ? process.stderr
  : Object.assign(Object.create(process.stderr) as NodeJS.WriteStream, {
      write: (text: string) => process.stderr.write(stripAnsi(text)),
    });

/** The gateway's logger. It writes to stderr only: stdout is the MCP channel in stdio mode. */
export const logger: ConsolaInstance = createConsola({
  stdout: stderr,
  stderr,
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
