/**
 * Poisoning-scanner detection on four attack sets written in the styles of published
 * tool-poisoning write-ups, each split by a fixed rule before any tuning:
 *
 * - bench/security/attacks-poisoning.jsonl: every third sample (id % 3 == 2) is held out; a second
 *   batch (`heldout2`, ids from 123) was written after the rules, run once, then tuned on.
 * - bench/security/attacks-fresh.jsonl: written before any rule change for it, across every field a
 *   model reads (tools, prompts, resources, server instructions); held out when the FNV-1a hash of
 *   `fresh:<id>` is odd (the `split` field records it).
 * - bench/security/attacks-third.jsonl (issue #16): a third set written blind, by someone who had
 *   not read the scanner, its rules or their documentation, from published write-ups. Split rule,
 *   fixed before any sample was written: a sample is held out when the FNV-1a 32-bit hash
 *   (offset basis 2166136261, prime 16777619, over the UTF-8 bytes) of `third:<id>` is odd, dev
 *   when even; the `split` field records the result.
 * - bench/security/attacks-fourth.jsonl (issue #16): a fourth set written blind the same way, by
 *   another writer, in new wording across every field a model reads and 18 languages, some lightly
 *   encoded. Held out when the FNV-1a 32-bit hash of `fourth:<id>` is odd (rule fixed before the
 *   samples; bench/security/split-fourth.ts computes and checks it).
 * - bench/security/attacks-fifth.jsonl (issue #16): a fifth set written blind by another writer
 *   (session 8), every place a schema can hold text, 19 languages, a fifth of the attacks
 *   encoded or hidden. Held out when the FNV-1a hash of `fifth:<id>` is odd
 *   (bench/security/split-fifth.ts).
 * - bench/security/attacks-sixth.jsonl (issue #16): a sixth set written blind by another writer
 *   (session 9), 165 attacks and 116 near-misses, 46% of the attacks outside the description, 21%
 *   not in English. Held out when the FNV-1a hash of `sixth:<id>` is odd
 *   (bench/security/split-sixth.ts).
 * - bench/security/benign-more.jsonl: 45 more benign near-misses, written after the meaning rules
 *   and used to tune against false positives (all dev).
 * - bench/security/attacks-probe.jsonl: attacks in classes the parts vocabulary had no part for
 *   (unrequested installs and side effects, other tools and later turns, instructions in data
 *   fields, weakened security, side channels…) and near-misses, all dev: a first batch (ids 3000+,
 *   51 and 37) and a second one in new words written after the first action rules (3200+, 40 and
 *   28, run once before the rules were widened on it), a third on prompt-injection tropes (3400+),
 *   30 more near-misses in the third set's benign categories (3600+) and 20 aimed at the word
 *   rules (3700+); issue #16's fifth round added three batches of 30 attacks (3800+, 3830+, 3860+)
 *   and 30 near-misses (3900+), each run once before the rules changed for it, and a fourth of 20
 *   attacks (3960+) run once at the end and not tuned on.
 *
 * Reports detection (HIGH = quarantined) per part, false positives on the benign near-misses, and
 * quarantines among the real tools of bench/corpus (tools.json and registry-tools.json) and the
 * description strings of GitHub's REST description.
 * `--misses` lists what the dev parts miss and flag wrongly; held-out parts are listed only with
 * `--heldout-misses`, which is not for tuning; `--dev` leaves the held-out rows out.
 *
 *   bun bench/security/poisoning-attacks.ts [--dev] [--misses [--show]] [--heldout-misses]
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { PoisoningRegistry, scanDescription, scanTool } from "../../src/security/poisoning.ts";
import { githubTexts } from "./_github-texts.ts";

const ROOT = resolve(import.meta.dir, "../..");
const showMisses = process.argv.includes("--misses");
const showHeldOut = process.argv.includes("--heldout-misses");
/** While tuning: the dev parts and the real tools only. */
const devOnly = process.argv.includes("--dev");
/** With `--misses`: print each dev miss's definition too (never a held-out one). */
const showText = process.argv.includes("--show");

