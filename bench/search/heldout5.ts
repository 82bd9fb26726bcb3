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
import { runBlindSet } from "./_blind.ts";

runBlindSet({
  name: "heldout5",
  earlier: [
    { name: "heldout3", label: "round-3" },
    { name: "heldout4", label: "round-4" },
  ],
  alsoSeen: ["../corpus/registry-tools.json"],
  hinted: "**built-in hints on the corpus, none on rounds 3, 4 and 5**",
});
