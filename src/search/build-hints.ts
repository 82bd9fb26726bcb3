/**
 * Regenerates src/search/hints.json, the example requests the search indexes for well-known
 * tools, from bench/corpus/requests.jsonl (eight requests per tool of the benchmark corpus,
 * written from each tool's definition alone) and bench/corpus/tools.json (what each tool says
 * it does, so a tool is recognised by its name and first sentence whatever its server is called),
 * then the same pair for registry servers outside the benchmark (registry-*.json[l]).
 *
 *   bun src/search/build-hints.ts
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Tool } from "../mcp/sdk.ts";
import { firstSentence } from "./fields.ts";
import { type HintTable, summaryTerms } from "./hints.ts";

const ROOT = join(import.meta.dir, "../..");

/** Tool lists and their requests: the benchmark's corpus, then registry servers outside it. */
const SOURCES = [
  ["bench/corpus/tools.json", "bench/corpus/requests.jsonl"],
  ["bench/corpus/registry-tools.json", "bench/corpus/registry-requests.jsonl"],
] as const;

/** hints.json's text, as built from the tool lists and their requests. */
export function buildHints(
  root = ROOT,
  keep: (server: string) => boolean = () => true,
): { text: string; tools: number } {
  const table: HintTable = {};
  let tools = 0;
  for (const [toolsFile, requestsFile] of SOURCES) {
    if (!existsSync(join(root, requestsFile))) continue;
    const corpus: Record<string, Tool[]> = JSON.parse(readFileSync(join(root, toolsFile), "utf8"));
    for (const line of readFileSync(join(root, requestsFile), "utf8").split("\n")) {
      if (!line.trim()) continue;
      const { server, tool, requests } = JSON.parse(line) as {
        server: string;
        tool: string;
        requests: string[];
      };
      if (!keep(server)) continue;
      const found = corpus[server]?.find((candidate) => candidate.name === tool);
      if (!found)
        throw new Error(`${requestsFile} names ${server}:${tool}, which ${toolsFile} lacks`);
      const about = [...summaryTerms(firstSentence(found.description ?? ""))].sort().join(" ");
      table[tool] ??= [];
      const entries = table[tool];
      const same = entries.find((entry) => entry.about === about);
      if (same) {
        same.requests.push(...requests.filter((request) => !same.requests.includes(request)));
      } else entries.push({ about, requests });
      tools++;
    }
  }
  // One line per tool name, so a change shows as the lines of the tools it touches.
  const lines = Object.entries(table).map(
    ([name, entries]) => `${JSON.stringify(name)}:${JSON.stringify(entries)}`,
  );
  return { text: `{\n${lines.join(",\n")}\n}\n`, tools };
}

if (import.meta.main) {
  const { text, tools } = buildHints();
  writeFileSync(join(import.meta.dir, "hints.json"), text);
  console.error(`hints.json: ${tools} tools`);
}
