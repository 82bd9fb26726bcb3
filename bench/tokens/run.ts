/**
 * Token economy: what a client's context pays for the tool surface, counted with the o200k
 * tokenizer over compact JSON.stringify(result.tools), as DESIGN.md pins it.
 *
 *   bun bench/tokens/run.ts
 *
 * - the meta surface: the real `tools/list` of a gateway started here, over HTTP, with the
 *   default meta_mcp settings, plus the `initialize` instructions;
 * - flat mode: every corpus tool, namespaced `server__tool` (1,321 tools, 38 servers);
 * - code mode: the meta surface with `gateway_execute`, and `/mcp?codemode=search_and_execute`;
 * - surfaced tools: the meta surface plus 1, 5 and 20 pinned tools;
 * - one search step: the tokens of a `gateway_search_tools` result (limit 5) over the query set,
 *   with input schemas as the backends wrote them, every match compacted (`toMatch` in
 *   src/search/compact.ts), and as the gateway answers (`toMatches`: schemas for the first
 *   matches and near ties, one line for the rest); with how often the labelled tool is among the
 *   five, and among the matches that carry a schema (a model can call it right away).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { loadConfig } from "../../src/config/load.ts";
import { runGateway } from "../../src/gateway/run.ts";
import { setLogLevel } from "../../src/logger.ts";
import type { Tool } from "../../src/mcp/sdk.ts";
import { OPERATOR_TOOLS } from "../../src/meta/tools.ts";
import { toMatch, toMatches } from "../../src/search/compact.ts";
import { hintsFor } from "../../src/search/hints.ts";
import { ToolIndex } from "../../src/search/index.ts";

setLogLevel("error");
const HERE = import.meta.dir;
const corpus: Record<string, Tool[]> = JSON.parse(
  readFileSync(join(HERE, "../corpus/tools.json"), "utf8"),
);
const queries: { query: string; expected: string[] }[] = JSON.parse(
  readFileSync(join(HERE, "../search/queries.json"), "utf8"),
);
const tokens = (value: unknown) => countTokens(JSON.stringify(value));

/** Hot tools a user might pin, across servers (the first 1, 5 and 20 are measured). */
const SURFACED = [
  "filesystem:read_text_file",
  "github:create_issue",
  "slack:slack_post_message",
  "playwright:browser_navigate",
  "git:git_status",
  "filesystem:write_file",
  "github:list_issues",
  "github:create_pull_request",
  "memory:search_nodes",
  "playwright:browser_take_screenshot",
  "git:git_commit",
  "git:git_diff",
  "linear:linear_createIssue",
  "notion:API-post-search",
  "datadog:get_logs",
  "sentry:search_issues",
  "kubernetes:kubectl_get",
  "brave-search:brave_web_search",
  "postgres:query",
  "google-maps:maps_directions",
];

/** A backend tool as flat mode or a surfaced pin would list it: namespaced, otherwise untouched. */
function namespaced(server: string, tool: Tool): Tool {
  return { ...tool, name: `${server}__${tool.name}` };
}

function find(id: string): Tool {
  const [server, name] = id.split(":") as [string, string];
  const tool = corpus[server]?.find((t) => t.name === name);
  if (!tool) throw new Error(`corpus has no ${id}`);
  return namespaced(server, tool);
}

async function metaSurface(
  yaml = "backends: {}\n",
  path = "/mcp",
): Promise<{ tools: Tool[]; instructions: string }> {
  const folder = mkdtempSync(join(tmpdir(), "bench-tokens-"));
  const file = join(folder, "gateway.yaml");
  writeFileSync(file, yaml);
  const running = await runGateway({
    config: loadConfig({ path: file }),
    port: 0,
    memoryState: true,
  });
  const client = new Client({ name: "bench-tokens", version: "1.0.0" }, { capabilities: {} });
  try {
    await client.connect(new StreamableHTTPClientTransport(new URL(`${running.url}${path}`)));
    const { tools } = await client.listTools();
    return { tools, instructions: client.getInstructions() ?? "" };
  } finally {
    await client.close().catch(() => {});
    await running.stop();
    rmSync(folder, { recursive: true, force: true });
  }
}

