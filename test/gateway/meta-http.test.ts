import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  type ConnectedClient,
  connectHttp,
  EVERYTHING,
  firstText,
  MEMORY,
  startGateway,
  waitFor,
} from "../helpers.ts";

let gateway: Awaited<ReturnType<typeof startGateway>>;
let session: ConnectedClient;

beforeAll(async () => {
  gateway = await startGateway(`
backends:
  everything:
    command: node
    args: ["${EVERYTHING}", "stdio"]
  memory:
    command: node
    args: ["${MEMORY}"]
`);
  session = await connectHttp(gateway.url);
  await waitFor(() => gateway.gateway.index.tools("everything").length > 0);
  await waitFor(() => gateway.gateway.index.tools("memory").length > 0);
});

afterAll(async () => {
  await session?.close();
  await gateway?.stop();
});

describe("meta-tool surface over Streamable HTTP", () => {
  test("tools/list shows exactly the four meta tools, annotated, with output schemas", async () => {
    const { tools } = await session.client.listTools();
    expect(tools.map((t) => t.name)).toEqual([
      "gateway_list_servers",
      "gateway_list_tools",
      "gateway_search_tools",
      "gateway_invoke",
    ]);
    for (const tool of tools) {
      expect(tool.description!.length).toBeGreaterThan(20);
      expect(tool.annotations).toBeDefined();
    }
    for (const name of ["gateway_list_servers", "gateway_list_tools", "gateway_search_tools"]) {
      expect(tools.find((t) => t.name === name)!.outputSchema).toBeDefined();
    }
  });

  test("initialize carries instructions on how to search and invoke", () => {
    const instructions = session.client.getInstructions() ?? "";
    expect(instructions).toContain("gateway_search_tools");
    expect(instructions).toContain("gateway_invoke");
  });

  test("gateway_list_servers returns structured content and the same JSON as text", async () => {
    const result = await session.client.callTool({ name: "gateway_list_servers", arguments: {} });
    const structured = result.structuredContent as { servers: { name: string; tools: number }[] };
    expect(JSON.parse(firstText(result))).toEqual(structured);
    const names = structured.servers.map((s) => s.name).sort();
    expect(names).toEqual(["capabilities", "everything", "memory"]);
    for (const server of structured.servers) expect(server.tools).toBeGreaterThan(0);
  });

  test("gateway_list_tools lists every tool, and schemas when a server is given", async () => {
    // Every page: the built-in capabilities alone fill more than the first.
    const rows: Record<string, unknown>[] = [];
    let cursor: string | undefined;
    do {
      const page = await session.client.callTool({
        name: "gateway_list_tools",
        arguments: cursor ? { cursor } : {},
      });
      const content = page.structuredContent as {
        tools: Record<string, unknown>[];
        nextCursor?: string;
      };
      rows.push(...content.tools);
      cursor = content.nextCursor;
    } while (cursor);
    expect(rows.some((r) => r.server === "memory" && r.tool === "create_entities")).toBe(true);
    expect(rows[0]!.inputSchema).toBeUndefined();
    const one = await session.client.callTool({
      name: "gateway_list_tools",
      arguments: { server: "everything" },
    });
    const tools = (one.structuredContent as { tools: Record<string, unknown>[] }).tools;
    expect(tools.every((r) => r.server === "everything")).toBe(true);
    expect(tools.find((r) => r.tool === "echo")!.inputSchema).toBeDefined();
  });

  test("gateway_search_tools ranks the right tool first and returns its input schema", async () => {
    const result = await session.client.callTool({
      name: "gateway_search_tools",
      arguments: { query: "sum of two numbers" },
    });
    const { matches } = result.structuredContent as {
      matches: {
        server: string;
        tool: string;
        inputSchema: { properties: object };
        score: number;
      }[];
    };
    expect(matches[0]).toMatchObject({ server: "everything", tool: "get-sum" });
    expect(Object.keys(matches[0]!.inputSchema.properties)).toEqual(["a", "b"]);
    const entities = await session.client.callTool({
      name: "gateway_search_tools",
      arguments: { query: "create entities in the knowledge graph", limit: 2 },
    });
    const top = (entities.structuredContent as { matches: { tool: string }[] }).matches;
    expect(top.length).toBeLessThanOrEqual(2);
    expect(top[0]!.tool).toBe("create_entities");
  });

  test("gateway_search_tools filters by server", async () => {
    const result = await session.client.callTool({
      name: "gateway_search_tools",
      arguments: { query: "create", server: "everything", limit: 25 },
    });
    const { matches } = result.structuredContent as { matches: { server: string }[] };
    expect(matches.every((m) => m.server === "everything")).toBe(true);
  });

  test("gateway_invoke forwards and returns the backend's result untouched", async () => {
    const result = await session.client.callTool({
      name: "gateway_invoke",
      arguments: { server: "everything", tool: "get-sum", arguments: { a: 2, b: 40 } },
    });
    expect(result.isError).toBeFalsy();
    expect(firstText(result)).toContain("42");
  });

  test("gateway_invoke accepts arguments as a JSON string", async () => {
    const result = await session.client.callTool({
      name: "gateway_invoke",
      arguments: { server: "everything", tool: "echo", arguments: '{"message":"hi"}' },
    });
    expect(firstText(result)).toContain("hi");
  });

  test("an unknown tool is a tool error naming close matches", async () => {
    const result = await session.client.callTool({
      name: "gateway_invoke",
      arguments: { server: "everything", tool: "get-summ", arguments: {} },
    });
    expect(result.isError).toBe(true);
    expect(firstText(result)).toStartWith("[TOOL_NOT_FOUND]");
    expect(firstText(result)).toContain("did you mean get-sum");
  });

  test("an unknown server is a tool error naming close matches", async () => {
    const result = await session.client.callTool({
      name: "gateway_invoke",
      arguments: { server: "memori", tool: "read_graph" },
    });
    expect(result.isError).toBe(true);
    expect(firstText(result)).toStartWith("[SERVER_NOT_FOUND]");
    expect(firstText(result)).toContain("memory");
  });

  test("wrong arguments are refused before forwarding, naming the field", async () => {
    const result = await session.client.callTool({
      name: "gateway_invoke",
      arguments: { server: "everything", tool: "get-sum", arguments: { a: "two", b: 3 } },
    });
    expect(result.isError).toBe(true);
    expect(firstText(result)).toStartWith("[INVALID_ARGUMENTS]");
    expect(firstText(result)).toContain("/a");
  });
});
