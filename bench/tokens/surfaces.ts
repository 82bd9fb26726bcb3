/**
 * A surface per client: what each `meta_mcp.clients` choice costs a client's context on the
 * corpus, in o200k tokens of compact JSON.stringify(tools) (as DESIGN.md pins it), for three
 * catalog sizes; how close the gateway's own estimate (four characters a token, which `auto`
 * decides by) comes; and the cost of the SEP-1821 and SEP-1862 answers.
 *
 *   bun bench/tokens/surfaces.ts
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import type { Tool } from "../../src/mcp/sdk.ts";
import {
  type ClientRule,
  chooseSurface,
  DEFAULT_TOKEN_BUDGET,
  estimateTokens,
  ruleFor,
} from "../../src/meta/client-surface.ts";
import { asListed, flatName } from "../../src/meta/surface.ts";
import { META_TOOLS } from "../../src/meta/tools.ts";
import { hintsFor } from "../../src/search/hints.ts";
import { ToolIndex } from "../../src/search/index.ts";

const HERE = import.meta.dir;
const corpus: Record<string, Tool[]> = JSON.parse(
  readFileSync(join(HERE, "../corpus/tools.json"), "utf8"),
);
const queries: { query: string }[] = JSON.parse(
  readFileSync(join(HERE, "../search/queries.json"), "utf8"),
);
const tokens = (tools: unknown) => countTokens(JSON.stringify(tools));
const listed = (servers: string[]) =>
  servers.flatMap((server) =>
    (corpus[server] ?? []).map((tool) =>
      asListed({ name: flatName(server, tool.name), server, tool }),
    ),
  );
const meta = META_TOOLS.map((tool) => tool.definition);

const catalogs: [string, Tool[]][] = [
  ["one server (github)", listed(["github"])],
  [
    "four servers (filesystem, git, github, memory)",
    listed(["filesystem", "git", "github", "memory"]),
  ],
  ["the whole corpus (38 servers)", listed(Object.keys(corpus))],
];
const clients: [string, ClientRule][] = [
  ["Cursor", ruleFor("cursor", [])!],
  ["VS Code", ruleFor("Visual Studio Code", [])!],
  ["claude-code", ruleFor("claude-code", [])!],
  [`auto ${DEFAULT_TOKEN_BUDGET / 1000}k`, { match: "*", surface: "auto" }],
  ["auto 50k", { match: "*", surface: "auto", token_budget: 50_000 }],
  ["meta", { match: "*", surface: "meta" }],
];

console.log("o200k tokens of compact JSON.stringify(tools): the surface each client gets\n");
console.log(
  `| catalog | tools | flat | estimate | ${clients.map(([client]) => client).join(" | ")} |`,
);
console.log(`|---|---|---|---|${clients.map(() => "---").join("|")}|`);
const metaTokens = tokens(meta);
for (const [catalog, tools] of catalogs) {
  const flatTokens = tokens(tools);
  const estimate = estimateTokens(tools);
  const cells = clients.map(([, rule]) => {
    const surface = chooseSurface(rule, tools);
    const cost = surface === "flat" ? flatTokens : metaTokens;
    return `${surface} ${cost.toLocaleString("en")}`;
  });
  console.log(
    `| ${catalog} | ${tools.length} | ${flatTokens.toLocaleString("en")} | ${((100 * estimate) / flatTokens).toFixed(0)}% | ${cells.join(" | ")} |`,
  );
}

// SEP-1821: a tools/list {query} answer (limit 10: full schemas, qualified names); SEP-1862: one
// tools/resolve answer.
const index = new ToolIndex(hintsFor(true, {}));
for (const [server, tools] of Object.entries(corpus)) index.upsert(server, tools);
const answers: number[] = [];
const resolves: number[] = [];
for (const { query } of queries) {
  const hits = index.search(query, { limit: 10 });
  const tools = hits.map((hit) =>
    asListed({ name: flatName(hit.server, hit.tool.name), server: hit.server, tool: hit.tool }),
  );
  answers.push(tokens(tools));
  if (tools[0]) resolves.push(countTokens(JSON.stringify({ tool: tools[0] })));
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const mean = (values: number[]) => Math.round(values.reduce((a, b) => a + b, 0) / values.length);
console.log(`\nover ${queries.length} queries:\n`);
console.log("| answer | median tokens | mean tokens |");
console.log("|---|---|---|");
console.log(`| tools/list {query}, limit 10 | ${median(answers)} | ${mean(answers)} |`);
console.log(`| tools/resolve of the top match | ${median(resolves)} | ${mean(resolves)} |`);
