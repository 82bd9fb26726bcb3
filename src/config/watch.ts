import { type FSWatcher, watch } from "node:fs";
import { basename, dirname } from "node:path";

/**
 * Watches a config file by watching its folder (editors save by writing a new file and renaming
 * it over the old one, which a watch on the file itself would miss). Calls `onChange` once per
 * burst of writes, `debounceMs` after the last one. `also` are more files that count as the
 * config (its `env_files`); one whose folder does not exist is not watched.
 */
export function watchConfigFile(
  file: string,
  onChange: () => void,
  debounceMs = 150,
  also: string[] = [],
): { close(): void } {
  const byFolder = new Map<string, Set<string>>();
  for (const path of [file, ...also]) {
    const names = byFolder.get(dirname(path)) ?? new Set<string>();
    byFolder.set(dirname(path), names.add(basename(path)));
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const watchers: FSWatcher[] = [];
  for (const [folder, names] of byFolder) {
    try {
      const watcher = watch(folder, { persistent: false }, (_event, changed) => {
        if (changed && !names.has(changed.toString())) return;
        clearTimeout(timer);
        timer = setTimeout(onChange, debounceMs);
      });
      watchers.push(watcher);
    } catch (error) {
      if (folder === dirname(file)) throw error;
    }
  }
  return {
    close() {
      clearTimeout(timer);
      for (const watcher of watchers.splice(0)) watcher.close();
    },
  };
}
