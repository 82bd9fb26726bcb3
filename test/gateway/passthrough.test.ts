import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { firstText, startEverythingGateway, type startGateway, waitFor } from "../helpers.ts";

let gateway: Awaited<ReturnType<typeof startGateway>>;
let client: Client;

beforeAll(async () => {
  gateway = await startEverythingGateway();
  client = new Client(
    { name: "passthrough-test", version: "1" },
    { capabilities: { sampling: {}, elicitation: { form: {} }, roots: { listChanged: true } } },
  );
  client.setRequestHandler("sampling/createMessage", async (request) => ({
    role: "assistant",
    content: {
      type: "text",
      text: `sampled: ${JSON.stringify(request.params.messages[0]?.content)}`,
    },
    model: "test-model",
  }));
  client.setRequestHandler("elicitation/create", async () => ({
    action: "accept",
    content: { name: "Ada", check: true, firstLine: "x", email: "a@b.c", integer: 3, number: 1.5 },
  }));
  client.setRequestHandler("roots/list", async () => ({
    roots: [{ uri: "file:///work/project", name: "project" }],
  }));
  await client.connect(new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp/everything`)));
});

afterAll(async () => {
  await client?.close();
  await gateway?.stop();
});

describe("/mcp/{backend} passes one backend through with its own names", () => {
  test("initialize mirrors the backend's identity and capabilities", () => {
    expect(client.getServerVersion()?.name).toBe("mcp-servers/everything");
    const capabilities = client.getServerCapabilities()!;
    expect(capabilities.resources?.subscribe).toBe(true);
    expect(capabilities.prompts).toBeDefined();
    expect(capabilities.completions).toBeDefined();
  });

  test("tools are listed and called by their own names", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain("get-sum");
    const result = await client.callTool({ name: "get-sum", arguments: { a: 1, b: 2 } });
    expect(firstText(result)).toContain("3");
  });

  test("resources, templates, prompts and completion pass through", async () => {
    const { resources } = await client.listResources();
    expect(resources.length).toBeGreaterThan(0);
    const read = await client.readResource({ uri: resources[0]!.uri });
    expect(read.contents[0]!.uri).toBe(resources[0]!.uri);
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate).join(" ")).toContain(
      "demo://resource/dynamic",
    );
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name)).toContain("args-prompt");
    const prompt = await client.getPrompt({ name: "args-prompt", arguments: { city: "Oslo" } });
    expect(JSON.stringify(prompt.messages)).toContain("Oslo");
    const completion = await client.complete({
      ref: { type: "ref/prompt", name: "completable-prompt" },
      argument: { name: "department", value: "E" },
    });
    expect(completion.completion.values).toContain("Engineering");
  });

  test("logging/setLevel reaches the backend and subscribe/unsubscribe answer", async () => {
    await client.setLoggingLevel("debug");
    const { resources } = await client.listResources();
    await client.subscribeResource({ uri: resources[0]!.uri });
    await client.unsubscribeResource({ uri: resources[0]!.uri });
  });

  // (roots during a call are covered with the fixture in reverse.test.ts: server-everything asks
  // for roots once after initialize, when no call is in flight, and caches the answer.)
  test("sampling and elicitation requests reach this client during its call", async () => {
    const sampled = await client.callTool({
      name: "trigger-sampling-request",
      arguments: { prompt: "hello there", maxTokens: 10 },
    });
    expect(JSON.stringify(sampled.content)).toContain("sampled:");
    const elicited = await client.callTool({ name: "trigger-elicitation-request", arguments: {} });
    expect(JSON.stringify(elicited.content)).toContain("Ada");
  });

  test("progress from a long-running operation arrives on the client's token", async () => {
    const seen: number[] = [];
    const result = await client.callTool(
      { name: "trigger-long-running-operation", arguments: { duration: 1, steps: 3 } },
      { onprogress: (p) => seen.push(p.progress) },
    );
    expect(result.isError).toBeFalsy();
    expect(seen.length).toBeGreaterThanOrEqual(2);
  });

  test("calls are observed like any other (metrics, usage, the dashboard)", async () => {
    const seen: string[] = [];
    gateway.gateway.hooks.hook("tool:call:after", (call) => {
      seen.push(`${call.server}:${call.tool}`);
    });
    await client.callTool({ name: "echo", arguments: { message: "watched" } });
    await waitFor(() => seen.includes("everything:echo"));
  });

  test("an unknown backend is a 404 that says where to look", async () => {
    const response = await fetch(`${gateway.url}/mcp/nope`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
    });
    expect(response.status).toBe(404);
    expect(await response.text()).toContain("no backend named nope");
  });
});
