/**
 * Servers nobody saw, written blind (issue #21): 12 published servers the project had never seen
 * (bench/corpus/heldout3-tools.json, 629 tools) indexed beside the whole corpus
 * (bench/corpus/tools.json), and 178 requests for them written blind, without the search code,
 * its hints or the other query sets in view, and committed before this was first run
 * (bench/search/heldout3-queries.json). The new servers get no hints of their own, as a server
 * nobody wrote hints for; the corpus keeps its built-in hints, as the gateway has them.
 *
 *   bun bench/search/heldout3.ts                 # both halves' totals, the whole set, per server
 *   bun bench/search/heldout3.ts --dev [--misses]  # tuning: the dev half only (and its misses)
 *
 * The 12 servers are split in two halves, fixed before any request or miss was read: sorted by
 * name, every other one from the first is dev, the rest held out. A request belongs to the half of
 * the server of its first expected tool among the 12. Only the dev half's misses are ever printed;
 * the held-out half measures what was tuned on the dev half, and is never tuned on.
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
  expected: string[];
}

type Hints = (server: string, tool: Tool) => string | undefined;

const HERE = import.meta.dir;
const read = <T>(path: string): T => JSON.parse(readFileSync(join(HERE, path), "utf8"));
const corpus = read<Corpus>("../corpus/tools.json");
const fresh = read<Corpus>("../corpus/heldout3-tools.json");
const queries = read<Query[]>("heldout3-queries.json");

const clash = Object.keys(fresh).filter((server) => server in corpus);
if (clash.length > 0) throw new Error(`heldout3-tools.json repeats corpus servers: ${clash}`);
const NEW = new Set(Object.keys(fresh));
const serverOf = (id: string) => id.slice(0, id.indexOf(":"));
/** Sorted by name, every other server from the first is dev; the others are held out. */
const DEV = new Set([...NEW].sort().filter((_, i) => i % 2 === 0));
/** The new server a request is for: that of its first expected tool among the 12. */
const homeOf = (q: Query) => serverOf(q.expected.find((id) => NEW.has(serverOf(id)))!);
const devOnly = process.argv.includes("--dev");
const showMisses = devOnly && process.argv.includes("--misses");
const inView = queries.filter((q) => !devOnly || DEV.has(homeOf(q)));

const builtin = hintsFor(true, {})!;
/** The corpus servers' built-in hints; the new servers' tools have none. */
const corpusOnly: Hints = (server, tool) => (NEW.has(server) ? undefined : builtin(server, tool));

/** How many of the new servers' tools the built-in table would give hints to, by itself. */
const matched = Object.entries(fresh).reduce(
  (sum, [server, tools]) =>
    sum + tools.filter((tool) => builtin(server, tool) !== undefined).length,
  0,
);

interface Score {
  hit1: number;
  hit5: number;
  rr: number;
  n: number;
}
const empty = (): Score => ({ hit1: 0, hit5: 0, rr: 0, n: 0 });
const row = (s: Score) =>
  `${((100 * s.hit1) / s.n).toFixed(1)}% | ${((100 * s.hit5) / s.n).toFixed(1)}% | ${(s.rr / s.n).toFixed(3)}`;

interface Result {
  all: Score;
  dev: Score;
  held: Score;
  byServer: Map<string, Score>;
  misses: string[];
}

/** Scores the queries in view, in all, per half and per server; lists the dev half's misses. */
function evaluate(hints?: Hints): Result {
  const index = new ToolIndex(hints);
  for (const [server, tools] of Object.entries(corpus)) index.upsert(server, tools);
  for (const [server, tools] of Object.entries(fresh)) index.upsert(server, tools);
  const [all, dev, held] = [empty(), empty(), empty()];
  const byServer = new Map<string, Score>();
  const misses: string[] = [];
  for (const q of inView) {
    const ids = index.search(q.query, { limit: 5 }).map((hit) => `${hit.server}:${hit.tool.name}`);
    const rank = ids.findIndex((id) => q.expected.includes(id));
    const server = homeOf(q);
    const own = byServer.get(server) ?? empty();
    byServer.set(server, own);
    if (rank !== 0 && DEV.has(server))
      misses.push(
        `#${q.id} ${JSON.stringify(q.query)}\n  expected ${q.expected.join(", ")} (rank ${rank < 0 ? ">5" : rank + 1})\n  got ${ids.slice(0, 3).join(", ")}`,
      );
    for (const s of [all, DEV.has(server) ? dev : held, own]) {
      s.n++;
      if (rank === 0) s.hit1++;
      if (rank >= 0) {
        s.hit5++;
        s.rr += 1 / (rank + 1);
      }
    }
  }
  return { all, dev, held, byServer, misses };
}

const corpusTools = Object.values(corpus).reduce((sum, tools) => sum + tools.length, 0);
const freshTools = Object.values(fresh).reduce((sum, tools) => sum + tools.length, 0);
console.log(
  `index: ${Object.keys(corpus).length} corpus servers (${corpusTools} tools) + ${NEW.size} new servers (${freshTools} tools); ${queries.length} queries`,
);
const devCount = queries.filter((q) => DEV.has(homeOf(q))).length;
console.log(
  `dev half: ${[...DEV].join(", ")} (${devCount} queries); held-out half: ${[...NEW].filter((s) => !DEV.has(s)).join(", ")} (${queries.length - devCount} queries)`,
);
console.log(
  `new servers' tools the built-in hint table matches by itself: ${matched} of ${freshTools}\n`,
);

const setups: { name: string; hints?: Hints }[] = [
  { name: "**built-in hints on the corpus, none on the new servers**", hints: corpusOnly },
  { name: "no hints on any server" },
];
if (matched > 0)
  setups.push({ name: "built-in hints as the table gives them (new servers too)", hints: builtin });

const results = setups.map((setup) => ({ ...setup, ...evaluate(setup.hints) }));
if (devOnly) {
  console.log("| setup (dev half) | hit@1 | hit@5 | MRR |\n|---|---|---|---|");
  for (const r of results) console.log(`| ${r.name} | ${row(r.dev)} |`);
} else {
  console.log(
    "| setup | dev half hit@1 | hit@5 | MRR | held-out half hit@1 | hit@5 | MRR | all hit@1 | hit@5 | MRR |\n|---|---|---|---|---|---|---|---|---|---|",
  );
  for (const r of results)
    console.log(`| ${r.name} | ${row(r.dev)} | ${row(r.held)} | ${row(r.all)} |`);
}

console.log(
  `\n| server (queries) | ${results.map((_, i) => `setup ${i + 1} hit@1 | hit@5`).join(" | ")} |`,
);
console.log(`|---|${results.map(() => "---|---|").join("")}`);
for (const server of [...NEW].sort().filter((s) => !devOnly || DEV.has(s))) {
  const cells = results.map((r) => {
    const s = r.byServer.get(server) ?? empty();
    return `${((100 * s.hit1) / s.n).toFixed(0)}% | ${((100 * s.hit5) / s.n).toFixed(0)}%`;
  });
  const half = DEV.has(server) ? "dev" : "held out";
  console.log(
    `| ${server} (${half}, ${results[0]!.byServer.get(server)?.n ?? 0}) | ${cells.join(" | ")} |`,
  );
}

if (showMisses) {
  console.log(`\ndev half's misses (hit@1), ${results[0]!.name}:`);
  for (const miss of results[0]!.misses) console.log(miss);
}
