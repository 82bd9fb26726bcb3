import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createEmbedder, HybridSearch } from "../../src/search/embeddings.ts";
import { ToolIndex } from "../../src/search/index.ts";
import { TOOLS } from "./fixtures.ts";

/**
 * A local fake embedding server: each word maps to a concept dimension, so "contest" and
 * "dispute" share one, as a real embedding model would place them close. It answers both
 * the OpenAI (`/v1/embeddings`) and the Ollama (`/api/embed`) shapes.
 */
const CONCEPTS: Record<string, number> = { contest: 0, contested: 0, disputes: 0, dispute: 0 };
const DIMENSIONS = 1024;
function embed(text: string): number[] {
  const vector = new Array<number>(DIMENSIONS).fill(0);
  for (const word of text
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter(Boolean)) {
    let dimension = CONCEPTS[word];
    if (dimension === undefined) {
      dimension =
        8 + ([...word].reduce((hash, c) => (hash * 31 + c.charCodeAt(0)) % 1_000_003, 7) % 1000);
    }
    vector[dimension]! += 1;
  }
  return vector;
}

const seen: { path: string; model: string; auth: string | null }[] = [];
let server: ReturnType<typeof Bun.serve>;
let base: string;
beforeAll(() => {
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const path = new URL(request.url).pathname;
      if (path === "/broken/embeddings") return new Response("overloaded", { status: 503 });
      const body = (await request.json()) as { model: string; input: string[] };
      seen.push({ path, model: body.model, auth: request.headers.get("authorization") });
      const vectors = body.input.map(embed);
      if (path === "/api/embed") return Response.json({ embeddings: vectors });
      // OpenAI lists may come in any order; `index` says which input each belongs to.
      const data = vectors.map((embedding, index) => ({ embedding, index })).reverse();
      return Response.json({ data });
    },
  });
  base = `http://127.0.0.1:${server.port}`;
});
afterAll(() => server.stop(true));

function indexed(): ToolIndex {
  const index = new ToolIndex();
  for (const [name, tools] of Object.entries(TOOLS)) index.upsert(name, tools);
  return index;
}

const QUERY = "which charges did customers contest";
const ids = (hits: { server: string; tool: { name: string } }[]) =>
  hits.map((hit) => `${hit.server}:${hit.tool.name}`);

describe("hybrid ranking", () => {
  test("the lexical ranking alone misses a tool the embeddings find", async () => {
    const index = indexed();
    expect(ids(index.search(QUERY, { limit: 1 }))).not.toContain("payments:list_disputes");
    const hybrid = new HybridSearch(
      index,
      createEmbedder({ url: `${base}/v1`, model: "fake-embed", apiKey: "sk-test" }),
    );
    await hybrid.sync();
    expect(hybrid.lastError).toBeUndefined();
    expect(ids(await hybrid.search(QUERY, { limit: 3 }))).toContain("payments:list_disputes");
    expect(seen.at(-1)).toEqual({
      path: "/v1/embeddings",
      model: "fake-embed",
      auth: "Bearer sk-test",
    });
  });

  test("the embedding ranking counts by its weight; at 0 the lexical order stands", async () => {
    const index = indexed();
    const embedder = createEmbedder({ url: `${base}/v1`, model: "fake-embed" });
    const lexical = ids(index.search(QUERY, { limit: 3 }));
    const silent = new HybridSearch(index, embedder, { weight: 0 });
    await silent.sync();
    expect(ids(await silent.search(QUERY, { limit: 3 }))).toEqual(lexical);
    const heard = new HybridSearch(index, embedder, { weight: 1 });
    await heard.sync();
    expect(ids(await heard.search(QUERY, { limit: 3 }))).not.toEqual(lexical);
  });

  test("an Ollama endpoint works the same", async () => {
    const hybrid = new HybridSearch(
      indexed(),
      createEmbedder({ url: base, model: "nomic-embed-text", kind: "ollama" }),
    );
    await hybrid.sync();
    expect(ids(await hybrid.search(QUERY, { limit: 3 }))).toContain("payments:list_disputes");
    expect(seen.at(-1)).toEqual({ path: "/api/embed", model: "nomic-embed-text", auth: null });
  });

  test("scopes apply to the embedding matches too", async () => {
    const hybrid = new HybridSearch(indexed(), createEmbedder({ url: `${base}/v1`, model: "m" }));
    await hybrid.sync();
    const allow = (server: string) => server !== "payments";
    const hits = ids(await hybrid.search(QUERY, { limit: 25, allow }));
    expect(hits.some((id) => id.startsWith("payments:"))).toBe(false);
  });

  test("when the endpoint fails, search stays lexical and says why", async () => {
    const index = indexed();
    const hybrid = new HybridSearch(index, createEmbedder({ url: `${base}/broken`, model: "m" }));
    await hybrid.sync();
    expect(hybrid.lastError).toContain("503");
    expect(ids(await hybrid.search("rename a file"))).toEqual(ids(index.search("rename a file")));
  });

  test("sync embeds only new or changed tools", async () => {
    const index = indexed();
    const hybrid = new HybridSearch(index, createEmbedder({ url: `${base}/v1`, model: "count" }));
    await hybrid.sync();
    const before = seen.length;
    await hybrid.sync();
    expect(seen.length).toBe(before);
    index.upsert("payments", [{ name: "list_payouts", inputSchema: { type: "object" } }]);
    await hybrid.sync();
    expect(seen.length).toBe(before + 1);
  });
});