interface Sample {
  id: number;
  split: string;
  label: "attack" | "benign";
  style: string;
  tool?: { name: string };
  /** For what is not a tool: `instructions`, `prompt`, `resource` or `template`, and its entry. */
  kind?: string;
  entry?: { name?: string; uri?: string };
}
const load = (file: string) =>
  readFileSync(join(ROOT, "bench/security", file), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Sample);

const quarantined = (server: string, tool: { name: string }) =>
  scanTool(server, tool as never).some((finding) => finding.severity === "high");

function flagged(sample: Sample): boolean {
  if (sample.tool) return quarantined("x", sample.tool);
  const registry = new PoisoningRegistry();
  const name = sample.entry?.name ?? sample.entry?.uri ?? "x";
  return registry.updateOthers("x", sample.kind ?? "instructions", [[name, sample.entry]]).size > 0;
}

const rows: (string | number)[][] = [];
const sets: [string, Sample[], string[]][] = [
  ["attacks-poisoning", load("attacks-poisoning.jsonl"), ["dev", "heldout", "heldout2"]],
  ["attacks-fresh", load("attacks-fresh.jsonl"), ["dev", "heldout"]],
  ["attacks-third", load("attacks-third.jsonl"), ["dev", "heldout"]],
  ["attacks-fourth", load("attacks-fourth.jsonl"), ["dev", "heldout"]],
  ["attacks-fifth", load("attacks-fifth.jsonl"), ["dev", "heldout"]],
  ["attacks-sixth", load("attacks-sixth.jsonl"), ["dev", "heldout"]],
  ["benign-more", load("benign-more.jsonl"), ["dev"]],
  ["attacks-probe", load("attacks-probe.jsonl"), ["dev"]],
];
for (const [name, samples, splits] of sets) {
  for (const label of ["attack", "benign"] as const) {
    for (const split of splits) {
      if (devOnly && split !== "dev") continue;
      const set = samples.filter((s) => s.label === label && s.split === split);
      const hits = set.filter(flagged);
      if (!set.length) continue;
      rows.push([
        `${name} ${label} ${split}`,
        set.length,
        hits.length,
        `${((100 * hits.length) / set.length).toFixed(1)}%`,
      ]);
      const wrong = label === "attack" ? set.filter((s) => !hits.includes(s)) : hits;
      const heldOut = split !== "dev";
      if (heldOut ? showHeldOut : showMisses || showHeldOut) {
        for (const s of wrong) {
          console.log(`  ${name} ${label} ${split} #${s.id} ${s.style}`);
          if (showText && s.split === "dev")
            console.log(`    ${JSON.stringify(s.tool ?? s.entry)}`);
        }
      }
    }
  }
}
for (const file of ["tools.json", "registry-tools.json"]) {
  const corpus = JSON.parse(readFileSync(join(ROOT, "bench/corpus", file), "utf8")) as Record<
    string,
    { name: string }[]
  >;
  const real = Object.entries(corpus).flatMap(([server, tools]) =>
    tools.map((tool) => ({ server, tool })),
  );
  const hits = real.filter(({ server, tool }) => quarantined(server, tool));
  rows.push([`real tools, bench/corpus/${file}`, real.length, hits.length, "(must be 0)"]);
  if (showMisses) for (const h of hits) console.log(`  real ${h.server}/${h.tool.name}`);
}
// Real prose beyond tool lists: every description and summary in GitHub's REST description (the
// texts `cap import` scans), each read as one text.
{
  const texts = githubTexts(ROOT);
  const hits = [...texts].filter((text) =>
    scanDescription(text).some((finding) => finding.severity === "high"),
  );
  rows.push([
    "real texts, GitHub REST description strings",
    texts.size,
    hits.length,
    "(must be 0)",
  ]);
  if (showMisses) for (const text of hits) console.log(`  real github: ${text.slice(0, 100)}`);
}
console.log("| set | samples | quarantined | rate |\n|---|---:|---:|---:|");
for (const row of rows) console.log(`| ${row.join(" | ")} |`);
