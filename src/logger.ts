import type { ConsolaInstance, ConsolaReporter } from "consola";
import { colourOn, isatty, stripAnsi } from "./colour.ts";
import { redactLogArg } from "./security/redact.ts";

type Consola = typeof import("consola");

/**
 * consola, loaded on the first log line: loading it builds Node's stdout and stderr streams, about
 * 8 ms and 11 MB that a command printing no log line (`list`, shell completion) need not pay.
 * `require` is Bun's (bundled, run on first call); Deno has no `require` in a module.
 */
function loadConsola(): Consola {
  if (typeof require === "function") return require("consola") as Consola;
  const { createRequire } = process.getBuiltinModule("node:module");
  return createRequire(import.meta.url)("consola") as Consola;
}

let instance: ConsolaInstance | undefined;

function createLogger(): ConsolaInstance {
  const { createConsola, LogLevels } = loadConsola();
  // stderr as consola sees it. consola colours when stdout is a terminal, so `serve
  // 2>gateway.log` on a terminal would write escape codes into the file: colour is kept only
  // where stderr itself is a terminal (and NO_COLOR is unset).
  const stderr = colourOn(2)
    ? process.stderr
    : Object.assign(Object.create(process.stderr) as NodeJS.WriteStream, {
        write: (text: string) => process.stderr.write(stripAnsi(text)),
      });
  const created = createConsola({ stdout: stderr, stderr, level: LogLevels.info });
  created.setReporters(created.options.reporters.map((reporter) => redacting(reporter, true)));
  return created;
}

/**
 * The gateway's logger. It writes to stderr only: stdout is the MCP channel in stdio mode.
 * A stand-in until first used (see loadConsola); every property is the real instance's.
 */
export const logger: ConsolaInstance = new Proxy({} as ConsolaInstance, {
  get(_, key) {
    instance ??= createLogger();
    const value = Reflect.get(instance, key);
    // Log methods are the instance's own arrow functions; the prototype's methods need `this`.
    return typeof value === "function" && !Object.hasOwn(instance, key)
      ? value.bind(instance)
      : value;
  },
  set(_, key, value) {
    instance ??= createLogger();
    return Reflect.set(instance, key, value);
  },
});

/**
 * One info line, without loading consola while the logger is untouched (default level and text
 * format, set by no flag or variable): written as consola writes it outside CI and tests, `ℹ `
 * and the message, the mark cyan where consola would colour it. A light command's only log line then
 * costs no consola and no stderr stream. Otherwise (or under CI or a test runner, where consola
 * writes `[info]`) it is `logger.info`.
 */
export function infoLine(message: string): void {
  const env = process.env;
  if (instance || env.CI || env.TEST || env.NODE_ENV === "test") {
    logger.info(message);
    return;
  }
  // consola's own rule on top of ours: forced, or stdout a terminal that takes colour.
  const tinted =
    colourOn(2) && ("FORCE_COLOR" in env || (isatty(1) && !!env.TERM && env.TERM !== "dumb"));
  const mark = tinted ? "\u001b[36mℹ\u001b[39m" : "ℹ";
  console.error(`${mark} ${redactLogArg(message)}`);
}

/**
 * Wraps a reporter so that credentials in log arguments are redacted before it writes them. With
 * `lines` (text logs), a line break inside an argument starts an indented line, a carriage
 * return is shown as `\r` and other control characters (a terminal's escape sequences) as
 * `\xHH`: a tool name or an excerpt a client chose cannot start, or overwrite, a line of its own
 * that reads as another log entry.
 */
function redacting(reporter: ConsolaReporter, lines = false): ConsolaReporter {
  return {
    log(entry, context) {
      const args = entry.args.map(redactLogArg);
      reporter.log({ ...entry, args: lines ? args.map(continuationLines) : args }, context);
    },
  };
}

/** Control characters but tab and line breaks: a terminal's escape sequences among them. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are the point
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;

function continuationLines(arg: unknown): unknown {
  if (typeof arg !== "string") return arg;
  return arg
    .replaceAll("\r", "\\r")
    .replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`)
    .replace(/\n(?!$)/g, "\n    ");
}

export type LogLevelName = "silent" | "error" | "warn" | "info" | "debug" | "trace";

/** Sets the log level by name (`--log-level`, `MCP_GATEWAY_LOG_LEVEL`). */
export function setLogLevel(name: LogLevelName): void {
  logger.level = loadConsola().LogLevels[name === "error" ? "error" : name];
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
