/**
 * The labelled data the offline poisoning benches (learn.ts, embed-classify.ts) read: the sample
 * sets of bench/security/*.jsonl, the fixtures of test/fixtures/poisoned/samples.json and the real
 * tools of bench/corpus.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dir, "../..");

/** One line of a sample set: a tool, or an entry of another kind (a prompt, a resource...). */
export interface Sample {
  id: number;
  split: string;
  label: "attack" | "benign";
  tool?: Record<string, unknown>;
  kind?: string;
  entry?: Record<string, unknown>;
}

/** The samples of bench/security/`file` that `keep` keeps; the others are dropped as it is read. */
export function readSamples(file: string, keep: (sample: Sample) => boolean): Sample[] {
  return readFileSync(join(ROOT, "bench/security", file), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Sample)
    .filter(keep);
}

/** The fixtures' tools with their labels: the poisoned ones (1), then the benign look-alikes (0). */
export function fixtureTools(): [0 | 1, Record<string, unknown>][] {
  const fixtures = JSON.parse(
    readFileSync(join(ROOT, "test/fixtures/poisoned/samples.json"), "utf8"),
  ) as { poisoned: Record<string, unknown>[]; benign: Record<string, unknown>[] };
  return [
    ...fixtures.poisoned.map((tool) => [1, tool] as [1, Record<string, unknown>]),
    ...fixtures.benign.map((tool) => [0, tool] as [0, Record<string, unknown>]),
  ];
}

/** The servers of bench/corpus/tools.json then registry-tools.json, each with its tools. */
export function corpusServers(): [string, Record<string, unknown>[]][] {
  return ["tools.json", "registry-tools.json"].flatMap((file) =>
    Object.entries(
      JSON.parse(readFileSync(join(ROOT, "bench/corpus", file), "utf8")) as Record<
        string,
        Record<string, unknown>[]
      >,
    ),
  );
}
