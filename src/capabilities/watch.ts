import { existsSync, type FSWatcher, watch } from "node:fs";
import { logger } from "../logger.ts";

/** How often a folder that does not exist (yet) is looked for. */
const POLL_MS = 500;

export interface Watcher {
  close(): void;
}

export interface WatchOptions {
  debounceMs?: number;
  /** What the folders hold, for the log line about a missing folder. */
  what?: string;
  /** How a missing folder is logged: a configured folder warns, a default one that is only
   *  created on first use (the skills folder) says so at debug level. */
  missing?: "warn" | "debug";
}

/**
 * Calls `onChange` (debounced) when anything under the folders changes: files added, edited,
 * renamed (editors save by rename) or removed, sub-folders too. A folder that is missing, or
 * removed later, is polled for until it exists, and its appearance counts as a change.
 */
export function watchDirectories(
  directories: string[],
  onChange: () => void,
  options: WatchOptions = {},
): Watcher {
  const { debounceMs = 100, what = "capabilities", missing = "warn" } = options;
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const fire = () => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  };
  const watchers = new Map<string, FSWatcher>();
  const polls = new Map<string, ReturnType<typeof setInterval>>();

  const attach = (dir: string): boolean => {
    try {
      const watcher = watch(dir, { recursive: true }, () => {
        if (!existsSync(dir)) detach(dir);
        fire();
      });
      watcher.on("error", () => {
        detach(dir);
        fire();
      });
      watchers.set(dir, watcher);
      return true;
    } catch {
      return false;
    }
  };
  const detach = (dir: string) => {
    watchers.get(dir)?.close();
    watchers.delete(dir);
    if (!closed) poll(dir);
  };
  const poll = (dir: string) => {
    if (polls.has(dir)) return;
    const interval = setInterval(() => {
      if (!existsSync(dir) || !attach(dir)) return;
      clearInterval(interval);
      polls.delete(dir);
      fire();
    }, POLL_MS);
    interval.unref?.();
    polls.set(dir, interval);
  };

  for (const dir of new Set(directories)) {
    if (existsSync(dir) && attach(dir)) continue;
    logger.withTag(what)[missing](`${dir} does not exist; its ${what} load when it appears`);
    poll(dir);
  }
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
      for (const interval of polls.values()) clearInterval(interval);
      watchers.clear();
      polls.clear();
    },
  };
}
