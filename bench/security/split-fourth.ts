/**
 * The split rule of bench/security/attacks-fourth.jsonl, fixed before any sample was written: a
 * sample is held out when the FNV-1a 32-bit hash (offset basis 2166136261, prime 16777619, over
 * the UTF-8 bytes) of `fourth:<id>` is odd, dev when even. Checks that every `split` field follows
 * the rule and prints the counts (`checkSplit`, which the later sets' split files use too).
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

/**
 * Checks a blind set against its split rule: every line parses, ids are unique, labels are
 * `attack` or `benign`, every `split` field is what `splitOf` says. Prints the counts; exits 1
 * naming each problem. Reads the set only, never scans it.
 */
export function checkSplit(file: string, splitOf: (id: number) => string): void {
  const samples = readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line, index) => {
      try {
        return JSON.parse(line) as { id: number; split: string; label: string };
      } catch (error) {
        throw new Error(`${file}:${index + 1}: not JSON (${(error as Error).message})`);
      }
    });
  const problems: string[] = [];
  const seen = new Set<number>();
  for (const s of samples) {
    if (seen.has(s.id)) problems.push(`id ${s.id} appears twice`);
    seen.add(s.id);
    if (s.label !== "attack" && s.label !== "benign")
      problems.push(`id ${s.id} has label ${JSON.stringify(s.label)}, expected attack or benign`);
    if (s.split !== splitOf(s.id))
      problems.push(`id ${s.id} has split ${s.split}, the rule says ${splitOf(s.id)}`);
  }
  const counts = new Map<string, number>();
  for (const s of samples)
    counts.set(`${s.label} ${s.split}`, (counts.get(`${s.label} ${s.split}`) ?? 0) + 1);
  console.log(Object.fromEntries(counts), `${samples.length} samples`);
  if (problems.length) {
    console.error(`${file}:\n  ${problems.join("\n  ")}`);
    process.exit(1);
  }
}

if (import.meta.main) checkSplit(join(import.meta.dir, "attacks-fourth.jsonl"), splitOf);
