import { beforeAll, describe, expect, test } from "bun:test";
import { hashKey } from "../../src/security/keys.ts";
import {
  BUN,
  cleanupsAfterAll,
  connectHttp,
  FIXTURE_SERVER,
  startFixtureGateway,
  startGateway,
  waitFor,
} from "../helpers.ts";
import { connectWithKey } from "../security/_helpers.ts";

const cleanups = cleanupsAfterAll();

interface Match {
  server: string;
  tool: string;
  description: string;
  inputSchema?: { properties?: Record<string, unknown> };
  declaration?: string;
  score: number;
  status?: string;
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

describe("gateway_search_tools × a backend that cannot take calls", () => {
  test("its matches come after the callable ones and say why", async () => {
    const gateway = await startGateway(`
capabilities: { enabled: false }
backends:
  alpha: { command: ${BUN}, args: ["${FIXTURE_SERVER}"] }
  beta: { command: ${BUN}, args: ["${FIXTURE_SERVER}"] }
`);
    cleanups.push(() => gateway.stop());
    await waitFor(() => ["alpha", "beta"].every((s) => gateway.gateway.index.tools(s).length > 0));
    const session = await connectHttp(gateway.url);
    cleanups.push(() => session.close());
    const search = async (format?: string) => {
      const result = await session.client.callTool({
        name: "gateway_search_tools",
        arguments: { query: "echo a message", limit: 4, ...(format ? { format } : {}) },
      });
      return (result.structuredContent as { matches: Match[] }).matches;
    };
    const echoes = (matches: Match[]) => matches.filter((m) => m.tool === "echo");
    expect(echoes(await search()).every((m) => m.status === undefined)).toBe(true);
    // alpha's breaker opens (as after repeated failures, or told by another instance).
    gateway.gateway.pool.openBreaker("alpha", 60_000);
    for (const format of [undefined, "typescript"]) {
      const matches = await search(format);
      const alpha = matches.findIndex((m) => m.server === "alpha");
      const beta = matches.findIndex((m) => m.server === "beta");
      expect(beta).toBeGreaterThanOrEqual(0);
      expect(alpha).toBeGreaterThan(beta);
      expect(matches.slice(0, alpha).every((m) => m.server !== "alpha")).toBe(true);
      expect(matches[alpha]!.status).toContain("circuit breaker is open");
      expect(matches[beta]!.status).toBeUndefined();
    }
  });
});

describe("gateway_search_tools takes the original's query forms", () => {
  const USER = "user-key-0123456789abcdef";
  let url = "";
  let tools: string[] = [];
  const search = async (
    args: Record<string, unknown>,
  ): Promise<{ matches?: Match[]; total?: number; error?: string }> => {
    const session = await connectWithKey(url, USER);
    cleanups.push(() => session.close());
    const result = await session.client.callTool({ name: "gateway_search_tools", arguments: args });
    if (result.isError) return { error: JSON.stringify(result.content) };
    return result.structuredContent as { matches: Match[]; total?: number };
  };
  const names = (found: { matches?: Match[] }) =>
    (found.matches ?? []).map((m) => `${m.server}:${m.tool}`);

  beforeAll(async () => {
    const gateway = await startGateway(`
capabilities: { enabled: false }
auth:
  enabled: true
  api_keys:
    - { name: user, key: "${hashKey(USER)}", backends: [open] }
backends:
  open: { command: ${BUN}, args: ["${FIXTURE_SERVER}"] }
  private: { command: ${BUN}, args: ["${FIXTURE_SERVER}"] }
`);
    cleanups.push(() => gateway.stop());
    await waitFor(() => gateway.gateway.index.tools("private").length > 0);
    await waitFor(() => gateway.gateway.index.tools("open").length > 0);
    url = gateway.url;
    tools = gateway.gateway.index.tools("open").map((t) => `open:${t.name}`);
  });

  test("an empty query lists the tools the key reaches, with their count", async () => {
    const found = await search({ query: "", limit: 25 });
    expect(found.total).toBe(tools.length);
    expect(names(found).sort()).toEqual([...tools].sort());
    // The first ones carry schemas to call them by, the rest one line each.
    expect(found.matches![0]!.inputSchema).toBeDefined();
    expect(found.matches!.at(-1)!.inputSchema).toBeUndefined();
  });

  test("a pattern matches server:tool and names; a server: prefix narrows the search", async () => {
    expect(names(await search({ query: "open:*", limit: 25 })).sort()).toEqual([...tools].sort());
    expect(names(await search({ query: "open:ech?" }))).toEqual(["open:echo"]);
    expect(names(await search({ query: "*ECHO*" }))).toEqual(["open:echo"]);
    const narrowed = await search({ query: "open: echo a message back" });
    expect(names(narrowed)[0]).toBe("open:echo");
    expect(names(narrowed).every((n) => n.startsWith("open:"))).toBe(true);
    // A question is words, not a pattern.
    expect(names(await search({ query: "can you echo a message back?" }))[0]).toBe("open:echo");
    // A prefix that names no server stays part of the words.
    expect(names(await search({ query: "note: echo a message back" }))[0]).toBe("open:echo");
  });

  test("a hidden server's prefix or pattern finds nothing and confirms nothing", async () => {
    expect(names(await search({ query: "private:*" }))).toEqual([]);
    expect(names(await search({ query: "*:echo" }))).toEqual(["open:echo"]);
    // Searched as words, as a prefix naming no server is (no SERVER_NOT_FOUND to tell them apart).
    expect(names(await search({ query: "private:echo" }))).toEqual(["open:echo"]);
    expect(names(await search({ query: "nowhere:echo" }))).toEqual(["open:echo"]);
  });
});
