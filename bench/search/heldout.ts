/**
 * Search on servers held out from everything tuned: ten of the 38 corpus servers (every fourth,
 * by name) are indexed as usual, but their tools get none of the built-in hints, and nothing
 * chosen after this split (hints, weights, generated hints) was chosen on their queries. What a
 * private or new server gets, beside servers the gateway knows.
 *
 *   bun bench/search/heldout.ts            # dev and held-out servers, hints off and on
 *   bun bench/search/heldout.ts --misses   # also the dev servers' misses (never the held-out's)
 *
 * Caveat: the synonym table, lexicon and ranking rules were written before this split, with
 * every server's dev queries in view; only what is tuned from here on is kept off these servers.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Tool } from "../../src/mcp/sdk.ts";
import { hintsFor } from "../../src/search/hints.ts";
import { ToolIndex } from "../../src/search/index.ts";
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
const builtin = hintsFor(true, {})!;
/** The built-in hints for the dev servers only: a held-out server's tools have none. */
const devHints: Hints = (server, tool) =>
  HELD_OUT.has(server) ? undefined : builtin(server, tool);

interface Setup {
  name: string;
  hints?: Hints;
}
const setups: Setup[] = [
  { name: "no hints on any server" },
  { name: "hints on dev servers only (held-out servers: none)", hints: devHints },
  { name: "hints on every server (held-out servers too)", hints: builtin },
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
