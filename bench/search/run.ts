/**
 * Search quality and latency over the corpus of real tool definitions (bench/corpus/tools.json)
 * and the user-phrased query set (bench/search/queries.json).
 *
 *   bun bench/search/run.ts            # quality table + latency with 10,000 tools indexed
 *   bun bench/search/run.ts --misses   # also print the dev split's misses (never the test split's)
 *   bun bench/search/run.ts --no-latency
 *   bun bench/search/run.ts --ours     # latency of ours only (the baselines take minutes)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import MiniSearch from "minisearch";
import type { Tool } from "../../src/mcp/sdk.ts";
import { jaccard } from "../../src/search/distance.ts";
import { WEIGHTS } from "../../src/search/expand.ts";
import { queryKey, SearchFeedback } from "../../src/search/feedback.ts";
import { toEntryTexts } from "../../src/search/fields.ts";
import { hintsFor } from "../../src/search/hints.ts";
import { ToolIndex } from "../../src/search/index.ts";
import { LIFTS } from "../../src/search/signals.ts";
import { tokenize } from "../../src/search/tokenize.ts";
import { scaled as scaledPairs } from "./_scaled.ts";
import { type Corpus, type Engine, plainBm25, substringSynonyms } from "./baselines.ts";

interface Query {
  id: number;
  split: "dev" | "test";
  /**
   * 1: written with the ranking in view; 2 and 3: written blind by someone who never ran it
   * (batch 3 is held out whole).
   */
  batch?: number;
  query: string;
  /** The first search a model would send for the request, written without seeing the tools. */
  model?: { query: string; server?: string };
  expected: string[];
}

const HERE = import.meta.dir;
const corpus: Corpus = JSON.parse(readFileSync(join(HERE, "../corpus/tools.json"), "utf8"));
const queries: Query[] = JSON.parse(readFileSync(join(HERE, "queries.json"), "utf8"));
const showMisses = process.argv.includes("--misses");

/** Ours as the gateway runs it by default: with the built-in hints (src/search/hints.ts). */
function ours(tools: Corpus): Engine {
  return oursWith(tools, hintsFor(true, {}), "mcp-gateway (BM25F + expansion + hints)");
}

/** Ours on tools it has no hints for: what any tool outside the 38 servers gets. */
function oursWithoutHints(tools: Corpus): Engine {
  return oursWith(tools, undefined, "mcp-gateway without hints");
}

function oursWith(
  tools: Corpus,
  hints: ((server: string, tool: Tool) => string | undefined) | undefined,
  name: string,
): Engine {
  const index = new ToolIndex(hints);
  for (const [server, list] of Object.entries(tools)) index.upsert(server, list);
  return {
    name,
    search: (query, limit) =>
      index.search(query, { limit }).map((hit) => `${hit.server}:${hit.tool.name}`),
  };
}

/** What a key whose scopes hide some tools sees: a third of the servers, and every `delete_*`. */
const scoped = (server: string, tool: string) =>
  !/-[36]$|^git/.test(server) && !tool.startsWith("delete");

/** Ours searched by that key: it ranks in the index's view of what it sees, kept per scope. */
function oursScoped(tools: Corpus): Engine {
  const index = new ToolIndex(hintsFor(true, {}));
  for (const [server, list] of Object.entries(tools)) index.upsert(server, list);
  return {
    name: "mcp-gateway, a key that sees part of the tools",
    search: (query, limit) =>
      index
        .search(query, { limit, allow: scoped, scope: "key" })
        .map((hit) => `${hit.server}:${hit.tool.name}`),
  };
}

/** The library route measured: minisearch with our fields, weights, tokenizer and fuzzy matching. */
function minisearchTuned(tools: Corpus): Engine {
  const fields = ["name", "title", "server", "description", "params", "paramText"] as const;
  const index = new MiniSearch<Record<string, string>>({
    fields: [...fields],
    tokenize: (text) => tokenize(text),
    processTerm: (term) => term,
    searchOptions: {
      boost: { name: 3, title: 2, server: 1.5, description: 1, params: 0.7, paramText: 0.3 },
      fuzzy: (term) => (term.length >= 5 ? 0.2 : false),
      prefix: (term) => term.length >= 4,
    },
  });
  for (const [server, list] of Object.entries(tools)) {
    index.addAll(
      list.map((tool) => ({ id: `${server}:${tool.name}`, ...toEntryTexts(server, tool) })),
    );
  }
  return {
    name: "minisearch, our fields + tokenizer + fuzzy",
    search: (query, limit) =>
      index
        .search(query)
        .slice(0, limit)
        .map((hit) => String(hit.id)),
  };
}

