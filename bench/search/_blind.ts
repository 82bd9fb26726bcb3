/**
 * What the blind search sets share (bench/search/heldout3.ts to heldout6.ts): new
 * servers indexed beside the corpus (with its built-in hints) and the earlier blind rounds (without
 * hints), their requests scored in all, by half and by server. The halves are fixed by the set:
 * sorted by name, every other new server from the first is dev, the rest held out; a request
 * belongs to the half of the server of its first expected tool among the new ones. With `--dev`
 * only the dev half is scored and printed, and `--misses` then lists its misses; the held-out
 * half's requests and misses are never printed.
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

export interface BlindSet {
  /** The set's files: `bench/corpus/<name>-tools.json` and `bench/search/<name>-queries.json`. */
  name: string;
  /** Earlier blind rounds, indexed without hints too: their tools file's name and a label. */
  earlier?: Round | Round[];
  /** Servers the new ones must not repeat, besides the corpus and the earlier rounds. */
  alsoSeen?: string[];
  /** The first setup's row name: the corpus with its hints, none on the blind rounds. */
  hinted: string;
}

/** A blind round: `bench/corpus/<name>-tools.json`, and how the index line names its servers. */
interface Round {
  name: string;
  label: string;
}

interface Score {
  hit1: number;
  hit5: number;
  rr: number;
  n: number;
}

const HERE = import.meta.dir;
const read = <T>(path: string): T => JSON.parse(readFileSync(join(HERE, path), "utf8"));
const serverOf = (id: string) => id.slice(0, id.indexOf(":"));
const count = (set: Corpus) => Object.values(set).reduce((sum, tools) => sum + tools.length, 0);
const empty = (): Score => ({ hit1: 0, hit5: 0, rr: 0, n: 0 });
const pct = (part: number, whole: number) => (whole ? (100 * part) / whole : 0);
const row = (s: Score) =>
  `${pct(s.hit1, s.n).toFixed(1)}% | ${pct(s.hit5, s.n).toFixed(1)}% | ${(s.n ? s.rr / s.n : 0).toFixed(3)}`;

/** Scores `set` as its script's flags ask, and prints the tables. */
export function runBlindSet(set: BlindSet): void {
  const corpus = read<Corpus>("../corpus/tools.json");
  const rounds = [set.earlier ?? []].flat();
  const earlierSets = rounds.map((round) => read<Corpus>(`../corpus/${round.name}-tools.json`));
  const earlier: Corpus = Object.assign({}, ...earlierSets);
  const fresh = read<Corpus>(`../corpus/${set.name}-tools.json`);
  const queries = read<Query[]>(`${set.name}-queries.json`);

  const seen = { ...corpus, ...earlier };
  for (const file of set.alsoSeen ?? []) Object.assign(seen, read<Corpus>(file));
  const clash = Object.keys(fresh).filter((server) => server in seen);
  if (clash.length > 0) {
    throw new Error(`${set.name}-tools.json repeats servers seen before: ${clash}`);
  }
  // Every expected tool is one an indexed server lists (a typo would always miss).
  const indexed = { ...corpus, ...earlier, ...fresh };
  const known = new Set(
    Object.entries(indexed).flatMap(([server, list]) =>
      list.map((tool) => `${server}:${tool.name}`),
    ),
  );
  for (const q of queries) {
    const unknown = q.expected.filter((id) => !known.has(id));
    if (unknown.length > 0)
      throw new Error(
        `${set.name}-queries.json #${q.id} expects tools no server lists: ${unknown}`,
      );
  }
  const NEW = new Set(Object.keys(fresh));
  const unhinted = new Set([...NEW, ...Object.keys(earlier)]);
  const DEV = new Set([...NEW].sort().filter((_, i) => i % 2 === 0));
  const homeOf = (q: Query): string => {
    const id = q.expected.find((expected) => NEW.has(serverOf(expected)));
    if (!id)
      throw new Error(`${set.name}-queries.json #${q.id} expects no tool of the new servers`);
    return serverOf(id);
  };
  const devOnly = process.argv.includes("--dev");
  const showMisses = devOnly && process.argv.includes("--misses");
  const inView = queries.filter((q) => !devOnly || DEV.has(homeOf(q)));

  const builtin = hintsFor(true, {})!;
  const corpusOnly: Hints = (server, tool) =>
    unhinted.has(server) ? undefined : builtin(server, tool);
  /** How many of the new servers' tools the built-in table would give hints to, by itself. */
  const matched = Object.entries(fresh).reduce(
    (sum, [server, tools]) =>
      sum + tools.filter((tool) => builtin(server, tool) !== undefined).length,
    0,
  );

  /** Scores the queries in view, in all, per half and per server; lists the dev half's misses. */
  function evaluate(hints?: Hints) {
    const index = new ToolIndex(hints);
    for (const tools of [corpus, earlier, fresh])
      for (const [server, list] of Object.entries(tools)) index.upsert(server, list);
    const [all, dev, held] = [empty(), empty(), empty()];
    const byServer = new Map<string, Score>();
    const misses: string[] = [];
    for (const q of inView) {
      const ids = index
        .search(q.query, { limit: 5 })
        .map((hit) => `${hit.server}:${hit.tool.name}`);
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

  const earlierLine = rounds
    .map((round, i) => {
      const tools = earlierSets[i]!;
      return ` + ${Object.keys(tools).length} ${round.label} servers (${count(tools)} tools)`;
    })
    .join("");
  console.log(
    `index: ${Object.keys(corpus).length} corpus servers (${count(corpus)} tools)${earlierLine} + ${NEW.size} new servers (${count(fresh)} tools); ${queries.length} queries`,
  );
  const devCount = queries.filter((q) => DEV.has(homeOf(q))).length;
  const heldOut = [...NEW].sort().filter((s) => !DEV.has(s));
  console.log(
    `dev half: ${[...DEV].join(", ")} (${devCount} queries); held-out half: ${heldOut.join(", ")} (${queries.length - devCount} queries)`,
  );
  console.log(
    `new servers' tools the built-in hint table matches by itself: ${matched} of ${count(fresh)}\n`,
  );

  const setups: { name: string; hints?: Hints }[] = [
    { name: set.hinted, hints: corpusOnly },
    { name: "no hints on any server" },
  ];
  if (matched > 0)
    setups.push({
      name: "built-in hints as the table gives them (new servers too)",
      hints: builtin,
    });

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
}
