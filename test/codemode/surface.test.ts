import { describe, expect, test } from "bun:test";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { cleanupsAfterAll, connectHttp, firstText, startFixtureGateway } from "../helpers.ts";
import { connectWithKey, meta } from "../security/_helpers.ts";

const cleanups = cleanupsAfterAll();

async function gatewayWith(yaml: string) {
  const gateway = await startFixtureGateway(yaml);
  cleanups.push(() => gateway.stop());
  return gateway;
}

const CODE_MODE_PATH = "/mcp?codemode=search_and_execute";

describe("the code-mode surfaces", () => {
  test("?codemode=search_and_execute serves search and execute only, surfaced tools hidden", async () => {
    const gateway = await gatewayWith(
      'code_mode: { enabled: true }\nmeta_mcp: { surfaced_tools: ["fixture:echo"] }',
    );
    const session = await connectWithKey(gateway.url, undefined, CODE_MODE_PATH);
    cleanups.push(() => session.close());
    const { tools } = await session.client.listTools();
    expect(tools.map((t) => t.name)).toEqual(["gateway_search_tools", "gateway_execute"]);
    expect(countTokens(JSON.stringify(tools))).toBeLessThan(400);
    expect(session.client.getInstructions()).toContain("gateway_execute");
    await expect(
      session.client.callTool({
        name: "gateway_invoke",
        arguments: { server: "fixture", tool: "echo", arguments: { message: "x" } },
      }),
    ).rejects.toThrow("not found");
    const out = await meta(session.client, "gateway_execute", {
      code: `return await tools.fixture.echo({ message: "via code mode" })`,
    });
    expect(out.data.result).toBe("via code mode");
    // The default surface of the same gateway: the four meta tools, execute, the surfaced tool.
    const plain = await connectHttp(gateway.url);
    cleanups.push(() => plain.close());
    const listed = (await plain.client.listTools()).tools.map((t) => t.name);
    expect(listed).toEqual([
      "gateway_list_servers",
      "gateway_list_tools",
      "gateway_search_tools",
      "gateway_invoke",
      "gateway_execute",
      "fixture__echo",
    ]);
  });

  test("with code_mode off: no gateway_execute, and ?codemode= says which setting turns it on", async () => {
    const gateway = await gatewayWith("");
    const plain = await connectHttp(gateway.url);
    cleanups.push(() => plain.close());
    const names = (await plain.client.listTools()).tools.map((t) => t.name);
    expect(names).not.toContain("gateway_execute");
    const refused = await plain.client
      .callTool({ name: "gateway_execute", arguments: { code: "return 1" } })
      .then(firstText, (error: Error) => error.message);
    expect(refused).toContain("not found");
    const response = await fetch(`${gateway.url}${CODE_MODE_PATH}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: {
          protocolVersion: "2025-11-25",
          capabilities: {},
          clientInfo: { name: "t", version: "1" },
        },
      }),
    });
    expect(response.status).toBe(404);
    expect(await response.text()).toContain("code_mode.enabled: true");
    const unknown = await fetch(`${gateway.url}/mcp?codemode=everything`, {
      method: "POST",
      body: "{}",
    });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain("codemode=search_and_execute");
  });

  test("a 2026-07-28 (stateless) client gets the same code-mode surface", async () => {
    const gateway = await gatewayWith("code_mode: { enabled: true }");
    const client = new Client(
      { name: "modern", version: "1" },
      { capabilities: {}, versionNegotiation: { mode: { pin: "2026-07-28" } } },
    );
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${gateway.url}${CODE_MODE_PATH}`)),
    );
    cleanups.push(() => client.close());
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(["gateway_search_tools", "gateway_execute"]);
    const out = await meta(client, "gateway_execute", {
      code: `return await tools.fixture.echo({ message: "stateless" })`,
    });
    expect(out.data.result).toBe("stateless");
  });

  test('gateway_search_tools format: "typescript" gives each match as a declaration', async () => {
    const gateway = await gatewayWith("code_mode: { enabled: true }");
    const session = await connectHttp(gateway.url);
    cleanups.push(() => session.close());
    const out = await meta(session.client, "gateway_search_tools", {
      query: "echo a message",
      format: "typescript",
      limit: 1,
    });
    const [match] = out.data.matches as { server: string; tool: string; declaration: string }[];
    expect(match).toMatchObject({ server: "fixture", tool: "echo" });
    expect(match!.declaration).toBe(
      "/** Echo a message back */\ntools.fixture.echo(args: { message?: string }): Promise<unknown>",
    );
    const wrong = await meta(session.client, "gateway_search_tools", {
      query: "x",
      format: "yaml",
    });
    expect(wrong.text).toStartWith("[INVALID_ARGUMENTS]");
  });
});