interface Score {
  hit1: number;
  hit5: number;
  mrr: number;
  n: number;
}

/** The top 5 of one server's tools, as the `server` argument of gateway_search_tools gives. */
function searchIn(engine: Engine, query: string, server: string | undefined): string[] {
  if (!server) return engine.search(query, 5);
  return engine
    .search(query, 2000)
    .filter((id) => id.startsWith(`${server}:`))
    .slice(0, 5);
}

/** As the model would search: its query (and server filter, unless `filter` is false). */
function asModel(q: Query, filter = true): Query {
  const model = filter ? q.model! : { query: q.model!.query };
  return { ...q, query: model.query, model };
}

function evaluate(engine: Engine, subset: Query[], printMisses: boolean): Score {
  let hit1 = 0;
  let hit5 = 0;
  let mrr = 0;
  for (const q of subset) {
    const results = searchIn(
      engine,
      q.query,
      q.model && q.query === q.model.query ? q.model.server : undefined,
    );
    const rank = results.findIndex((id) => q.expected.includes(id));
    if (rank === 0) hit1++;
    if (rank >= 0) {
      hit5++;
      mrr += 1 / (rank + 1);
    }
    if (printMisses && rank !== 0) {
      console.log(
        `  #${q.id} "${q.query}" want ${q.expected[0]} got ${results.slice(0, 3).join(", ")}`,
      );
    }
  }
  return { hit1, hit5, mrr, n: subset.length };
}

function latency(make: (c: Corpus) => Engine, tools: Corpus, rounds: number) {
  const engine = make(tools);
  for (const q of queries) engine.search(q.query, 5); // warm up
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const q of queries) {
      const start = performance.now();
      engine.search(q.query, 5);
      times.push(performance.now() - start);
    }
  }
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
  return { p50: at(0.5), p99: at(0.99) };
}

