/**
 * The two baselines the search benchmark compares against, written here from their descriptions:
 * - plain BM25 over name and description (minisearch with its default tokenizer, no stemming);
 * - the original Rust gateway's substring matching with a synonym list and relevance tiers
 *   (docs: /work/shared/reference/original-gateway.md §1 "Search algorithm").
 */
import MiniSearch from "minisearch";
import type { Tool } from "../../src/mcp/sdk.ts";

export interface Engine {
  name: string;
  /** Top results as "server:tool". */
  search(query: string, limit: number): string[];
}

export type Corpus = Record<string, Tool[]>;

export function plainBm25(corpus: Corpus): Engine {
  const index = new MiniSearch<{ id: string; name: string; description: string }>({
    fields: ["name", "description"],
  });
  for (const [server, tools] of Object.entries(corpus)) {
    index.addAll(
      tools.map((tool) => ({
        id: `${server}:${tool.name}`,
        name: tool.name,
        description: tool.description ?? "",
      })),
    );
  }
  return {
    name: "BM25, name + description",
    search: (query, limit) =>
      index
        .search(query)
        .slice(0, limit)
        .map((hit) => String(hit.id)),
  };
}

/** The original's 20-odd hard-coded synonym groups, in spirit (search/find/lookup/query, ...). */
const ORIGINAL_SYNONYMS = [
  ["search", "find", "lookup", "query"],
  ["create", "generate", "make", "build"],
  ["delete", "remove", "purge"],
  ["get", "read", "retrieve", "fetch"],
  ["list", "enumerate", "show"],
  ["update", "edit", "modify", "change"],
  ["send", "post", "publish"],
  ["run", "execute", "start"],
  ["stop", "kill", "terminate"],
  ["file", "document"],
  ["folder", "directory"],
  ["message", "chat"],
  ["issue", "ticket", "bug"],
  ["user", "account", "member"],
  ["image", "picture", "screenshot"],
  ["web", "internet", "online"],
  ["email", "mail"],
  ["calendar", "event", "schedule"],
  ["database", "db", "sql"],
  ["repo", "repository"],
];
const STOP = new Set(
  "a an the to of for in on at my me i is are and or with this that what".split(" "),
);

/** The top 7 words of a description, standing in for the original's auto-extracted tags. */
function autoTags(text: string): string[] {
  const counts = new Map<string, number>();
  for (const word of text.toLowerCase().split(/[^a-z0-9]+/)) {
    if (word.length > 3 && !STOP.has(word)) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 7)
    .map(([word]) => word);
}

export function substringSynonyms(corpus: Corpus): Engine {
  const entries = Object.entries(corpus).flatMap(([server, tools]) =>
    tools.map((tool) => {
      const schemaFields = Object.keys((tool.inputSchema?.properties as object) ?? {}).map((f) =>
        f.toLowerCase(),
      );
      const description = (tool.description ?? "").toLowerCase();
      return {
        id: `${server}:${tool.name}`,
        name: tool.name.toLowerCase(),
        description: `${description} [keywords: ${autoTags(description).join(", ")}]`,
        tags: autoTags(description),
        schemaFields,
      };
    }),
  );
  const expand = (word: string) => {
    const group = ORIGINAL_SYNONYMS.find((g) => g.includes(word));
    return group ? group.filter((w) => w !== word) : [];
  };
  return {
    name: "substring + synonyms (original gateway)",
    search(query, limit) {
      const q = query.toLowerCase().trim();
      const words = q.split(/\s+/).filter((w) => w && !STOP.has(w));
      const scored: { id: string; score: number }[] = [];
      for (const e of entries) {
        const text = `${e.name} ${e.description}`;
        const direct = words.filter((w) => text.includes(w));
        const viaSynonym = words.filter(
          (w) => !text.includes(w) && expand(w).some((s) => text.includes(s)),
        );
        if (direct.length + viaSynonym.length === 0) continue;
        const inName = (w: string) => e.name.includes(w);
        const synInName = (w: string) => expand(w).some((s) => e.name.includes(s));
        let score = 0;
        if (e.name === q) score = 10;
        else if (words.length && words.every(inName)) score = 15;
        else if (words.length && words.every((w) => inName(w) || synInName(w))) score = 12;
        else {
          const tagHits = words.filter((w) => e.tags.includes(w)).length;
          const fieldHits = words.filter((w) => e.schemaFields.includes(w)).length;
          const all = words.every((w) => text.includes(w));
          score = Math.max(
            tagHits ? 6 + 2 * tagHits : 0,
            fieldHits ? 4 + 2 * fieldHits : 0,
            all ? 10 + 2 * direct.length : 3 + 2 * direct.length,
          );
          if (!score) {
            if (e.name.includes(q)) score = 5;
            else if (words.length === 1 && e.schemaFields.includes(q)) score = 6;
            else if (e.description.includes(q)) score = 2;
          }
        }
        if (direct.length === 0) score *= 0.8;
        scored.push({ id: e.id, score });
      }
      scored.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
      return scored.slice(0, limit).map((s) => s.id);
    },
  };
}
