/**
 * A line that names the error a process died of: Node's `Error: Cannot find module …`,
 * `TypeError [ERR_…]: …`, Python's `ModuleNotFoundError: …`, Java's `…Exception: …`.
 */
const NAMES_ERROR = /^(?:Uncaught )?[A-Za-z_.$]*(?:Error|Exception)\b(?: \[[A-Z_]+\])?:/;

/**
 * The last `count` stderr lines of a backend, as errors and `/health` show them, led by the
 * line that names its error when that scrolled out of them: Node prints the stack, `}` and its
 * version after it, so the last three lines of every Node server that crashed at start said
 * nothing of why.
 */
export function stderrTail(lines: string[], count = 3): string {
  const tail = lines.slice(-count);
  const named = lines.findLast((line) => NAMES_ERROR.test(line.trim()));
  if (named === undefined || tail.includes(named)) return tail.join(" | ");
  return [named, "…", ...tail].join(" | ");
}
