/**
 * Search on servers held out from everything tuned: ten of the 38 corpus servers (every fourth,
 * by name) are indexed as usual, but their tools get none of the built-in hints, and nothing
 * chosen after this split (hints, weights, generated hints) was chosen on their queries. What a
 * private or new server gets, beside servers the gateway knows.
 *
 *   bun bench/search/heldout.ts            # dev and held-out servers, hints off and on
 *   bun bench/search/heldout.ts --misses   # also the dev servers' misses (never the held-out's)
 *   bun bench/search/heldout.ts --dev [--misses]  # tuning: dev servers and dev folds only
 *   bun bench/search/heldout.ts --feedback # also: after search.feedback learned the model's searches
 *
 * Caveat: the synonym table, lexicon and ranking rules were written before this split, with
 * every server's dev queries in view; only what is tuned from here on is kept off these servers.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Tool } from "../../src/mcp/sdk.ts";
import { buildHints } from "../../src/search/build-hints.ts";
import { SearchFeedback } from "../../src/search/feedback.ts";
import { firstSentence } from "../../src/search/fields.ts";
import { type HintTable, hintsFor, summaryTerms } from "../../src/search/hints.ts";
import { ToolIndex } from "../../src/search/index.ts";
import { splitWords, tokenize } from "../../src/search/tokenize.ts";
import type { Corpus } from "./baselines.ts";

interface Query {
  id: number;
  query: string;
  model?: { query: string; server?: string };
  expected: string[];
}

const HERE = import.meta.dir;
const corpus: Corpus = JSON.parse(readFileSync(join(HERE, "../corpus/tools.json"), "utf8"));
const queries: Query[] = JSON.parse(readFileSync(join(HERE, "queries.json"), "utf8"));

/** Every fourth server by name, from the second: 10 of 38, 145 of the 422 queries. */
export const HELD_OUT = new Set(
  Object.keys(corpus)
    .sort()
    .filter((_, i) => i % 4 === 1),
);
const serverOf = (id: string) => id.slice(0, id.indexOf(":"));
const held = queries.filter((q) => q.expected.every((id) => HELD_OUT.has(serverOf(id))));
const dev = queries.filter((q) => q.expected.every((id) => !HELD_OUT.has(serverOf(id))));

type Hints = (server: string, tool: Tool) => string | undefined;

// Two ways to give a tool without hints some, tried here (neither is in the gateway: see
// docs/BENCHMARKS.md, "Servers held out").

/**
 * Example requests made from a tool's own definition, for a tool nobody wrote hints for: its
 * name as words, the first sentence of its description, and its parameter names.
 */
function generatedHints(tool: Tool): string {
  const name = splitWords(tool.name).join(" ");
  const summary = firstSentence(tool.description ?? "");
  const params = Object.keys((tool.inputSchema?.properties as object | undefined) ?? {}).map((p) =>
    splitWords(p).join(" "),
  );
  return [name, summary, ...params].join("\n");
}

/** Tunables of borrowed hints, chosen on the dev servers' folds (--folds --sweep). */
const BORROW = { neighbours: 2, min: 0.4, requests: 4 };

/**
 * The example requests of the table's tools most like a given tool (by the words of its name
 * and first sentence), for a tool that has none of its own: `create_card` on a board server
 * nobody wrote hints for borrows how people ask to create cards on another.
 */
class HintNeighbours {
  private readonly entries: { terms: Set<string>; requests: string[] }[] = [];
  private readonly byTerm = new Map<string, number[]>();

  constructor(table: HintTable) {
    for (const [name, list] of Object.entries(table)) {
      for (const entry of list) {
        const terms = new Set([...tokenize(name), ...(entry.about ? entry.about.split(" ") : [])]);
        const id = this.entries.push({ terms, requests: entry.requests }) - 1;
        for (const term of terms) {
          const ids = this.byTerm.get(term) ?? [];
          ids.push(id);
          this.byTerm.set(term, ids);
        }
      }
    }
  }

  borrow(tool: Tool, options = BORROW): string | undefined {
    const terms = new Set([
      ...tokenize(tool.name),
      ...summaryTerms(firstSentence(tool.description ?? "")),
    ]);
    const shared = new Map<number, number>();
    for (const term of terms) {
      for (const id of this.byTerm.get(term) ?? []) shared.set(id, (shared.get(id) ?? 0) + 1);
    }
    const ranked = [...shared]
      .map(([id, both]) => ({
        id,
        score: both / (terms.size + this.entries[id]!.terms.size - both),
      }))
      .filter(({ score }) => score >= options.min)
      .sort((a, b) => b.score - a.score || a.id - b.id)
      .slice(0, options.neighbours);
    if (ranked.length === 0) return undefined;
    return ranked
      .flatMap(({ id }) => this.entries[id]!.requests.slice(0, options.requests))
      .join("\n");
  }
}

const builtin = hintsFor(true, {})!;
/** The built-in hints for the dev servers only: a held-out server's tools have none. */
const devHints: Hints = (server, tool) =>
  HELD_OUT.has(server) ? undefined : builtin(server, tool);

