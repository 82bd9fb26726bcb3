/** `process.binding`, which Bun keeps (Node's types dropped it). */
interface WithBinding {
  binding?: (name: "tty_wrap") => { isTTY?: (fd: number) => boolean };
}

/**
 * Whether `fd` is a terminal. Bun answers from its tty binding: importing node:tty builds Node's
 * net and stream classes, about 2 MB a light command's one coloured line need not pay.
 */
export function isatty(fd: number): boolean {
  const tty =
    typeof Bun === "undefined" ? undefined : (process as WithBinding).binding?.("tty_wrap");
  if (tty?.isTTY) return tty.isTTY(fd);
  return (process.getBuiltinModule("node:tty") as typeof import("node:tty")).isatty(fd);
}

/**
 * Whether output on file descriptor `fd` (1 stdout, 2 stderr) may carry ANSI colour: only on a
 * terminal, never with `NO_COLOR` set to anything (no-color.org) or `TERM=dumb`; `FORCE_COLOR`
 * turns it on anywhere. `isatty`, not `process.stdout.isTTY`: that getter builds Node's stream.
 */
export function colourOn(
  fd: 1 | 2,
  env: Record<string, string | undefined> = process.env,
): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== "0") return true;
  return isatty(fd) && env.TERM !== "dumb";
}

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

/** `text` without ANSI colour and style codes. */
export const stripAnsi = (text: string): string => text.replace(ANSI, "");
