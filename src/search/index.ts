import type { Tool } from "../mcp/sdk.ts";
import { stem, tokenize } from "./tokenize.ts";

/** Field weights: a word in a tool's name says more than one in its description. */
const FIELDS = { name: 3, title: 2, description: 1, params: 1.5, paramText: 0.5 } as const;
type Field = keyof typeof FIELDS;
const K1 = 1.2;
const B = 0.75;

/** Small synonym groups: a query word also matches the others in its group, at a discount. */
const SYNONYM_GROUPS = [
  ["find", "search", "lookup", "query", "look"],
  ["create", "add", "new", "make", "insert"],
  ["delete", "remove", "drop", "destroy", "erase"],
  ["get", "read", "fetch", "retrieve", "show", "view", "open"],
  ["list", "enumerate", "all"],
  ["update", "edit", "modify", "change", "set", "patch"],
  ["write", "save", "store", "put"],
  ["run", "execute", "invoke", "call", "start"],
  ["file", "document", "doc"],
  ["folder", "directory", "dir"],
  ["message", "msg", "chat"],
  ["issue", "ticket", "bug"],
];
const SYNONYMS = new Map<string, string[]>();
for (const group of SYNONYM_GROUPS) {
  const stems = group.map(stem);
  for (const word of stems)
    SYNONYMS.set(
      word,
      stems.filter((other) => other !== word),
    );
}

interface Entry {
  server: string;
  tool: Tool;
  /** Term frequencies per field. */
  fields: Record<Field, Map<string, number>>;
  lengths: Record<Field, number>;
}

export interface SearchOptions {
  limit?: number;
  server?: string;
  /** Only tools this returns true for are considered (the caller's scopes). */
  allow?: (server: string, tool: string) => boolean;
}

export interface SearchHit {
  server: string;
  tool: Tool;
  score: number;
}

/** The index of every tool the gateway can reach; the only owner of ranking. */
export class ToolIndex {
  private readonly entries = new Map<string, Entry[]>();
  private docFreq = new Map<string, number>();
  private avgLength: Record<Field, number> = {
    name: 1,
    title: 1,
    description: 1,
    params: 1,
    paramText: 1,
  };
  private count = 0;

  /** Replaces a server's tools. */
  upsert(server: string, tools: Tool[]): void {
    this.entries.set(
      server,
      tools.map((tool) => toEntry(server, tool)),
    );
    this.recompute();
  }

  remove(server: string): void {
    if (this.entries.delete(server)) this.recompute();
  }

  get(server: string, tool: string): Tool | undefined {
    return this.entries.get(server)?.find((entry) => entry.tool.name === tool)?.tool;
  }

  tools(server: string): Tool[] {
    return (this.entries.get(server) ?? []).map((entry) => entry.tool);
  }

  size(): number {
    return this.count;
  }

  /** Every (server, tool) pair, for suggestions. */
  *all(): Generator<{ server: string; tool: Tool }> {
    for (const [server, entries] of this.entries) {
      for (const entry of entries) yield { server, tool: entry.tool };
    }
  }

  search(query: string, options: SearchOptions = {}): SearchHit[] {
    const limit = options.limit ?? 5;
    const terms = new Map<string, number>();
    for (const term of tokenize(query)) {
      terms.set(term, 1);
      for (const synonym of SYNONYMS.get(term) ?? [])
        if (!terms.has(synonym)) terms.set(synonym, 0.6);
    }
    if (terms.size === 0) return [];
    const hits: SearchHit[] = [];
    for (const [server, entries] of this.entries) {
      if (options.server && options.server !== server) continue;
      for (const entry of entries) {
        if (options.allow && !options.allow(server, entry.tool.name)) continue;
        const score = this.score(entry, terms);
        if (score > 0) hits.push({ server, tool: entry.tool, score });
      }
    }
    hits.sort((a, b) => b.score - a.score || a.tool.name.localeCompare(b.tool.name));
    return hits.slice(0, limit);
  }

  /** BM25F: field-weighted term frequencies, length-normalised per field, times IDF. */
  private score(entry: Entry, terms: Map<string, number>): number {
    let total = 0;
    for (const [term, boost] of terms) {
      let tf = 0;
      for (const field of Object.keys(FIELDS) as Field[]) {
        const raw = entry.fields[field].get(term);
        if (!raw) continue;
        const norm = 1 - B + B * (entry.lengths[field] / this.avgLength[field]);
        tf += (FIELDS[field] * raw) / norm;
      }
      if (tf === 0) continue;
      const df = this.docFreq.get(term) ?? 0;
      const idf = Math.log(1 + (this.count - df + 0.5) / (df + 0.5));
      total += boost * idf * ((tf * (K1 + 1)) / (tf + K1));
    }
    return total;
  }

  private recompute(): void {
    this.docFreq = new Map();
    const sums: Record<Field, number> = {
      name: 0,
      title: 0,
      description: 0,
      params: 0,
      paramText: 0,
    };
    this.count = 0;
    for (const entries of this.entries.values()) {
      for (const entry of entries) {
        this.count++;
        const seen = new Set<string>();
        for (const field of Object.keys(FIELDS) as Field[]) {
          sums[field] += entry.lengths[field];
          for (const term of entry.fields[field].keys()) seen.add(term);
        }
        for (const term of seen) this.docFreq.set(term, (this.docFreq.get(term) ?? 0) + 1);
      }
    }
    for (const field of Object.keys(FIELDS) as Field[]) {
      this.avgLength[field] = this.count ? Math.max(sums[field] / this.count, 1) : 1;
    }
  }
}

function toEntry(server: string, tool: Tool): Entry {
  const properties = (tool.inputSchema?.properties ?? {}) as Record<
    string,
    { description?: unknown }
  >;
  const texts: Record<Field, string> = {
    name: tool.name,
    title: tool.title ?? tool.annotations?.title ?? "",
    description: tool.description ?? "",
    params: Object.keys(properties).join(" "),
    paramText: Object.values(properties)
      .map((property) => (typeof property?.description === "string" ? property.description : ""))
      .join(" "),
  };
  const fields = {} as Record<Field, Map<string, number>>;
  const lengths = {} as Record<Field, number>;
  for (const field of Object.keys(FIELDS) as Field[]) {
    const counts = new Map<string, number>();
    const words = tokenize(texts[field]);
    for (const word of words) counts.set(word, (counts.get(word) ?? 0) + 1);
    fields[field] = counts;
    lengths[field] = words.length;
  }
  return { server, tool, fields, lengths };
}
