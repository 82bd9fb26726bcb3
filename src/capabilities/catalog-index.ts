import { existsSync } from "node:fs";
import type { JsonObject } from "../backends/types.ts";
import type { Tool } from "../mcp/sdk.ts";
import { ToolIndex } from "../search/index.ts";
import { CATALOG_INDEX_JSON } from "./_catalog.gen.ts";
import { findCapabilityFiles, loadCapabilityFile } from "./load.ts";

/** One built-in capability as the generated index holds it (scripts/gen-catalog.ts). */
export interface CatalogEntry {
  name: string;
  title?: string;
  description: string;
  category?: string;
  tags: string[];
  /** `metadata.examples`: requests people make of it, indexed by the search. */
  examples: string[];
  /** Variables it cannot run without, and ones it uses when set. */
  requires_env: string[];
  optional_env: string[];
  read_only: boolean;
  /** Its path in the catalog (`github_repo.yaml`), the name `cap install` writes. */
  file: string;
  /** Its input schema, indexed as the served tool's is. */
  input: JsonObject;
}

export interface CatalogHit {
  entry: CatalogEntry;
  score: number;
}

let entries: readonly CatalogEntry[] | undefined;

/** The built-in catalog's index, embedded in the binary, parsed on first use. */
export function catalogEntries(): readonly CatalogEntry[] {
  entries ??= JSON.parse(CATALOG_INDEX_JSON) as CatalogEntry[];
  return entries;
}

export function catalogEntry(name: string): CatalogEntry | undefined {
  return catalogEntries().find((entry) => entry.name === name);
}

let index: ToolIndex | undefined;

/**
 * The built-ins that fit `query`, best first, ranked by the tool search (src/search) over what
 * it indexes for a served capability: name, title, description, parameters, tags and examples.
 */
export function searchCatalog(query: string, limit = 10): CatalogHit[] {
  const byName = new Map(catalogEntries().map((entry) => [entry.name, entry]));
  if (!index) {
    // The same hints the capabilities backend gives the gateway's index (driver.ts).
    index = new ToolIndex((_server, tool) => {
      const entry = byName.get(tool.name);
      const words = entry ? [...entry.tags, ...entry.examples] : [];
      return words.length ? words.join("\n") : undefined;
    });
    index.upsert("capabilities", catalogEntries().map(toolOf));
  }
  return index
    .search(query, { limit })
    .map((hit) => ({ entry: byName.get(hit.tool.name)!, score: hit.score }));
}

function toolOf(entry: CatalogEntry): Tool {
  return {
    name: entry.name,
    ...(entry.title ? { title: entry.title } : {}),
    description: entry.description,
    inputSchema: entry.input as Tool["inputSchema"],
  };
}

/**
 * The capability files in `directories` by the name they define (the first file wins, as the
 * registry's does). Folders that do not exist and files that do not load are passed over: this
 * says what is installed, `cap validate` says what is wrong.
 */
export function userCapabilityFiles(directories: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const dir of directories) {
    if (!existsSync(dir)) continue;
    for (const file of findCapabilityFiles(dir)) {
      const result = loadCapabilityFile(file);
      if (result.ok && !out.has(result.capability.name)) out.set(result.capability.name, file);
    }
  }
  return out;
}