interface Setup {
  name: string;
  hints?: Hints;
}
/** Dev servers' hints, and hints made from its own definition for every tool without any. */
const devAndGenerated: Hints = (server, tool) => devHints(server, tool) ?? generatedHints(tool);
/** Hints borrowed from the tools of the table built from these servers' requests only. */
function borrowing(keep: (server: string) => boolean, own: Hints): Hints {
  const table: HintTable = JSON.parse(buildHints(undefined, keep).text);
  const neighbours = new HintNeighbours(table);
  return (server, tool) => own(server, tool) ?? neighbours.borrow(tool);
}
const setups: Setup[] = [
  { name: "no hints on any server" },
  { name: "hints on dev servers only (held-out servers: none)", hints: devHints },
  { name: "hints on every server (held-out servers too)", hints: builtin },
  { name: "dev servers' hints, generated hints for the rest", hints: devAndGenerated },
  {
    name: "dev servers' hints, borrowed from the most alike dev tools for the rest",
    hints: borrowing((server) => !HELD_OUT.has(server), devHints),
  },
];

function evaluate(index: ToolIndex, subset: Query[], model: boolean, misses: boolean) {
  let hit1 = 0;
  let hit5 = 0;
  let mrr = 0;
  let n = 0;
  for (const q of subset) {
    if (model && !q.model) continue;
    n++;
    const text = model ? q.model!.query : q.query;
    const server = model ? q.model!.server : undefined;
    const ids = index
      .search(text, { limit: 5, server })
      .map((hit) => `${hit.server}:${hit.tool.name}`);
    const rank = ids.findIndex((id) => q.expected.includes(id));
    if (rank === 0) hit1++;
    if (rank >= 0) {
      hit5++;
      mrr += 1 / (rank + 1);
    }
    if (misses && rank !== 0)
      console.log(`  #${q.id} "${text}" want ${q.expected[0]} got ${ids.slice(0, 3).join(", ")}`);
  }
  const pct = (x: number) => `${((100 * x) / n).toFixed(1)}%`;
  return `${pct(hit1)} | ${pct(hit5)} | ${(mrr / n).toFixed(3)}`;
}

/**
 * The dev servers in four server-disjoint folds: each fold's servers lose their hints (as a
 * held-out server would) while the other dev servers keep theirs. The measure tuned on, so that
 * the held-out servers are measured, never tuned on. `misses` lists the folds' misses.
 */
function devFolds(misses: boolean): string {
  const devServers = Object.keys(corpus)
    .sort()
    .filter((server) => !HELD_OUT.has(server));
  let hit1 = 0;
  let hit5 = 0;
  let mrr = 0;
  let n = 0;
  for (let fold = 0; fold < 4; fold++) {
    const out = new Set(devServers.filter((_, i) => i % 4 === fold));
    const keep = (server: string) => !HELD_OUT.has(server) && !out.has(server);
    const own: Hints = (server, tool) => (keep(server) ? builtin(server, tool) : undefined);
    const index = new ToolIndex(own);
    for (const [server, tools] of Object.entries(corpus)) index.upsert(server, tools);
    for (const q of dev) {
      if (!q.expected.every((id) => out.has(serverOf(id)))) continue;
      n++;
      const ids = index.search(q.query, { limit: 5 }).map((h) => `${h.server}:${h.tool.name}`);
      const rank = ids.findIndex((id) => q.expected.includes(id));
      if (rank === 0) hit1++;
      if (rank >= 0) {
        hit5++;
        mrr += 1 / (rank + 1);
      }
      if (misses && rank !== 0)
        console.log(
          `  #${q.id} "${q.query}" want ${q.expected[0]} got ${ids.slice(0, 3).join(", ")}`,
        );
    }
  }
  const pct = (x: number) => `${((100 * x) / n).toFixed(1)}%`;
  return `${pct(hit1)} | ${pct(hit5)} | ${(mrr / n).toFixed(3)} (${n} queries)`;
}

/**
 * Learning from the searches models send (search.feedback): each request's model search, then a
 * call of its labelled tool, twice (a lift takes two choices); then the user's own wording, which
 * shares only some words with the model's search, is asked. Hints on the dev servers only.
 */
function afterFeedback(subset: Query[]): string {
  const index = new ToolIndex(devHints);
  for (const [server, tools] of Object.entries(corpus)) index.upsert(server, tools);
  const feedback = new SearchFeedback(undefined, {
    related: (server, tool, words) => index.sharesWord(server, tool, words),
  });
  const pool = { caller: "user", client: "bench" };
  const asked = subset.filter((q) => q.model);
  for (const q of asked) {
    const [server, tool] = q.expected[0]!.split(":") as [string, string];
    for (let i = 0; i < 2; i++) {
      feedback.searched(pool, q.model!.query);
      feedback.called(pool, server, tool, true);
    }
  }
  const pct = (x: number) => `${((100 * x) / asked.length).toFixed(1)}%`;
  const row = (learn: boolean) => {
    let hit1 = 0;
    let hit5 = 0;
    for (const q of asked) {
      const learned = learn ? feedback.pull(pool, q.query) : undefined;
      const ids = index
        .search(q.query, { limit: 5, learned })
        .map((hit) => `${hit.server}:${hit.tool.name}`);
      const rank = ids.findIndex((id) => q.expected.includes(id));
      if (rank === 0) hit1++;
      if (rank >= 0) hit5++;
    }
    return `${pct(hit1)} | ${pct(hit5)}`;
  };
  return `${row(false)} | ${row(true)} | ${asked.length}`;
}

