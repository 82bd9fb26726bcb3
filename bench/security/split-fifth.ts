/**
 * The split rule of bench/security/attacks-fifth.jsonl, fixed before any sample was written: a
 * sample is held out when the FNV-1a 32-bit hash (offset basis 2166136261, prime 16777619, over
 * the UTF-8 bytes) of `fifth:<id>` is odd, dev when even. Checks that every line parses, that ids
 * are unique, that labels are `attack` or `benign`, that every `split` field follows the rule, and
 * prints the counts; it reads the set only, it does not scan it.
 *
 *   bun bench/security/split-fifth.ts
 */
import { join } from "node:path";
import { checkSplit, fnv1a32 } from "./split-fourth.ts";

export const splitOf = (id: number) => (fnv1a32(`fifth:${id}`) % 2 === 1 ? "heldout" : "dev");

if (import.meta.main) checkSplit(join(import.meta.dir, "attacks-fifth.jsonl"), splitOf);
