import { errorMessage } from "../errors.ts";
import { logger } from "../logger.ts";

export interface LifetimeOptions {
  /** `serve --stdio`: the gateway lives as long as the client that started it. */
  stdio: boolean;
  /** `server.shutdown_timeout`: how long calls in flight may take to finish on a stop. */
  shutdownTimeoutMs: number;
  stop(): Promise<void>;
  reload(): Promise<unknown>;
}

/** How often a stdio gateway checks that the process that started it is still there. */
const PARENT_POLL_MS = 1000;
/** Past `shutdown_timeout`, how long closing sessions and backends may take before exit. */
const CLOSE_GRACE_MS = 10_000;

/**
 * Decides when `serve` ends, and makes every way of ending stop the backends (the exit hook of
 * the stdio transport kills their process groups; see src/backends/containment.ts).
 *
 * - SIGTERM/SIGINT drain (up to `shutdown_timeout` plus a grace), and a second one exits at once:
 *   an operator who presses Ctrl-C twice, or a supervisor that gave up waiting, is not kept.
 * - SIGHUP reloads the config; a stdio gateway whose client is gone exits instead.
 * - A stdio gateway exits when its client is gone, however that shows: stdin ends or fails,
 *   writing to stdout fails (EPIPE, EIO), or the process that started it dies while something
 *   else still holds stdin open (a helper that inherited the pipe), which no read would notice:
 *   a gateway left so kept its backends running for as long as that helper lived.
 */
export function holdLifetime(options: LifetimeOptions): void {
  let stopping = false;
  const shutdown = (why: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${why}: stopping`);
    const force = setTimeout(() => process.exit(1), options.shutdownTimeoutMs + CLOSE_GRACE_MS);
    options
      .stop()
      .catch((error) => logger.error(`stopping failed: ${errorMessage(error)}`))
      .finally(() => {
        clearTimeout(force);
        process.exit(0);
      });
  };
  const onSignal = (signal: "SIGINT" | "SIGTERM") => {
    if (!stopping) return shutdown(signal);
    logger.warn(`${signal} again: exiting now, calls in flight are cut off`);
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  process.on("SIGINT", () => onSignal("SIGINT"));
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  const parent = process.ppid;
  // Started by init (a container's entrypoint) there is no parent to outlive.
  const orphaned = () => options.stdio && parent > 1 && (process.ppid !== parent || !alive(parent));
  process.on("SIGHUP", () => {
    if (orphaned()) return shutdown("SIGHUP, and the client that started the gateway is gone");
    options.reload().catch((error) => logger.error(`reload refused: ${errorMessage(error)}`));
  });
  if (!options.stdio) return;
  process.stdin.once("end", () => shutdown("stdin closed"));
  process.stdin.once("error", (error) => shutdown(`stdin failed (${errorMessage(error)})`));
  process.stdout.on("error", (error) => shutdown(`stdout failed (${errorMessage(error)})`));
  // The client that reads stdout usually reads stderr too: a log line must not crash the exit.
  process.stderr.on("error", () => {});
  const watch = setInterval(() => {
    if (orphaned()) shutdown("the client that started the gateway is gone");
  }, PARENT_POLL_MS);
  watch.unref?.();
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as { code?: string }).code === "EPERM";
  }
}
