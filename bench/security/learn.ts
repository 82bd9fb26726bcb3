/**
 * A learned second signal for the poisoning scanner (issue #16), trained and measured offline:
 * logistic regression (AdaGrad, L2, multiple-instance: an attack's windows that read as benign
 * stop counting as attacks) over the features of bench/security/learned-model.ts. `--cv`
 * estimates how it does on wording it was not trained on, by cross-validation by set; without it,
 * one model is trained on every dev set and its thresholds, size and scoring cost are printed.
 * It was not wired into the scanner: the gain it showed was too small (docs/BENCHMARKS.md).
 *
 * Training data, dev parts only (a sample whose `split` is not `dev` is dropped as the file is
 * read, before anything else looks at it):
 * - attacks: the dev halves of attacks-poisoning.jsonl (`heldout` and `heldout2` dropped),
 *   attacks-fresh.jsonl and attacks-third.jsonl, attacks-probe.jsonl (all dev), the poisoned
 *   samples of test/fixtures/poisoned/samples.json and the injected results of attacks.json;
 * - benign: the dev near-misses of the same files, benign-more.jsonl, the fixtures' benign
 *   look-alikes, and real text: the tools of bench/corpus/tools.json and registry-tools.json and
 *   the description strings of GitHub's REST description, each minus a held-out part never
 *   trained on (a server whose FNV-1a hash of `real:<server>` is 0 mod 4, a GitHub text whose
 *   hash of `github:<text>` is 0 mod 4) that sets the thresholds.
 *
 * bench/security/third-dev-missed-at-2d92913.json lists the third set's dev attacks the scanner
 * at 2d92913 (before it was tuned on them) missed, found by running that commit's scanTool on the
 * dev samples only; the third fold also reports how many of those the model catches.
 * `L2`, `RATE`, `MIN_FEATURES`, `NO_CHARS`, `NO_CUES`: the knobs the numbers were compared with.
 *
 * Folds (`--cv`): one per set (poisoning, fresh, third, probe, benign-more, fixtures); each is
 * scored by a model trained on the others (and the real text's training part), at the threshold
 * the held-out real text sets.
 *
 *   bun bench/security/learn.ts [--cv] [--top]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { meaningCues } from "../../src/security/intent.ts";
import { readings, scanDescription, textsOf } from "../../src/security/poisoning.ts";
import { githubTexts } from "./_github-texts.ts";
import { corpusServers, fixtureTools, ROOT, readSamples } from "./_samples.ts";
import {
  BITS,
  bucketOf,
  encodeModel,
  featuresOf,
  fieldKind,
  type Model,
  normOf,
  scoreFeatures,
  scoreText,
  signOf,
  windows,
} from "./learned-model.ts";

const cv = process.argv.includes("--cv");

/** One text of a bag, as the windows of each of its readings, featurized. */
interface Bag {
  set: string;
  label: 0 | 1;
  /** `real`, `github` (benign real text) or `sample` (attack sets and their near-misses). */
  origin: "real" | "github" | "sample";
  heldOut: boolean;
  name: string;
  /** Each window's features, and whether its text also had a LOW rule finding. */
  windows: { features: number[]; low: boolean; text: string }[];
}

