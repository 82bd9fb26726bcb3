/**
 * The split rule of bench/security/attacks-fourth.jsonl, fixed before any sample was written: a
 * sample is held out when the FNV-1a 32-bit hash (offset basis 2166136261, prime 16777619, over
 * the UTF-8 bytes) of `fourth:<id>` is odd, dev when even. Checks that every `split` field follows
 * the rule and prints the counts; it reads the set only, it does not scan it.
 *
 *   bun bench/security/split-fourth.ts
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export function fnv1a32(text: string): number {
  let hash = 2166136261;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 16777619) >>> 0;
  }
  return hash;
}

export const splitOf = (id: number) => (fnv1a32(`fourth:${id}`) % 2 === 1 ? "heldout" : "dev");

if (import.meta.main) {
  const file = join(import.meta.dir, "attacks-fourth.jsonl");
  const samples = readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { id: number; split: string; label: string });
  const wrong = samples.filter((s) => s.split !== splitOf(s.id));
  const counts = new Map<string, number>();
  for (const s of samples)
    counts.set(`${s.label} ${s.split}`, (counts.get(`${s.label} ${s.split}`) ?? 0) + 1);
  console.log(Object.fromEntries(counts));
  if (wrong.length) {
    console.error(
      `${file}: split does not follow the rule for ids ${wrong.map((s) => s.id).join(", ")}`,
    );
    process.exit(1);
  }
}
