import { describe, expect, test } from "bun:test";
import { flatName, page } from "../../src/meta/surface.ts";
import {
  cleanupsAfterAll,
  connectHttp,
  firstText,
  startFixtureGateway,
  waitFor,
} from "../helpers.ts";

const cleanups = cleanupsAfterAll();

async function fixtureGateway(yaml = "") {
  const gateway = await startFixtureGateway(yaml);
  cleanups.push(() => gateway.stop());
  return gateway;
}

async function gatewayWith(meta: string) {
  const gateway = await fixtureGateway(`meta_mcp: ${meta}`);
  const session = await connectHttp(gateway.url);
  cleanups.push(() => session.close());
  return session.client;
}

describe("tool names", () => {
  test("server__tool, and past 64 characters 55 + _ + 8 hex of sha256, stable and distinct", () => {
    expect(flatName("github", "create_issue")).toBe("github__create_issue");
    const long = flatName(
      "a-rather-long-server-name",
      "and_an_even_longer_tool_name_that_goes_on_and_on",
    );
    expect(long).toHaveLength(64);
    const full = "a-rather-long-server-name__and_an_even_longer_tool_name_that_goes_on_and_on";
    expect(long.slice(0, 55)).toBe(full.slice(0, 55));
    expect(long.slice(55)).toMatch(/^_[0-9a-f]{8}$/);
    expect(
      flatName("a-rather-long-server-name", "and_an_even_longer_tool_name_that_goes_on_and_on"),
    ).toBe(long);
    expect(
      flatName("a-rather-long-server-name", "and_an_even_longer_tool_name_that_goes_on_and_off"),
    ).not.toBe(long);
  });

  test("pages carry the gateway's own cursor", () => {
    const items = Array.from({ length: 450 }, (_, i) => i);
    const first = page(items, undefined);
    expect(first.items).toHaveLength(200);
    const second = page(items, first.nextCursor);
    expect(second.items[0]).toBe(200);
    const third = page(items, second.nextCursor);
    expect(third.items).toHaveLength(50);
    expect(third.nextCursor).toBeUndefined();
    expect(() => page(items, "garbage")).toThrow("Invalid cursor");
  });
});

describe("surfaced tools", () => {
  test("appear in tools/list beside the meta tools and are called in one hop", async () => {
    const client = await gatewayWith(
      '{ surfaced_tools: ["fixture:echo", { server: fixture, tool: counter }, "fixture:missing"] }',
    );
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    expect(names.slice(0, 4)).toEqual([
      "gateway_list_servers",
      "gateway_list_tools",
      "gateway_search_tools",
      "gateway_invoke",
    ]);
    expect(names.slice(4)).toEqual(["fixture__echo", "fixture__counter"]);
    const echo = tools.find((t) => t.name === "fixture__echo")!;
    expect(echo.inputSchema.properties).toHaveProperty("message");
    expect(
      firstText(
        await client.callTool({ name: "fixture__echo", arguments: { message: "one hop" } }),
      ),
    ).toBe("one hop");
    const wrong = await client.callTool({ name: "fixture__echo", arguments: { message: 5 } });
    expect(firstText(wrong)).toStartWith("[INVALID_ARGUMENTS]");
  });
});

describe("flat mode", () => {
  test("meta_mcp.enabled: false lists every reachable tool as server__tool and calls it", async () => {
    const client = await gatewayWith("{ enabled: false }");
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    expect(names).not.toContain("gateway_invoke");
    expect(names).toContain("fixture__echo");
    expect(names).toContain("fixture__slow");
    expect(names.every((n) => n.startsWith("fixture__"))).toBe(true);
    expect(client.getInstructions()).toBeUndefined();
    expect(
      firstText(await client.callTool({ name: "fixture__echo", arguments: { message: "flat" } })),
    ).toBe("flat");
    await expect(client.callTool({ name: "gateway_invoke", arguments: {} })).rejects.toThrow(
      /not found/,
    );
  });
});

describe("usage-aware search", () => {
  test("successful calls are counted per caller for ranking; failed ones are not", async () => {
    const gateway = await fixtureGateway();
    const rank = () =>
      gateway.gateway.index
        .search("count", { limit: 25, usage: (s, t) => gateway.gateway.usage.count("local", s, t) })
        .map((hit) => hit.tool.name);
    expect(rank()).toContain("counter");
    const session = await connectHttp(gateway.url);
    cleanups.push(() => session.close());
    for (let i = 0; i < 3; i++) {
      await session.client.callTool({
        name: "gateway_invoke",
        arguments: { server: "fixture", tool: "counter", arguments: { key: String(i) } },
      });
    }
    await waitFor(() => gateway.gateway.usage.count("local", "fixture", "counter") === 3);
    // A failed call is no evidence: it is not counted.
    await session.client.callTool({
      name: "gateway_invoke",
      arguments: { server: "fixture", tool: "fail" },
    });
    expect(gateway.gateway.usage.count("local", "fixture", "fail")).toBe(0);
  });
});

describe("flat mode per client", () => {
  test("/mcp?surface=flat gives one client every tool directly while others keep the meta tools", async () => {
    const gateway = await fixtureGateway();
    const { Client, StreamableHTTPClientTransport } = await import("@modelcontextprotocol/client");
    const flat = new Client({ name: "flat", version: "1" }, { capabilities: {} });
    await flat.connect(
      new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp?surface=flat`)),
    );
    cleanups.push(() => flat.close());
    const flatNames = (await flat.listTools()).tools.map((t) => t.name);
    expect(flatNames).toContain("fixture__echo");
    expect(flatNames).not.toContain("gateway_invoke");
    expect(
      firstText(
        await flat.callTool({ name: "fixture__echo", arguments: { message: "flat client" } }),
      ),
    ).toBe("flat client");
    const meta = await connectHttp(gateway.url);
    cleanups.push(() => meta.close());
    expect((await meta.client.listTools()).tools.map((t) => t.name)).toContain("gateway_invoke");
  });
});