const fnv = (text: string) => {
  let h = 2166136261;
  for (const byte of Buffer.from(text, "utf8")) {
    h ^= byte;
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
};

function bagOf(
  set: string,
  label: 0 | 1,
  origin: Bag["origin"],
  heldOut: boolean,
  name: string,
  texts: [string, string][],
): Bag {
  const out: Bag["windows"] = [];
  for (const [where, text] of texts) {
    if (!text.includes(" ")) continue;
    const low = scanDescription(text).some(
      (f) => f.severity === "low" && f.rule !== "very long description",
    );
    const kind = fieldKind(where);
    for (const [, reading] of readings(text.slice(0, 65_536))) {
      const cues = process.env.NO_CUES ? [] : meaningCues(reading);
      for (const window of windows(reading)) {
        const features: number[] = [];
        featuresOf(window, kind, cues, features);
        out.push({ features, low, text: window });
      }
    }
  }
  return { set, label, origin, heldOut, name, windows: out };
}

/** The dev samples of a set; nothing else of the file is kept. */
const devSamples = (file: string) => readSamples(file, (sample) => sample.split === "dev");

const bags: Bag[] = [];
for (const [set, file] of [
  ["poisoning", "attacks-poisoning.jsonl"],
  ["fresh", "attacks-fresh.jsonl"],
  ["third", "attacks-third.jsonl"],
  ["probe", "attacks-probe.jsonl"],
  ["benign-more", "benign-more.jsonl"],
] as const) {
  for (const sample of devSamples(file)) {
    const texts = sample.tool
      ? textsOf(sample.tool)
      : textsOf(sample.entry ?? {}, sample.kind ?? "instructions");
    const label = sample.label === "attack" ? 1 : 0;
    bags.push(bagOf(set, label, "sample", false, `${set}#${sample.id}`, texts));
  }
}
{
  for (const [label, tool] of fixtureTools()) {
    bags.push(bagOf("fixtures", label, "sample", false, `fixtures/${tool.name}`, textsOf(tool)));
  }
  const results = (
    JSON.parse(readFileSync(join(ROOT, "bench/security/attacks.json"), "utf8")) as {
      results: unknown[];
    }
  ).results;
  for (const [i, result] of results.entries()) {
    const text = typeof result === "string" ? result : JSON.stringify(result);
    bags.push(bagOf("fixtures", 1, "sample", false, `results#${i}`, [["description", text]]));
  }
}
for (const [server, tools] of corpusServers()) {
  const heldOut = fnv(`real:${server}`) % 4 === 0;
  for (const tool of tools) {
    bags.push(bagOf("real", 0, "real", heldOut, `${server}/${tool.name}`, textsOf(tool)));
  }
}
{
  const texts = githubTexts(ROOT);
  for (const text of texts) {
    const heldOut = fnv(`github:${text}`) % 4 === 0;
    bags.push(bagOf("github", 0, "github", heldOut, text.slice(0, 60), [["description", text]]));
  }
}

/** Logistic regression by AdaGrad over windows; positive bags re-labelled to their best windows. */
function train(data: Bag[]): Model {
  const size = 1 << BITS;
  const weights = new Float32Array(size);
  const squares = new Float32Array(size).fill(1e-6);
  const bias = 0;
  let biasSquares = 1e-6;
  const model: Model = { weights, bias, high: 0, mid: 0 };
  const rate = Number(process.env.RATE ?? 0.3);
  const l2 = Number(process.env.L2 ?? 1e-5);
  const negatives = data.filter((bag) => bag.label === 0);
  const positives = data.filter((bag) => bag.label === 1 && bag.windows.length);
  // Near-misses weigh more than real text: they are the hard negatives, and there are few.
  const negative: [number[], number][] = negatives.flatMap((bag) =>
    bag.windows.map((w) => [w.features, bag.origin === "sample" ? 4 : 1] as [number[], number]),
  );
  const negativeWeight = negative.reduce((sum, [, w]) => sum + w, 0);
  const step = (features: number[], y: number, weight: number) => {
    const norm = normOf(features.length);
    const p = 1 / (1 + Math.exp(-scoreFeatures(model, features)));
    const g = (p - y) * weight;
    for (const h of features) {
      const b = bucketOf(h);
      const grad = g * norm * signOf(h) + l2 * (weights[b] ?? 0);
      squares[b] = (squares[b] ?? 0) + grad * grad;
      weights[b] = (weights[b] ?? 0) - (rate * grad) / Math.sqrt(squares[b] ?? 1);
    }
    biasSquares += g * g;
    model.bias -= (rate * g) / Math.sqrt(biasSquares);
  };
  let chosen = positives.map((bag) => bag.windows.map((w) => w.features));
  for (let round = 0; round < Number(process.env.ROUNDS ?? 3); round++) {
    const positive: [number[], number][] = chosen.flatMap((list) =>
      list.map((f) => [f, 1 / list.length] as [number[], number]),
    );
    // Positive bags, each of the same total weight, together half the negatives' weight.
    const scale = (Number(process.env.POS_WEIGHT ?? 0.5) * negativeWeight) / positives.length;
    const all: [number[], number, number][] = [
      ...negative.map(([f, w]) => [f, 0, w] as [number[], number, number]),
      ...positive.map(([f, w]) => [f, 1, w * scale] as [number[], number, number]),
    ];
    const order = all.map((_, i) => i);
    let seed = 12345 + round;
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    for (let epoch = 0; epoch < 6; epoch++) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j] as number, order[i] as number];
      }
      // Large weights are taken as several small steps' worth (capped), so AdaGrad stays stable.
      for (const i of order) {
        const [features, y, w] = all[i] as [number[], number, number];
        step(features, y, Math.min(w, 8));
      }
    }
    // Multiple-instance step: an attack's windows that read as benign (its cover text) stop
    // counting as attacks; its best window and those scoring positive stay.
    chosen = positives.map((bag) => {
      const scored = bag.windows.map(
        (w) => [scoreFeatures(model, w.features), w.features] as const,
      );
      const top = Math.max(...scored.map(([s]) => s));
      return scored.filter(([s]) => s === top || s > 0).map(([, f]) => f);
    });
  }
  return model;
}