const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)}%`;
const toolCount = Object.values(corpus).reduce((sum, tools) => sum + tools.length, 0);
const engines = [substringSynonyms, plainBm25, minisearchTuned, oursWithoutHints, ours];
const dev = queries.filter((q) => q.split === "dev");
const test = queries.filter((q) => q.split === "test");

console.log(
  `corpus: ${Object.keys(corpus).length} servers, ${toolCount} tools; queries: ${queries.length} (dev ${dev.length}, held-out test ${test.length})\n`,
);
console.log("| engine | hit@1 | hit@5 | MRR | hit@1 dev | hit@5 dev | hit@1 test | hit@5 test |");
console.log("|---|---|---|---|---|---|---|---|");
for (const make of engines) {
  const engine = make(corpus);
  const isOurs = make === ours;
  if (isOurs && showMisses) console.log("dev misses of ours:");
  const d = evaluate(engine, dev, isOurs && showMisses);
  const t = evaluate(engine, test, false);
  const all = { hit1: d.hit1 + t.hit1, hit5: d.hit5 + t.hit5, mrr: d.mrr + t.mrr, n: d.n + t.n };
  console.log(
    `| ${engine.name} | ${pct(all.hit1, all.n)} | ${pct(all.hit5, all.n)} | ${(all.mrr / all.n).toFixed(3)} | ${pct(d.hit1, d.n)} | ${pct(d.hit5, d.n)} | ${pct(t.hit1, t.n)} | ${pct(t.hit5, t.n)} |`,
  );
}

// Per batch: the second and third were written blind, by someone who never ran a search.
console.log(
  "\n| engine | batch 1 hit@1 | batch 1 hit@5 | batch 2 (blind) hit@1 | batch 2 hit@5 | batch 2 held-out hit@1 | batch 2 held-out hit@5 | batch 3 (blind, held out) hit@1 | batch 3 hit@5 |",
);
console.log("|---|---|---|---|---|---|---|---|---|");
for (const make of engines) {
  const engine = make(corpus);
  const first = evaluate(
    engine,
    queries.filter((q) => (q.batch ?? 1) === 1),
    false,
  );
  const blind = queries.filter((q) => q.batch === 2);
  const second = evaluate(engine, blind, false);
  const held = evaluate(
    engine,
    blind.filter((q) => q.split === "test"),
    false,
  );
  const third = evaluate(
    engine,
    queries.filter((q) => q.batch === 3),
    false,
  );
  console.log(
    `| ${engine.name} | ${[first, second, held, third].map((x) => `${pct(x.hit1, x.n)} | ${pct(x.hit5, x.n)}`).join(" | ")} |`,
  );
}

// As a model would search: the query (and server filter) a separate session wrote for each
// request from the gateway's own tool descriptions and server list, never seeing the tools.
for (const [label, requests] of [
  ["dev requests (batches 1 and 2)", queries.filter((q) => q.model && q.split === "dev")],
  ["batch 3 (held out)", queries.filter((q) => q.model && q.batch === 3)],
] as const) {
  console.log(`\n${label}, as a model would search:`);
  console.log(
    "\n| engine | the user's words hit@1 | hit@5 | the model's search hit@1 | hit@5 | its query without the server filter hit@1 | hit@5 |",
  );
  console.log("|---|---|---|---|---|---|---|");
  for (const make of engines) {
    const engine = make(corpus);
    const user = evaluate(engine, requests, false);
    const model = evaluate(
      engine,
      requests.map((q) => asModel(q)),
      false,
    );
    const unfiltered = evaluate(
      engine,
      requests.map((q) => asModel(q, false)),
      false,
    );
    console.log(
      `| ${engine.name} | ${[user, model, unfiltered].map((x) => `${pct(x.hit1, x.n)} | ${pct(x.hit5, x.n)}`).join(" | ")} |`,
    );
  }
}

// Hints and queries were both written by language-model sessions, which may word a request
// alike. The held-out queries none of whose tool's hints shares half its words (Jaccard of
// content words below 0.5) show what hints do for a wording they did not anticipate.
{
  const examples = new Map<string, string[]>();
  for (const line of readFileSync(join(HERE, "../corpus/requests.jsonl"), "utf8").split("\n")) {
    if (!line.trim()) continue;
    const { server, tool, requests } = JSON.parse(line);
    examples.set(`${server}:${tool}`, requests);
  }
  const words = (text: string) => new Set(queryKey(text).split(" ").filter(Boolean));
  const closest = (q: Query) =>
    Math.max(
      0,
      ...q.expected.flatMap((id) =>
        (examples.get(id) ?? []).map((hint) => jaccard(words(q.query), words(hint))),
      ),
    );
  const unlike = test.filter((q) => closest(q) < 0.5);
  console.log(
    `\nheld-out queries no hint of their tool resembles (word overlap < 0.5): ${unlike.length} of ${test.length}\n`,
  );
  console.log("| engine | hit@1 | hit@5 |");
  console.log("|---|---|---|");
  for (const make of [oursWithoutHints, ours]) {
    const score = evaluate(make(corpus), unlike, false);
    console.log(
      `| ${make(corpus).name} | ${pct(score.hit1, score.n)} | ${pct(score.hit5, score.n)} |`,
    );
  }
}

// Learning from choices (search.feedback): a caller who, after each search, calls the labelled
// tool. Asked in order, each query sees what the ones before taught; then every query again.
// One choice lifts nothing (it takes `MIN_EVIDENCE` of them), so each query is chosen twice.
{
  const index = new ToolIndex(hintsFor(true, {}));
  for (const [server, list] of Object.entries(corpus)) index.upsert(server, list);
  const feedback = new SearchFeedback(undefined, {
    related: (server, tool, words) => index.sharesWord(server, tool, words),
  });
  const pool = { caller: "user", client: "bench" };
  const first = (q: Query, learned?: (server: string, tool: string) => number) => {
    const hit = index.search(q.query, { limit: 1, learned })[0];
    return hit !== undefined && q.expected.includes(`${hit.server}:${hit.tool.name}`);
  };
  let lexical = 0;
  let learning = 0;
  let again = 0;
  for (const q of queries) {
    if (first(q)) lexical++;
    if (first(q, feedback.pull(pool, q.query))) learning++;
    const [server, tool] = q.expected[0]!.split(":") as [string, string];
    for (let i = 0; i < 2; i++) {
      feedback.searched(pool, q.query);
      feedback.called(pool, server, tool, true);
    }
  }
  for (const q of queries) if (first(q, feedback.pull(pool, q.query))) again++;
  console.log("\n| search.feedback | hit@1 |");
  console.log("|---|---|");
  console.log(`| off | ${pct(lexical, queries.length)} |`);
  console.log(
    `| on, each query asked once, in order (learning as it goes) | ${pct(learning, queries.length)} |`,
  );
  console.log(
    `| on, every query asked again after that (each chosen twice) | ${pct(again, queries.length)} |`,
  );
}

// Ablation: each part of ours switched off in turn, on the whole query set.
const ablations: [string, () => void][] = [
  ["without the domain synonym table", () => Object.assign(WEIGHTS, { synonym: 0 })],
  ["without the WordNet lexicon", () => Object.assign(WEIGHTS, { derived: 0, lexicon: 0 })],
  [
    "without typo, prefix and compound repair",
    () => Object.assign(WEIGHTS, { typo1: 0, typo2: 0, prefix: 0, split: 0 }),
  ],
  [
    "without name, verb, read and server signals",
    () => Object.assign(LIFTS, { name: 0, read: 0, verbMismatch: 0, server: 0 }),
  ],
];
const savedWeights = { ...WEIGHTS };
const savedLifts = { ...LIFTS };
console.log("\n| ours, ablated | hit@1 | hit@5 |");
console.log("|---|---|---|");
for (const [name, apply] of ablations) {
  apply();
  const s = evaluate(ours(corpus), queries, false);
  console.log(`| ${name} | ${pct(s.hit1, s.n)} | ${pct(s.hit5, s.n)} |`);
  Object.assign(WEIGHTS, savedWeights);
  Object.assign(LIFTS, savedLifts);
}

if (process.argv.includes("--no-latency")) process.exit(0);
const big: Corpus = Object.fromEntries(scaledPairs(10_000, corpus));
const bigCount = Object.values(big).reduce((sum, tools) => sum + tools.length, 0);
const buildStart = performance.now();
const bigIndex = new ToolIndex(hintsFor(true, {}));
for (const [server, list] of Object.entries(big)) bigIndex.upsert(server, list);
bigIndex.search("warm up");
console.log(
  `\nindexing ${bigCount} tools (upserts + first search): ${(performance.now() - buildStart).toFixed(0)} ms`,
);
// A backend re-lists its tools (list_changed): the postings change in place.
const relist: number[] = [];
for (let round = 0; round < 21; round++) {
  const start = performance.now();
  bigIndex.upsert("github", corpus.github!);
  bigIndex.search("create an issue");
  relist.push(performance.now() - start);
}
relist.sort((a, b) => a - b);
console.log(
  `re-listing one server (26 tools) and searching again: ${relist[10]!.toFixed(2)} ms median`,
);
// The same with a key whose scopes hide some tools: its view follows the change.
const relistScoped: number[] = [];
for (let round = 0; round < 21; round++) {
  const start = performance.now();
  bigIndex.upsert("github", corpus.github!);
  bigIndex.search("create an issue", { allow: scoped, scope: "key" });
  relistScoped.push(performance.now() - start);
}
relistScoped.sort((a, b) => a - b);
console.log(
  `the same, searched by a key that sees part of the tools: ${relistScoped[10]!.toFixed(2)} ms median`,
);
const viewStart = performance.now();
bigIndex.search("create an issue", { allow: scoped, scope: "another key" });
console.log(
  `a scope's first search (its view built): ${(performance.now() - viewStart).toFixed(0)} ms`,
);
console.log(
  `\nlatency per search, ${bigCount} tools indexed, ${queries.length} queries x 5 rounds:\n`,
);
console.log("| engine | p50 | p99 |");
console.log("|---|---|---|");
const measured = process.argv.includes("--ours") ? [oursWithoutHints, ours] : engines;
for (const make of [...measured, oursScoped]) {
  const { p50, p99 } = latency(make, big, 5);
  console.log(`| ${make(corpus).name} | ${p50.toFixed(3)} ms | ${p99.toFixed(3)} ms |`);
}
