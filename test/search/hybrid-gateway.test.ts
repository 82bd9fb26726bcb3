import { beforeAll, describe, expect, test } from "bun:test";
import { cleanupsAfterAll, connectHttp, startFixtureGateway, waitFor } from "../helpers.ts";

// search.embeddings wired through the gateway: a local fake embedding endpoint (OpenAI shape)
// that places "parrot" next to "echo", as a real model would place synonyms.
const CONCEPTS: Record<string, number> = { parrot: 0, echo: 0, words: 1, message: 1 };
function embed(text: string): number[] {
  const vector = new Array<number>(256).fill(0);
  for (const word of text
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter(Boolean)) {
    const dimension =
      CONCEPTS[word] ??
      8 + ([...word].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 10007, 7) % 240);
    vector[dimension]! += 1;
  }
  return vector;
}

let embedder: ReturnType<typeof Bun.serve>;
let up = true;
const cleanups = cleanupsAfterAll();

beforeAll(() => {
  embedder = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      if (!up) return new Response("down", { status: 503 });
      const body = (await request.json()) as { input: string[] };
      return Response.json({
        data: body.input.map((text, index) => ({ embedding: embed(text), index })),
      });
    },
  });
  // Pushed first, so it stops last: after the gateways that use it.
  cleanups.push(() => embedder.stop(true));
});

describe("hybrid search through the gateway", () => {
  test("search.embeddings fuses an endpoint's similarity with the lexical ranking; a failing endpoint leaves search lexical", async () => {
    const gateway = await startFixtureGateway(`
search:
  embeddings: { url: "http://127.0.0.1:${embedder.port}/v1", model: fake }
`);
    cleanups.push(() => gateway.stop());
    const session = await connectHttp(gateway.url);
    cleanups.push(() => session.close());
    const search = async () => {
      const result = await session.client.callTool({
        name: "gateway_search_tools",
        arguments: { query: "parrot my words", limit: 3 },
      });
      return (result.structuredContent as { matches: { tool: string }[] }).matches.map(
        (m) => m.tool,
      );
    };
    await waitFor(async () => (await search())[0] === "echo", 15_000);

    up = false;
    const lexical = await search();
    expect(Array.isArray(lexical)).toBe(true);
    const health = await (await fetch(`${gateway.url}/health`)).json();
    expect(health.searchEmbeddings.error).toContain("503");
  });
});