const bagScore = (model: Model, bag: Bag) =>
  bag.windows.reduce((best, w) => Math.max(best, scoreFeatures(model, w.features)), -Infinity);
/** The best window scoring with a LOW finding in its text, for the mid threshold. */
const bagScoreLow = (model: Model, bag: Bag) =>
  bag.windows.reduce(
    (best, w) => (w.low ? Math.max(best, scoreFeatures(model, w.features)) : best),
    -Infinity,
  );

/** Margins above the highest held-out real score (log-odds). */
const MARGIN = 1.0;

/** Third-set dev attacks the scanner missed before it was tuned on them (2d92913). */
const OLD_MISSES = new Set<string>(
  (
    JSON.parse(
      readFileSync(
        process.env.OLD_MISSES ?? join(ROOT, "bench/security/third-dev-missed-at-2d92913.json"),
        "utf8",
      ),
    ) as number[]
  ).map((id) => `third#${id}`),
);
if (cv) {
  const sets = (process.env.FOLDS ?? "poisoning,fresh,third,probe,benign-more,fixtures").split(",");
  console.log(
    "| fold (left out) | attacks | over t0 | over high (t0+margin) | or mid with a LOW note | near-misses | over high | or mid with a LOW note | high | mid |",
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const set of sets) {
    const model = train(bags.filter((b) => b.set !== set && !b.heldOut));
    const realHeld = bags.filter((b) => b.heldOut);
    const t0 = Math.max(...realHeld.map((b) => bagScore(model, b)));
    const high = t0 + MARGIN;
    const mid = Math.min(high, Math.max(...realHeld.map((b) => bagScoreLow(model, b))) + MARGIN);
    const fold = bags.filter((b) => b.set === set);
    const attacks = fold.filter((b) => b.label === 1);
    const benign = fold.filter((b) => b.label === 0);
    const over = (list: Bag[], t: number) => list.filter((b) => bagScore(model, b) > t).length;
    const caught = (b: Bag) => bagScore(model, b) > high || bagScoreLow(model, b) > mid;
    const count = (list: Bag[]) => list.filter(caught).length;
    console.log(
      `| ${set} | ${attacks.length} | ${over(attacks, t0)} | ${over(attacks, high)} | ${count(attacks)} | ${benign.length} | ${over(benign, high)} | ${count(benign)} | ${high.toFixed(2)} | ${mid.toFixed(2)} |`,
    );
    if (set === "third" && OLD_MISSES.size) {
      const missed = attacks.filter((b) => OLD_MISSES.has(b.name));
      console.log(
        `|   third, the ${missed.length} the rules missed before tuning on them | ${missed.length} | ${over(missed, t0)} | ${over(missed, high)} | ${count(missed)} | | | | | |`,
      );
    }
  }
}

