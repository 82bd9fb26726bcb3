/**
 * Search over the built-in capabilities (capabilities/*.yaml, the tools `npm start` serves):
 * 80 requests written blind by a session that read only those files
 * (bench/search/capability-queries.json), with and without what the search indexes beside a
 * capability's definition: its `metadata.tags` and `metadata.examples`.
 *
 *   bun bench/search/capabilities.ts
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { findCapabilityFiles, loadCapabilityFile } from "../../src/capabilities/load.ts";
import { type Capability, toTool } from "../../src/capabilities/resolve.ts";
import { ToolIndex } from "../../src/search/index.ts";
import { type Engine, plainBm25, substringSynonyms } from "./baselines.ts";

interface Query {
  id: number;
  query: string;
  expected: string[];
}

const HERE = import.meta.dir;
const queries: Query[] = JSON.parse(readFileSync(join(HERE, "capability-queries.json"), "utf8"));
const capabilities: Capability[] = [];
for (const file of findCapabilityFiles(join(HERE, "../../capabilities"))) {
  const loaded = loadCapabilityFile(file);
  if (!loaded.ok) throw new Error(`${file}: ${loaded.errors.join("; ")}`);
  capabilities.push(loaded.capability);
}
const tools = capabilities.map(toTool);
const byName = new Map(capabilities.map((capability) => [capability.name, capability]));

function ours(name: string, hints?: (capability: Capability) => string[]): Engine {
  const index = new ToolIndex(
    hints && ((_server, tool) => hints(byName.get(tool.name)!).join("\n") || undefined),
  );
  index.upsert("capabilities", tools);
  return {
    name,
    search: (query, limit) =>
      index.search(query, { limit }).map((hit) => `capabilities:${hit.tool.name}`),
  };
}

const engines: Engine[] = [
  substringSynonyms({ capabilities: tools }),
  plainBm25({ capabilities: tools }),
  ours("mcp-gateway, definitions only"),
  ours("mcp-gateway + tags", (c) => c.tags),
  ours("mcp-gateway + tags + examples (default)", (c) => [...c.tags, ...c.examples]),
];
const pct = (part: number) => `${((100 * part) / queries.length).toFixed(1)}%`;
console.log(
  `${capabilities.length} capabilities, ${queries.length} queries, ${capabilities.filter((c) => c.examples.length).length} with examples\n`,
);
console.log("| engine | hit@1 | hit@5 |");
console.log("|---|---|---|");
for (const engine of engines) {
  let hit1 = 0;
  let hit5 = 0;
  for (const q of queries) {
    const rank = engine
      .search(q.query, 5)
      .findIndex((id) => q.expected.includes(id.replace(/^capabilities:/, "")));
    if (rank === 0) hit1++;
    if (rank >= 0) hit5++;
  }
  console.log(`| ${engine.name} | ${pct(hit1)} | ${pct(hit5)} |`);
}
