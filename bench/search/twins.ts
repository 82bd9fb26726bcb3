/**
 * Several valid tools: the queries of bench/search/queries.json that two or more servers answer
 * (three browser servers that all take screenshots, two Git hosts), and whether a search shows
 * them together and puts first the one this caller used before.
 *
 *   bun bench/search/twins.ts
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RANKING } from "../../src/search/bm25f.ts";
import { hintsFor } from "../../src/search/hints.ts";
import { ToolIndex } from "../../src/search/index.ts";
import type { Corpus } from "./baselines.ts";

const HERE = import.meta.dir;
const corpus: Corpus = JSON.parse(readFileSync(join(HERE, "../corpus/tools.json"), "utf8"));
const queries: { query: string; expected: string[] }[] = JSON.parse(
  readFileSync(join(HERE, "queries.json"), "utf8"),
);
const serverOf = (id: string) => id.slice(0, id.indexOf(":"));
const several = queries.filter((q) => new Set(q.expected.map(serverOf)).size > 1);

console.log(`queries two or more servers answer: ${several.length}\n`);
console.log(
  "| among alternatives | hit@1 | hit@5 | every valid tool in the top 5 | the one used before ranks first |",
);
console.log("|---|---|---|---|---|");
for (const swap of [false, true]) {
  RANKING.usedAlternativeFirst = swap;
  const index = new ToolIndex(hintsFor(true, {}));
  for (const [server, tools] of Object.entries(corpus)) index.upsert(server, tools);
  let hit1 = 0;
  let hit5 = 0;
  let all = 0;
  let used = 0;
  let n = 0;
  for (const q of several) {
    const ids = index.search(q.query, { limit: 5 }).map((h) => `${h.server}:${h.tool.name}`);
    if (q.expected.includes(ids[0]!)) hit1++;
    if (ids.some((id) => q.expected.includes(id))) hit5++;
    if (q.expected.every((id) => ids.includes(id))) all++;
    // A caller who used each valid tool but the first-ranked one, in turn: is it first now?
    for (const choice of q.expected) {
      if (choice === ids[0]) continue;
      n++;
      const usage = (server: string, tool: string) => (`${server}:${tool}` === choice ? 5 : 0);
      const first = index.search(q.query, { limit: 5, usage })[0];
      if (first && `${first.server}:${first.tool.name}` === choice) used++;
    }
  }
  const pct = (x: number, of = several.length) => `${((100 * x) / of).toFixed(1)}%`;
  console.log(
    `| ${swap ? "the one used more first (default)" : "usage lift only"} | ${pct(hit1)} | ${pct(hit5)} | ${pct(all)} | ${pct(used, n)} (${used} of ${n}) |`,
  );
}
RANKING.usedAlternativeFirst = true;
