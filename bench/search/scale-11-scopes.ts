/**
 * Search at 10,000 tools for a gateway with many API keys, each with its own scope: the first
 * search of a scope (its view built), search latency unscoped, for one kept scope and for 300
 * scopes in turn, what the kept views hold, and a re-listed server seen by every scope.
 *
 *   bun bench/search/scale-11-scopes.ts [tools=10000] [scopes=300]
 */
import { heapStats } from "bun:jsc";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { hintsFor } from "../../src/search/hints.ts";
import { ToolIndex } from "../../src/search/index.ts";
import { scaled } from "./_scaled.ts";

const HERE = import.meta.dir;
const TOOLS = Number(process.argv[2] ?? 10_000);
const SCOPES = Number(process.argv[3] ?? 300);
const queries: string[] = JSON.parse(readFileSync(join(HERE, "queries.json"), "utf8")).map(
  (q: { query: string }) => q.query,
);

type Allow = (server: string, tool: string) => boolean;
/** Key i: a seventh of the tools hidden by name, and one server family in 40 hidden. */
const keyScope =
  (i: number): Allow =>
  (server, tool) =>
    (server.length + tool.length) % 7 !== i % 7 && server.length % 40 !== i % 40;
/** The scope bench/search/run.ts measures: a third of the servers hidden, every delete_*. */
const partScope: Allow = (server, tool) =>
  !/-[36]$|^git/.test(server) && !tool.startsWith("delete");

const percentile = (times: number[], p: number) => {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
};
const ms = (value: number) => `${value.toFixed(3)} ms`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const heap = () => {
  Bun.gc(true);
  return heapStats().heapSize;
};

const lists = scaled(TOOLS);
const index = new ToolIndex(hintsFor(true, {}));
let start = performance.now();
for (const [server, tools] of lists) index.upsert(server, tools);
index.search("warm up");
console.log(
  `${TOOLS} tools indexed (upserts + first search): ${(performance.now() - start).toFixed(0)} ms`,
);
for (const query of queries) index.search(query); // warm the JIT

// A scope's first search: its view is built and the terms the query reads are weighed for it.
const first: number[] = [];
for (let i = 0; i < 30; i++) {
  start = performance.now();
  index.search(queries[i]!, { allow: keyScope(i), scope: `first ${i}` });
  first.push(performance.now() - start);
}
console.log(
  `a scope's first search: median ${ms(percentile(first, 0.5))}, max ${ms(Math.max(...first))} (30 scopes)`,
);

function latency(name: string, options: (n: number) => object) {
  const times: number[] = [];
  let n = 0;
  for (let round = 0; round < 5; round++) {
    for (const query of queries) {
      const opts = options(n++);
      start = performance.now();
      index.search(query, opts);
      times.push(performance.now() - start);
    }
  }
  console.log(`| ${name} | ${ms(percentile(times, 0.5))} | ${ms(percentile(times, 0.99))} |`);
}

const before = heap();
const keys = Array.from({ length: SCOPES }, (_, i) => ({ allow: keyScope(i), scope: `key ${i}` }));
start = performance.now();
for (const key of keys) index.search("send a message to the team", key);
console.log(
  `${SCOPES} scopes' first searches: ${(performance.now() - start).toFixed(0)} ms in all`,
);
console.log(`\nlatency per search, ${TOOLS} tools, ${queries.length} queries x 5 rounds:\n`);
console.log("| caller | p50 | p99 |");
console.log("|---|---|---|");
latency("unscoped", () => ({}));
latency("one key (a third of the servers and every delete_* hidden)", () => ({
  allow: partScope,
  scope: "part",
}));
// 30 keys' caches fit the budget together; 300 keys' do not, and each search weighs its terms.
latency("30 keys in turn", (n) => keys[n % 30]!);
latency(`${SCOPES} keys in turn`, (n) => keys[n % SCOPES]!);
const memory = index.viewMemory();
const grown = heap() - before;
console.log(
  `\nkept views: ${memory.views}, their caches ${mib(memory.bytes)} by their count; heap after a full collection +${mib(grown)} over the index alone`,
);

// A backend re-lists its tools: every scope's view follows at its next search.
const relist: number[] = [];
const github = lists.find(([server]) => server === "github")!;
for (let round = 0; round < 11; round++) {
  index.upsert("github", [...github[1]]);
  start = performance.now();
  index.search("create an issue", { allow: partScope, scope: "part" });
  relist.push(performance.now() - start);
}
console.log(`re-listed server, then a scoped search: median ${ms(percentile(relist, 0.5))}`);

const data = ["hints.json", "lexicon.json"].map(
  (file) => statSync(join(HERE, "../../src/search", file)).size,
);
console.log(
  `search data in the binary: hints.json ${data[0]} + lexicon.json ${data[1]} = ${data[0]! + data[1]!} bytes (budget 2,097,152)`,
);
