/**
 * Round 4 of servers nobody saw, written blind (issue #21): 14 published servers the project had
 * never seen (bench/corpus/heldout4-tools.json, 572 tools) indexed beside the whole corpus
 * (bench/corpus/tools.json) and round 3's servers (bench/corpus/heldout3-tools.json), and 216
 * requests for them written blind, by a writer who had not read the search code, its hints, the
 * benchmark's search sections or any other query set, and committed before this was first run
 * (bench/search/heldout4-queries.json, commit 13422b1). Neither round's servers get hints of their
 * own, as servers nobody wrote hints for; the corpus keeps its built-in hints, as the gateway has
 * them.
 *
 *   bun bench/search/heldout4.ts                   # both halves' totals, the whole set, per server
 *   bun bench/search/heldout4.ts --dev [--misses]  # tuning: the dev half only (and its misses)
 *
 * The split was fixed with the requests, before any search was run: the 14 servers sorted by name
 * (JavaScript's default string order), every other one from the first is dev (argocd, mapbox,
 * paddle, reddit, salesforce, sonarqube, weather), the rest held out (bitbucket, ms-365,
 * quickbooks, rollbar, shopify, vercel, youtube). A request belongs to the half of the server of
 * its first expected tool among the 14. Only the dev half's requests and misses are ever printed;
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
const round3 = read<Corpus>("../corpus/heldout3-tools.json");
const fresh = read<Corpus>("../corpus/heldout4-tools.json");
const queries = read<Query[]>("heldout4-queries.json");

const seen = { ...corpus, ...round3, ...read<Corpus>("../corpus/registry-tools.json") };
const clash = Object.keys(fresh).filter((server) => server in seen);
if (clash.length > 0) throw new Error(`heldout4-tools.json repeats servers seen before: ${clash}`);
const NEW = new Set(Object.keys(fresh));
/** Servers nobody wrote hints for: this round's and round 3's. */
const UNHINTED = new Set([...NEW, ...Object.keys(round3)]);
const serverOf = (id: string) => id.slice(0, id.indexOf(":"));
/** Sorted by name, every other server from the first is dev; the others are held out. */
const DEV = new Set([...NEW].sort().filter((_, i) => i % 2 === 0));
/** The new server a request is for: that of its first expected tool among the 14. */
function homeOf(q: Query): string {
  const id = q.expected.find((expected) => NEW.has(serverOf(expected)));
  if (!id) throw new Error(`heldout4-queries.json #${q.id} expects no tool of the 14 servers`);
  return serverOf(id);
}
const devOnly = process.argv.includes("--dev");
const showMisses = devOnly && process.argv.includes("--misses");
const inView = queries.filter((q) => !devOnly || DEV.has(homeOf(q)));

const builtin = hintsFor(true, {})!;
/** The corpus servers' built-in hints; the servers of rounds 3 and 4 have none. */
const corpusOnly: Hints = (server, tool) =>
  UNHINTED.has(server) ? undefined : builtin(server, tool);

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
const pct = (part: number, whole: number) => (whole ? (100 * part) / whole : 0);
const row = (s: Score) =>
  `${pct(s.hit1, s.n).toFixed(1)}% | ${pct(s.hit5, s.n).toFixed(1)}% | ${(s.n ? s.rr / s.n : 0).toFixed(3)}`;

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
  for (const set of [corpus, round3, fresh])
    for (const [server, tools] of Object.entries(set)) index.upsert(server, tools);
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

const count = (set: Corpus) => Object.values(set).reduce((sum, tools) => sum + tools.length, 0);
console.log(
  `index: ${Object.keys(corpus).length} corpus servers (${count(corpus)} tools) + ${Object.keys(round3).length} round-3 servers (${count(round3)} tools) + ${NEW.size} new servers (${count(fresh)} tools); ${queries.length} queries`,
);
const devCount = queries.filter((q) => DEV.has(homeOf(q))).length;
console.log(
  `dev half: ${[...DEV].join(", ")} (${devCount} queries); held-out half: ${[...NEW]
    .sort()
    .filter((s) => !DEV.has(s))
    .join(", ")} (${queries.length - devCount} queries)`,
);
console.log(
  `new servers' tools the built-in hint table matches by itself: ${matched} of ${count(fresh)}\n`,
);

const setups: { name: string; hints?: Hints }[] = [
  { name: "**built-in hints on the corpus, none on rounds 3 and 4**", hints: corpusOnly },
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
    return `${pct(s.hit1, s.n).toFixed(0)}% | ${pct(s.hit5, s.n).toFixed(0)}%`;
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
