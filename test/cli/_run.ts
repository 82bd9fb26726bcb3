import { join } from "node:path";
import { BUN, ROOT, spawnOutput } from "../helpers.ts";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `mcp-gateway ARGS...` from source as a subprocess, in `cwd` with exactly `env`. */
export function runCli(
  args: string[],
  options: { env: Record<string, string>; cwd?: string; stdin?: string },
): CliResult {
  const result = Bun.spawnSync([BUN, join(ROOT, "src/main.ts"), ...args], {
    cwd: options.cwd ?? options.env.HOME,
    env: { NO_COLOR: "1", ...options.env },
    stdin: options.stdin === undefined ? "ignore" : new TextEncoder().encode(options.stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  return {
    code: result.exitCode ?? -1,
    stdout: result.stdout.toString(),
    stderr: result.stderr.toString(),
  };
}

/**
 * `runCli` without blocking this process: for a CLI that talks to a gateway, server or port
 * holder living in the test's own process.
 */
export function runCliAsync(
  args: string[],
  options: { env: Record<string, string | undefined>; cwd?: string; stdin?: string },
): Promise<CliResult> {
  return spawnOutput([BUN, join(ROOT, "src/main.ts"), ...args], {
    ...options,
    cwd: options.cwd ?? options.env.HOME,
    env: { NO_COLOR: "1", ...options.env },
  });
}
