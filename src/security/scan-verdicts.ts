import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { buildIdentity, ownedByUs, startCachesOn, writePrivately } from "../start-cache.ts";

/**
 * Tool definitions the poisoning scanner found nothing in, remembered in the state folder
 * (`scan-verdicts.json`) so that a start with warm tool caches does not scan every cached tool
 * again: about 0.2 ms a tool, and some 80 ms for the first hundred while the scanner's patterns
 * are cold. Only clean verdicts are kept, each as the digest of the build (the scanner's code)
 * and the definition's exact JSON: a changed definition, a new build, a file others could write
 * or a corrupt one means a real scan. Findings are never remembered, so a flagged tool is
 * scanned (and quarantined) at every start.
 */
const FORMAT = 1;
/** Enough for every tool of a large install; past it the oldest verdicts go first. */
const MAX_VERDICTS = 50_000;

let store: { file: string; build: string; clean: Set<string> } | undefined;
let saving: ReturnType<typeof setTimeout> | undefined;

/** Reads the verdicts kept in `stateDir`; from here on the scanner consults and adds to them. */
export function rememberScansIn(stateDir: string, env: Record<string, string | undefined>): void {
  if (!startCachesOn(env)) return;
  const file = join(stateDir, "scan-verdicts.json");
  const build = buildIdentity();
  store = { file, build, clean: readVerdicts(file, build) };
}

/** The key of a tool definition (its exact JSON) here and in the build's own list. */
export function definitionDigest(definition: string): string {
  return createHash("sha256").update(definition).digest("hex");
}

/** Whether the definition of this digest (`definitionDigest`) was scanned clean by this build before. */
export function scannedCleanBefore(key: string): boolean {
  return store?.clean.has(key) === true;
}

/** Notes that the definition of this digest was scanned and nothing was found; written out shortly after. */
export function rememberClean(key: string): void {
  if (!store) return;
  if (store.clean.has(key)) return;
  store.clean.add(key);
  if (store.clean.size > MAX_VERDICTS) store.clean.delete(store.clean.values().next().value!);
  saving ??= setTimeout(flushScanVerdicts, 200);
  (saving as { unref?: () => void }).unref?.();
}

/** Writes pending verdicts now (at stop). A folder that is not writable keeps them in memory. */
export function flushScanVerdicts(): void {
  if (saving) clearTimeout(saving);
  saving = undefined;
  if (!store) return;
  const { file, build, clean } = store;
  try {
    writePrivately(file, JSON.stringify({ format: FORMAT, build, clean: [...clean] }));
  } catch {
    // Not writable: the next start scans again, nothing else changes.
  }
}

/** Stops remembering (tests). */
export function forgetScanVerdicts(): void {
  if (saving) clearTimeout(saving);
  saving = undefined;
  store = undefined;
}

/** The verdicts in `file` if this build wrote them and only this user can change them. */
function readVerdicts(file: string, build: string): Set<string> {
  const empty = () => new Set<string>();
  try {
    mkdirSync(join(file, ".."), { recursive: true, mode: 0o700 });
    if (!ownedByUs(file)) return empty();
    const saved = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    if (saved.format !== FORMAT || saved.build !== build) return empty();
    const clean = saved.clean;
    if (!Array.isArray(clean) || !clean.every((key) => /^[0-9a-f]{64}$/.test(String(key)))) {
      return empty();
    }
    return new Set(clean as string[]);
  } catch {
    return empty();
  }
}
