/**
 * Round 5 of servers nobody saw, written blind (issue #21): 14 published servers the project had
 * never seen (bench/corpus/heldout5-tools.json, 603 tools) indexed beside the whole corpus
 * (bench/corpus/tools.json) and the servers of rounds 3 and 4 (heldout3-tools.json,
 * heldout4-tools.json), and 223 requests for them written blind, by a writer who had not read the
 * search code, its hints, the benchmark's search sections or any other query set, and committed
 * before this was first run (bench/search/heldout5-queries.json, commit 74d8dc0). None of the three
 * rounds' servers get hints of their own, as servers nobody wrote hints for; the corpus keeps its
 * built-in hints, as the gateway has them.
 *
 *   bun bench/search/heldout5.ts                   # both halves' totals, the whole set, per server
 *   bun bench/search/heldout5.ts --dev [--misses]  # tuning: the dev half only (and its misses)
 *
 * The split was fixed before the requests were written: the 14 servers sorted by name
 * (JavaScript's default string order), every other one from the first is dev (airbnb, backlog,
 * contentful, gcp-observability, lark, plane, replicate: 111 requests), the rest held out (attio,
 * browserstack, erpnext, hotelzero, miro, postman, xcodebuild: 112 requests). A request belongs to
 * the half of the server of its first expected tool among the 14. Only the dev half's requests and
 * misses are ever printed; the held-out half measures what was tuned on the dev half, and is never
 * tuned on.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runBlindSet } from "./_blind.ts";

/** Every expected tool of the requests is one the round's servers list (a typo would always miss). */
const read = (path: string) => JSON.parse(readFileSync(join(import.meta.dir, path), "utf8"));
const tools: Record<string, { name: string }[]> = read("../corpus/heldout5-tools.json");
const known = new Set(
  Object.entries(tools).flatMap(([server, list]) => list.map((tool) => `${server}:${tool.name}`)),
);
for (const q of read("heldout5-queries.json") as { id: number; expected: string[] }[]) {
  const unknown = q.expected.filter((id) => !known.has(id));
  if (unknown.length > 0)
    throw new Error(`heldout5-queries.json #${q.id} expects tools no server lists: ${unknown}`);
}

runBlindSet({
  name: "heldout5",
  earlier: [
    { name: "heldout3", label: "round-3" },
    { name: "heldout4", label: "round-4" },
  ],
  alsoSeen: ["../corpus/registry-tools.json"],
  hinted: "**built-in hints on the corpus, none on rounds 3, 4 and 5**",
});