const { tools: meta, instructions } = await metaSurface();
const flat = Object.entries(corpus).flatMap(([server, tools]) =>
  tools.map((tool) => namespaced(server, tool)),
);
const metaTokens = tokens(meta);
const flatTokens = tokens(flat);
const rows: [string, number, number][] = [
  [`flat: every tool, namespaced (${flat.length} tools)`, flat.length, flatTokens],
  [`meta surface (default tools/list on /mcp)`, meta.length, metaTokens],
];
// Code mode: gateway_execute beside the four, and the search-and-execute pair alone.
const codeYaml = "backends: {}\ncode_mode: { enabled: true }\n";
const withExecute = (await metaSurface(codeYaml)).tools;
rows.push(["meta + gateway_execute (code_mode.enabled)", withExecute.length, tokens(withExecute)]);
const codeOnly = (await metaSurface(codeYaml, "/mcp?codemode=search_and_execute")).tools;
rows.push(["code mode: /mcp?codemode=search_and_execute", codeOnly.length, tokens(codeOnly)]);
for (const n of [1, 5, 20]) {
  const surfaced = [...meta, ...SURFACED.slice(0, n).map(find)];
  rows.push([`meta + ${n} surfaced`, surfaced.length, tokens(surfaced)]);
}

console.log(`o200k tokens of compact JSON.stringify(tools)\n`);
console.log("| tools/list | tools | tokens | vs flat |");
console.log("|---|---|---|---|");
for (const [name, count, total] of rows) {
  console.log(
    `| ${name} | ${count} | ${total.toLocaleString("en")} | ${((100 * total) / flatTokens).toFixed(1)}% |`,
  );
}
console.log(`\ninitialize instructions: ${countTokens(instructions)} tokens`);

// The opt-in operator tools (meta_mcp.operator_tools): what each adds to tools/list, and all.
console.log("\n| operator tool (opt-in) | tokens added |\n|---|---|");
for (const tool of OPERATOR_TOOLS) {
  console.log(`| ${tool.definition.name} | ${tokens([...meta, tool.definition]) - metaTokens} |`);
}
const operator = OPERATOR_TOOLS.map((tool) => tool.definition);
console.log(`| all (\`operator_tools: all\`) | ${tokens([...meta, ...operator]) - metaTokens} |`);

// One search step: what a gateway_search_tools result (limit 5) costs, raw and compacted.
const index = new ToolIndex(hintsFor(true, {}));
for (const [server, tools] of Object.entries(corpus)) index.upsert(server, tools);
const raw: number[] = [];
const compact: number[] = [];
const answered: number[] = [];
let inFive = 0;
let callable = 0;
for (const { query, expected } of queries) {
  const hits = index.search(query, { limit: 5 });
  const asWritten = {
    matches: hits.map((hit) => ({
      server: hit.server,
      tool: hit.tool.name,
      description: hit.tool.description ?? "",
      inputSchema: hit.tool.inputSchema,
      score: Math.round(hit.score * 1000) / 1000,
    })),
  };
  raw.push(tokens(asWritten));
  compact.push(tokens({ matches: hits.map(toMatch) }));
  const matches = toMatches(hits);
  answered.push(tokens({ matches }));
  const right = (m: { server: string; tool: string }) => expected.includes(`${m.server}:${m.tool}`);
  if (matches.some(right)) inFive++;
  if (matches.some((m) => right(m) && "inputSchema" in m)) callable++;
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const mean = (values: number[]) => Math.round(values.reduce((a, b) => a + b, 0) / values.length);
const share = (n: number) => `${((100 * n) / queries.length).toFixed(1)}%`;
console.log(`\none gateway_search_tools result, limit 5, over ${queries.length} queries:\n`);
console.log("| match payload | median tokens | mean tokens | labelled tool with its schema |");
console.log("|---|---|---|---|");
console.log(
  `| descriptions and schemas as written, every match | ${median(raw)} | ${mean(raw)} | ${share(inFive)} |`,
);
console.log(
  `| trimmed descriptions, compacted schemas, every match | ${median(compact)} | ${mean(compact)} | ${share(inFive)} |`,
);
console.log(
  `| schemas for the first matches and near ties, one line for the rest (default) | ${median(answered)} | ${mean(answered)} | ${share(callable)} |`,
);
console.log(`\nlabelled tool among the five (hit@5): ${share(inFive)}`);
