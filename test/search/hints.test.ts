import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import type { Tool } from "../../src/mcp/sdk.ts";
import { buildHints } from "../../src/search/build-hints.ts";
import { builtinHints, type HintTable, hintsFor } from "../../src/search/hints.ts";
import { ToolIndex } from "../../src/search/index.ts";
import {
  cleanupsAfterAll,
  connectHttp,
  MEMORY,
  ROOT,
  startGateway,
  tempDir,
  waitFor,
  writeConfig,
} from "../helpers.ts";

setDefaultTimeout(60_000);

const corpus: Record<string, Tool[]> = JSON.parse(
  readFileSync(join(ROOT, "bench/corpus/tools.json"), "utf8"),
);
const memoryTool = (name: string) => corpus.memory!.find((tool) => tool.name === name)!;

describe("built-in hints", () => {
  test("a known tool is recognised by its name and first sentence, whatever its server", () => {
    const hints = builtinHints(memoryTool("delete_observations"));
    expect(hints).toContain("forget that I'm vegetarian");
    // A light edit past the first sentence keeps them.
    const edited = memoryTool("delete_observations");
    expect(builtinHints({ ...edited, description: `${edited.description} Use with care.` })).toBe(
      hints,
    );
  });

  test("registry servers outside the corpus have them too", () => {
    const registry: Record<string, Tool[]> = JSON.parse(
      readFileSync(join(ROOT, "bench/corpus/registry-tools.json"), "utf8"),
    );
    for (const [server, tools] of Object.entries(registry)) {
      for (const tool of tools) expect(builtinHints(tool), `${server}:${tool.name}`).toBeDefined();
    }
  });

  test("another tool that shares the name, or none it knows, gets none", () => {
    const named = { ...memoryTool("read_graph"), description: "Render a chart as a PNG image" };
    expect(builtinHints(named)).toBeUndefined();
    expect(
      builtinHints({ name: "reticulate_splines", inputSchema: { type: "object" } }),
    ).toBeUndefined();
  });

  test("the table's entry with the closest first sentence wins", () => {
    const table: HintTable = {
      search: [
        { about: "index search", requests: ["find orders over $500"] },
        { about: "search web", requests: ["what's the news on the election"] },
      ],
    };
    const web: Tool = {
      name: "search",
      description: "Search the web.",
      inputSchema: { type: "object" },
    };
    expect(builtinHints(web, table)).toBe("what's the news on the election");
  });
});

test("hints.json is what build-hints.ts makes of bench/corpus/requests.jsonl", () => {
  expect(readFileSync(join(ROOT, "src/search/hints.json"), "utf8")).toBe(buildHints().text);
});

describe("hints in the index", () => {
  const tools: Tool[] = [
    {
      name: "tasks_mine",
      description: "Tasks assigned to the current user.",
      inputSchema: { type: "object" },
    },
    { name: "tasks_tags", description: "Tags of a task.", inputSchema: { type: "object" } },
  ];

  test("a request that shares no word with a tool finds it through the tool's hints", () => {
    const plain = new ToolIndex();
    plain.upsert("work", tools);
    expect(plain.search("what's on my plate today")).toEqual([]);
    const hinted = new ToolIndex(
      hintsFor(false, { "work:tasks_mine": ["what's on my plate", "what do I have to do"] }),
    );
    hinted.upsert("work", tools);
    expect(hinted.search("what's on my plate today").map((hit) => hit.tool.name)).toEqual([
      "tasks_mine",
    ]);
  });

  test("the operator's hints come with the built-in ones; off and empty means none", () => {
    const both = hintsFor(true, { "mem:delete_observations": ["scrub the diet note"] })!;
    const text = both("mem", memoryTool("delete_observations"))!;
    expect(text).toContain("scrub the diet note");
    expect(text).toContain("forget that I'm vegetarian");
    expect(both("other", memoryTool("delete_observations"))).not.toContain("scrub");
    expect(hintsFor(false, {})).toBeUndefined();
  });
});

describe("through the gateway", () => {
  const cleanups = cleanupsAfterAll();

  const searchFor = async (search: string, query: string) => {
    const running = await startGateway(`
capabilities: { enabled: false }
search: ${search}
backends:
  memory:
    command: node
    args: ["${MEMORY}"]
`);
    cleanups.push(() => running.stop());
    await waitFor(() => running.gateway.index.tools("memory").length > 0);
    const { client, close } = await connectHttp(running.url);
    cleanups.push(close);
    const result = await client.callTool({ name: "gateway_search_tools", arguments: { query } });
    const { matches } = result.structuredContent as { matches: { tool: string }[] };
    return matches.map((match) => match.tool);
  };

  test("server-memory's tools are found by how people ask, and not with hints off", async () => {
    expect((await searchFor("{}", "I am allergic to peanuts"))[0]).toBe("add_observations");
    expect(await searchFor("{ hints: false }", "I am allergic to peanuts")).toEqual([]);
  });

  test("search.tool_hints teach it the operator's words", async () => {
    const hints = '{ hints: false, tool_hints: { "memory:read_graph": ["brain dump please"] } }';
    expect((await searchFor(hints, "a brain dump"))[0]).toBe("read_graph");
  });

  test("a tool_hints key that is not server:tool is refused at load, naming it", () => {
    const path = writeConfig('search: { tool_hints: { read_graph: ["x"] } }\n');
    expect(() => loadConfig({ path, env: {} })).toThrow(/search\.tool_hints.*server:tool/);
  });

  test("a capability's tags and metadata.examples are indexed for it", async () => {
    const dir = tempDir("mcpgw-cap-hints-");
    const capability = (name: string, examples: string) => `name: ${name}
description: Converts an amount between two currencies at today's rate.
schema:
  input: { type: object, properties: { amount: { type: number } } }
rest: { base_url: "https://example.com", path: /convert }
metadata: { tags: [money], examples: ${examples} }
`;
    writeFileSync(join(dir, "fx.yaml"), capability("fx", '["what is a buck worth in Tokyo"]'));
    writeFileSync(join(dir, "fx2.yaml"), capability("fx2", "[]"));
    const running = await startGateway(`
capabilities: { builtin: false, directories: ["${dir}"] }
search: { hints: false }
`);
    cleanups.push(() => running.stop());
    await waitFor(() => running.gateway.index.tools("capabilities").length === 2);
    const { client, close } = await connectHttp(running.url);
    cleanups.push(close);
    const search = async (query: string) => {
      const result = await client.callTool({ name: "gateway_search_tools", arguments: { query } });
      return (result.structuredContent as { matches: { tool: string }[] }).matches.map(
        (match) => match.tool,
      );
    };
    expect(await search("a buck worth in Tokyo")).toEqual(["fx"]);
    expect((await search("money")).sort()).toEqual(["fx", "fx2"]);
  });
});
