import { defineCommand } from "citty";
import { parseDuration } from "../../config/duration.ts";
import { setLogLevel } from "../../logger.ts";
import { type Check, type CheckStatus, runDoctor } from "../../observe/doctor.ts";
import { applyLogArgs, runAction } from "../_args.ts";
import { doctorSpec } from "../_tree.ts";

const MARKS: Record<CheckStatus, string> = { ok: "✔", note: "·", warn: "!", fail: "✖" };
const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export default defineCommand({
  ...doctorSpec,
  async run({ args }) {
    await runAction(async () => {
      // The report says what the backends' own log lines would: keep those out unless asked.
      if (!args["log-level"] && !process.env.MCP_GATEWAY_LOG_LEVEL) setLogLevel("error");
      applyLogArgs(args);
      const timeoutMs = parseDuration(args.timeout ?? "30s");
      if (!timeoutMs)
        throw new Error(`--timeout must be a duration like 30s or 2m, got ${args.timeout}`);
      const progress = createProgress();
      const report = await runDoctor({
        path: args.config,
        timeoutMs,
        fix: args.fix,
        onProgress: progress.update,
      }).finally(progress.done);
      if (args.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else process.stdout.write(render(report.checks));
      const failures = report.checks.filter((check) => check.status === "fail").length;
      if (failures) throw new Error(`${failures} problem${failures > 1 ? "s" : ""} found`);
      // A backend that never answered may still hold a timer: the report is done, so is doctor.
      process.exit(0);
    });
  },
});

function render(checks: Check[]): string {
  const width = Math.min(28, Math.max(...checks.map((check) => check.name.length)));
  const indent = " ".repeat(width + 4);
  const lines: string[] = [];
  for (const check of checks) {
    lines.push(`${MARKS[check.status]} ${check.name.padEnd(width)}  ${check.message}`);
    if (check.fixed) lines.push(`${indent}fixed: ${check.fixed}`);
    if (check.hint && check.status !== "ok") lines.push(`${indent}hint: ${check.hint}`);
  }
  const count = (status: CheckStatus) => checks.filter((check) => check.status === status).length;
  const [fails, warns] = [count("fail"), count("warn")];
  lines.push(
    `${checks.length} checks: ${fails} problem${fails === 1 ? "" : "s"}, ${warns} warning${warns === 1 ? "" : "s"}`,
  );
  return `${lines.join("\n")}\n`;
}

/**
 * Slow work's status on stderr: one spinner line, rewritten in place, on a terminal; a plain line
 * per change otherwise (logs and CI keep every step).
 */
function createProgress(): { update(text: string): void; done(): void } {
  const tty = process.stderr.isTTY === true;
  let text = "";
  let frame = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  const draw = () => {
    process.stderr.write(`\r\x1b[2K${SPINNER[frame++ % SPINNER.length]} ${text}`);
  };
  return {
    update(next) {
      if (next === text) return;
      text = next;
      if (!tty) {
        process.stderr.write(`${next}\n`);
        return;
      }
      timer ??= setInterval(draw, 80);
      draw();
    },
    done() {
      clearInterval(timer);
      if (tty && text) process.stderr.write("\r\x1b[2K");
    },
  };
}
