/**
 * Round 6 of servers nobody saw, written blind (issue #21): 14 published servers the project had
 * never seen (bench/corpus/heldout6-tools.json, 748 tools), chosen for nouns they share with each
 * other and with the corpus (issues, sprints, merge requests and pipelines; builds; code quality;
 * hosting and deployments; databases; chat and mail; shops and sites), indexed beside the whole
 * corpus (bench/corpus/tools.json) and the servers of rounds 3, 4 and 5 (heldout3-tools.json,
 * heldout4-tools.json, heldout5-tools.json), and 241 requests for them written blind, by a writer
 * who had not read the search code, its hints, the benchmark's search sections or any other query
 * set, and committed before this was first run (bench/search/heldout6-queries.json, commit
 * 163c658). None of the four rounds' servers get hints of their own, as servers nobody wrote hints
 * for; the corpus keeps its built-in hints, as the gateway has them.
 *
 *   bun bench/search/heldout6.ts                   # both halves' totals, the whole set, per server
 *   bun bench/search/heldout6.ts --dev [--misses]  # tuning: the dev half only (and its misses)
 *
 * The split was fixed before the requests were written (commit dd28773): the 14 servers sorted by
 * name (JavaScript's default string order), every other one from the first is dev (alibaba-devops,
 * cosmosdb, firebase, github-projects, postgres-mcp, render, woocommerce: 116 requests), the rest
 * held out (codacy, email, gcp, jenkins, railway, teams, wordpress: 125 requests). A request belongs
 * to the half of the server of its first expected tool among the 14. Only the dev half's requests
 * and misses are ever printed; the held-out half measures what was tuned on the dev half, and is
 * never tuned on.
 */
import { runBlindSet } from "./_blind.ts";

runBlindSet({
  name: "heldout6",
  earlier: [
    { name: "heldout3", label: "round-3" },
    { name: "heldout4", label: "round-4" },
    { name: "heldout5", label: "round-5" },
  ],
  alsoSeen: ["../corpus/registry-tools.json"],
  hinted: "**built-in hints on the corpus, none on rounds 3, 4, 5 and 6**",
});
