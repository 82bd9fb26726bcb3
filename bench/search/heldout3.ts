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
import { runBlindSet } from "./_blind.ts";

runBlindSet({
  name: "heldout3",
  hinted: "**built-in hints on the corpus, none on the new servers**",
});
