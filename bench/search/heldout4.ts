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
import { runBlindSet } from "./_blind.ts";

runBlindSet({
  name: "heldout4",
  earlier: { name: "heldout3", label: "round-3" },
  alsoSeen: ["../corpus/registry-tools.json"],
  hinted: "**built-in hints on the corpus, none on rounds 3 and 4**",
});