if (process.argv.includes("--dev")) {
  // Tuning: the dev servers only, never a held-out server's query.
  const index = new ToolIndex(devHints);
  for (const [server, tools] of Object.entries(corpus)) index.upsert(server, tools);
  const showMisses = process.argv.includes("--misses");
  console.log("| dev, hints on | hit@1 | hit@5 | MRR |\n|---|---|---|---|");
  console.log(`| dev servers | ${evaluate(index, dev, false, false)} |`);
  console.log(`| dev folds, each without its hints | ${devFolds(showMisses)} |`);
  if (process.argv.includes("--feedback"))
    console.log(
      `\n| | hit@1 | hit@5 | after feedback from the model's searches hit@1 | hit@5 | queries |\n|---|---|---|---|---|---|\n| dev servers | ${afterFeedback(dev)} |`,
    );
  process.exit(0);
}

console.log(
  `held-out servers (${HELD_OUT.size}): ${[...HELD_OUT].join(", ")}\nqueries: dev servers ${dev.length}, held-out servers ${held.length} (${queries.length - dev.length - held.length} name tools of both)\n`,
);
console.log(
  "| setup | held-out hit@1 | hit@5 | MRR | held-out, model's search hit@1 | hit@5 | MRR | dev hit@1 | hit@5 | MRR |",
);
console.log("|---|---|---|---|---|---|---|---|---|---|");
for (const setup of setups) {
  const index = new ToolIndex(setup.hints);
  for (const [server, tools] of Object.entries(corpus)) index.upsert(server, tools);
  const misses = process.argv.includes("--misses") && setup.hints === devHints;
  console.log(
    `| ${setup.name} | ${evaluate(index, held, false, false)} | ${evaluate(index, held, true, false)} | ${evaluate(index, dev, false, misses)} |`,
  );
}
if (process.argv.includes("--feedback")) {
  console.log(
    "\n| hints on dev servers only | hit@1 | hit@5 | after feedback from the model's searches hit@1 | hit@5 | queries |",
  );
  console.log("|---|---|---|---|---|---|");
  console.log(`| held-out servers | ${afterFeedback(held)} |`);
  console.log(`| dev servers | ${afterFeedback(dev)} |`);
}

// Choosing the borrowing's settings without the held-out servers: the dev servers in four
// server-disjoint folds; each fold's servers lose their hints and borrow from the other folds'.
if (process.argv.includes("--folds")) {
  const devServers = Object.keys(corpus)
    .sort()
    .filter((server) => !HELD_OUT.has(server));
  const settings = process.argv.includes("--sweep")
    ? [1, 2, 3].flatMap((neighbours) =>
        [0.3, 0.4, 0.5].flatMap((min) => [4, 8].map((requests) => ({ neighbours, min, requests }))),
      )
    : [{ ...BORROW }];
  console.log("\ndev servers in 4 folds, each without its hints:\n");
  console.log("| borrowing | hit@1 | hit@5 | MRR | without borrowing hit@1 | hit@5 | MRR |");
  console.log("|---|---|---|---|---|---|---|");
  for (const setting of settings) {
    Object.assign(BORROW, setting);
    const rows: string[][] = [];
    for (const borrow of [true, false]) {
      let hit1 = 0;
      let hit5 = 0;
      let mrr = 0;
      let n = 0;
      for (let fold = 0; fold < 4; fold++) {
        const out = new Set(devServers.filter((_, i) => i % 4 === fold));
        const keep = (server: string) => !HELD_OUT.has(server) && !out.has(server);
        const own: Hints = (server, tool) => (keep(server) ? builtin(server, tool) : undefined);
        const index = new ToolIndex(borrow ? borrowing(keep, own) : own);
        for (const [server, tools] of Object.entries(corpus)) index.upsert(server, tools);
        for (const q of dev) {
          if (!q.expected.every((id) => out.has(serverOf(id)))) continue;
          n++;
          const ids = index.search(q.query, { limit: 5 }).map((h) => `${h.server}:${h.tool.name}`);
          const rank = ids.findIndex((id) => q.expected.includes(id));
          if (rank === 0) hit1++;
          if (rank >= 0) {
            hit5++;
            mrr += 1 / (rank + 1);
          }
        }
      }
      const pct = (x: number) => `${((100 * x) / n).toFixed(1)}%`;
      rows.push([pct(hit1), pct(hit5), (mrr / n).toFixed(3)]);
    }
    console.log(
      `| ${JSON.stringify(setting)} | ${rows[0]!.join(" | ")} | ${rows[1]!.join(" | ")} |`,
    );
  }
}
