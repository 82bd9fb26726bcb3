import { describe, expect, test } from "bun:test";
import { cleanupsAfterAll, connectHttp, startFixtureGateway } from "../helpers.ts";

const cleanups = cleanupsAfterAll();

interface Match {
  server: string;
  tool: string;
  description: string;
  inputSchema?: { properties?: Record<string, unknown> };
  declaration?: string;
  score: number;
}

async function search(args: Record<string, unknown>): Promise<Match[]> {
  const gateway = await startFixtureGateway();
  cleanups.push(() => gateway.stop());
  const session = await connectHttp(gateway.url);
  cleanups.push(() => session.close());
  const result = await session.client.callTool({ name: "gateway_search_tools", arguments: args });
  return (result.structuredContent as { matches: Match[] }).matches;
}

describe("gateway_search_tools results", () => {
  test("the first matches carry their schemas, distant ones one line each", async () => {
    const matches = await search({ query: "echo a message, or return an error", limit: 10 });
    expect(matches[0]).toMatchObject({ server: "fixture", tool: "echo" });
    expect(matches[0]!.inputSchema?.properties).toHaveProperty("message");
    expect(matches[1]!.inputSchema).toBeDefined();
    const distant = matches.slice(2).filter((m) => m.score < 0.6 * matches[0]!.score);
    expect(distant.length).toBeGreaterThan(0);
    for (const match of distant) {
      expect(match.inputSchema).toBeUndefined();
      expect(match.description).not.toContain("\n");
      expect(match.description.length).toBeLessThanOrEqual(121);
    }
  });

  test("format typescript still declares every match", async () => {
    const matches = await search({
      query: "echo a message, or return an error",
      limit: 10,
      format: "typescript",
    });
    expect(matches.length).toBeGreaterThan(2);
    for (const match of matches) expect(match.declaration).toBeString();
  });
});
