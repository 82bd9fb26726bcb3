import { type FSWatcher, watch } from "node:fs";
import { basename, dirname } from "node:path";

/**
 * Watches a config file by watching its folder (editors save by writing a new file and renaming
 * it over the old one, which a watch on the file itself would miss). Calls `onChange` once per
 * burst of writes, `debounceMs` after the last one.
 */
export function watchConfigFile(
  file: string,
  onChange: () => void,
  debounceMs = 150,
): { close(): void } {
  const name = basename(file);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let watcher: FSWatcher | undefined;
  watcher = watch(dirname(file), { persistent: false }, (_event, changed) => {
    if (changed && changed.toString() !== name) return;
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  });
  return {
    close() {
      clearTimeout(timer);
      watcher?.close();
      watcher = undefined;
    },
  };
}
