/**
 * Regenerates src/search/hints.json, the example requests the search indexes for well-known
 * tools, from bench/corpus/requests.jsonl (eight requests per tool of the benchmark corpus,
 * written from each tool's definition alone) and bench/corpus/tools.json (what each tool says
 * it does, so a tool is recognised by its name and first sentence whatever its server is called).
 *
 *   bun src/search/build-hints.ts
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Tool } from "../mcp/sdk.ts";
import { firstSentence } from "./fields.ts";
import { type HintTable, summaryTerms } from "./hints.ts";

const ROOT = join(import.meta.dir, "../..");
const corpus: Record<string, Tool[]> = JSON.parse(
  readFileSync(join(ROOT, "bench/corpus/tools.json"), "utf8"),
);
const table: HintTable = {};
let count = 0;
for (const line of readFileSync(join(ROOT, "bench/corpus/requests.jsonl"), "utf8").split("\n")) {
  if (!line.trim()) continue;
  const { server, tool, requests } = JSON.parse(line) as {
    server: string;
    tool: string;
    requests: string[];
  };
  const found = corpus[server]?.find((candidate) => candidate.name === tool);
  if (!found) throw new Error(`requests.jsonl names ${server}:${tool}, which tools.json lacks`);
  const about = [...summaryTerms(firstSentence(found.description ?? ""))].sort().join(" ");
  table[tool] ??= [];
  const entries = table[tool];
  const same = entries.find((entry) => entry.about === about);
  if (same) same.requests.push(...requests.filter((request) => !same.requests.includes(request)));
  else entries.push({ about, requests });
  count++;
}
// One line per tool name, so a change shows as the lines of the tools it touches.
const lines = Object.entries(table).map(
  ([name, entries]) => `${JSON.stringify(name)}:${JSON.stringify(entries)}`,
);
writeFileSync(join(import.meta.dir, "hints.json"), `{\n${lines.join(",\n")}\n}\n`);
console.error(`hints.json: ${count} tools under ${Object.keys(table).length} names`);
