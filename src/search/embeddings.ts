/**
 * Optional hybrid ranking: embeddings from an endpoint the user configures (Ollama, or any
 * OpenAI-compatible `/embeddings`), fused with the lexical ranking by reciprocal rank. The
 * gateway works offline without it; when the endpoint fails, search stays lexical.
 */
import type { Tool } from "../mcp/sdk.ts";
import { trimDescription } from "./compact.ts";
import type { SearchHit, SearchOptions, ToolIndex } from "./index.ts";

export interface EmbeddingOptions {
  /** Ollama's base URL (`http://127.0.0.1:11434`) or an OpenAI-compatible one (`.../v1`). */
  url: string;
  model: string;
  /** `openai` posts to `{url}/embeddings`, `ollama` to `{url}/api/embed`. Default `openai`. */
  kind?: "openai" | "ollama";
  /** Sent as `Authorization: Bearer ...`. */
  apiKey?: string;
  /** Per request; default 10 s. */
  timeoutMs?: number;
}

export interface Embedder {
  embed(texts: string[]): Promise<Float32Array[]>;
}

export function createEmbedder(options: EmbeddingOptions): Embedder {
  const base = options.url.replace(/\/+$/, "");
  const ollama = options.kind === "ollama";
  const endpoint = ollama ? `${base}/api/embed` : `${base}/embeddings`;
  return {
    async embed(texts) {
      const response = await fetch(endpoint, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
        },
        body: JSON.stringify({ model: options.model, input: texts }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      if (!response.ok) {
        throw new Error(`embedding endpoint ${endpoint} answered ${response.status}`);
      }
      const body = (await response.json()) as {
        embeddings?: number[][];
        data?: { embedding: number[]; index?: number }[];
      };
      const vectors = ollama
        ? body.embeddings
        : body.data
            ?.slice()
            .sort((a, b) => (a.index ?? 0) - (b.index ?? 0))
            .map((item) => item.embedding);
      if (!Array.isArray(vectors) || vectors.length !== texts.length) {
        throw new Error(`embedding endpoint ${endpoint} returned no vector for each input`);
      }
      return vectors.map((vector) => Float32Array.from(vector));
    },
  };
}

/** Reciprocal-rank fusion constant: the usual 60 keeps one list's top from drowning the other. */
const RRF_K = 60;
/** How many candidates each ranking contributes to the fusion. */
const CANDIDATES = 50;
const BATCH = 64;

/** The text a tool is embedded by: its name, title and the useful part of its description. */
export function embeddingText(server: string, tool: Tool): string {
  const title = tool.title ?? tool.annotations?.title ?? "";
  return `${server} ${tool.name}${title ? ` (${title})` : ""}: ${trimDescription(tool.description ?? "")}`;
}

/**
 * The tool index with embeddings beside it. `sync()` embeds tools that are new or changed;
 * `search()` fuses the lexical ranking with cosine similarity to the query's embedding.
 */
export class HybridSearch {
  private readonly vectors = new Map<string, { text: string; vector: Float32Array }>();
  /** The last embedding failure, for health output; cleared by the next success. */
  lastError: string | undefined;

  /** The embedding ranking's weight in the fusion, 0 to 1; the lexical ranking's is 1. */
  private readonly weight: number;

  constructor(
    private readonly index: ToolIndex,
    private readonly embedder: Embedder,
    options: { weight?: number } = {},
  ) {
    this.weight = options.weight ?? 1;
  }

  /** Embeds every indexed tool whose text has no vector yet; forgets tools no longer indexed. */
  async sync(): Promise<void> {
    const wanted = new Map<string, string>();
    for (const { server, tool } of this.index.all()) {
      wanted.set(`${server}\u0000${tool.name}`, embeddingText(server, tool));
    }
    for (const key of this.vectors.keys()) if (!wanted.has(key)) this.vectors.delete(key);
    const missing = [...wanted].filter(([key, text]) => this.vectors.get(key)?.text !== text);
    try {
      for (let i = 0; i < missing.length; i += BATCH) {
        const batch = missing.slice(i, i + BATCH);
        const vectors = await this.embedder.embed(batch.map(([, text]) => text));
        batch.forEach(([key, text], j) => {
          this.vectors.set(key, { text, vector: vectors[j]! });
        });
      }
      this.lastError = undefined;
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
    }
  }

  async search(query: string, options: SearchOptions = {}): Promise<SearchHit[]> {
    const limit = options.limit ?? 5;
    const lexical = this.index.search(query, { ...options, limit: CANDIDATES });
    let queryVector: Float32Array;
    try {
      [queryVector] = (await this.embedder.embed([query])) as [Float32Array];
      this.lastError = undefined;
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      return lexical.slice(0, limit);
    }
    const semantic: { server: string; tool: Tool; score: number }[] = [];
    for (const { server, tool } of this.index.all()) {
      if (options.server && server !== options.server) continue;
      const entry = this.vectors.get(`${server}\u0000${tool.name}`);
      if (!entry) continue;
      const score = cosine(queryVector, entry.vector);
      if (score > 0) semantic.push({ server, tool, score });
    }
    semantic.sort((a, b) => b.score - a.score);
    const fused = new Map<string, SearchHit>();
    const add = (hits: { server: string; tool: Tool }[], weight: number) =>
      hits.forEach((hit, rank) => {
        const key = `${hit.server}\u0000${hit.tool.name}`;
        const previous = fused.get(key);
        const score = (previous?.score ?? 0) + weight / (RRF_K + rank + 1);
        fused.set(key, { server: hit.server, tool: hit.tool, score });
      });
    add(lexical, 1);
    // Scopes apply to the semantic list as to the lexical one: checked before it is ranked in.
    add(
      semantic
        .filter((hit) => !options.allow || options.allow(hit.server, hit.tool.name))
        .slice(0, CANDIDATES),
      this.weight,
    );
    return [...fused.values()]
      .sort(
        (a, b) =>
          b.score - a.score ||
          a.server.localeCompare(b.server) ||
          a.tool.name.localeCompare(b.tool.name),
      )
      .slice(0, limit);
  }
}

function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    normA += a[i]! * a[i]!;
    normB += b[i]! * b[i]!;
  }
  return normA && normB ? dot / Math.sqrt(normA * normB) : 0;
}