const model = train(bags.filter((b) => !b.heldOut));
const score = (list: Bag[]) => list.map((b) => bagScore(model, b));
const realTrained = bags.filter(
  (b) => (b.origin === "real" || b.origin === "github") && !b.heldOut,
);
const realHeld = bags.filter((b) => b.heldOut);
const maxHeld = Math.max(...score(realHeld));
const maxTrained = Math.max(...score(realTrained));
model.high = Math.max(maxHeld, maxTrained) + MARGIN;
const maxHeldLow = Math.max(...realHeld.map((b) => bagScoreLow(model, b)));
const maxTrainedLow = Math.max(...realTrained.map((b) => bagScoreLow(model, b)));
model.mid = Math.min(model.high, Math.max(maxHeldLow, maxTrainedLow, -2) + MARGIN);
console.log(
  `real text: ${realTrained.length} trained on (max score ${maxTrained.toFixed(2)}), ${realHeld.length} held out (max ${maxHeld.toFixed(2)}); high ${model.high.toFixed(2)}, mid ${model.mid.toFixed(2)} (max with a LOW finding: ${maxTrainedLow.toFixed(2)} trained, ${maxHeldLow.toFixed(2)} held out)`,
);
if (process.argv.includes("--top")) {
  const top = realHeld
    .flatMap((b) =>
      b.windows.map((w) => [scoreFeatures(model, w.features), b.name, w.text] as const),
    )
    .sort((a, b) => b[0] - a[0])
    .slice(0, 12);
  for (const [s, name, text] of top)
    console.log(`  ${s.toFixed(2)} ${name}: ${text.slice(0, 160)}`);
}
const dev = bags.filter((b) => b.origin === "sample");
for (const label of [1, 0]) {
  const list = dev.filter((b) => b.label === label);
  const high = list.filter((b) => bagScore(model, b) > model.high).length;
  console.log(`dev ${label ? "attacks" : "near-misses"}: ${high} of ${list.length} over high`);
}
// The size the weights would ship at (int8, only the buckets that quantize to non-zero).
{
  const stored = encodeModel(model, Math.max(...model.weights.map(Math.abs)) / 127);
  console.log(
    `weights: ${stored.data.length} bytes of base64 (${Buffer.from(stored.data, "base64").length} bytes)`,
  );
}
// What scoring would add to a scan: every text of every real tool, as the scanner reads it.
{
  const corpus = JSON.parse(readFileSync(join(ROOT, "bench/corpus/tools.json"), "utf8")) as Record<
    string,
    Record<string, unknown>[]
  >;
  const tools = Object.values(corpus).flat();
  const times: number[] = [];
  for (let round = 0; round < 5; round++) {
    for (const tool of tools) {
      const started = Bun.nanoseconds();
      let best = -Infinity;
      for (const [where, text] of textsOf(tool)) {
        if (!text.includes(" ")) continue;
        const all = readings(text.slice(0, 65_536)).map(([, reading]) => reading);
        best = Math.max(best, scoreText(model, all, fieldKind(where))?.score ?? -Infinity);
      }
      times.push((Bun.nanoseconds() - started) / 1000);
    }
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => (times[Math.floor(q * (times.length - 1))] ?? 0).toFixed(1);
  console.log(
    `scoring one tool (µs, ${times.length}): p50 ${at(0.5)}, p90 ${at(0.9)}, p99 ${at(0.99)}`,
  );
}
