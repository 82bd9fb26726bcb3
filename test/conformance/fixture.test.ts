/**
 * The conformance fixture on its own, driven by the SDK's real client over stdio and over
 * Streamable HTTP: it must serve every tool, resource and prompt the official suite's server
 * scenarios call, with the content those scenarios check, so a failure in `npm run conformance`
 * can only be the gateway's.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { OrderedClient } from "../../src/mcp/sdk.ts";
import { serveHttp } from "../fixtures/conformance/server.ts";
import { BUN, FIXTURES, ROOT } from "../helpers.ts";
import { initializeBody, MCP_HEADERS } from "../security/_helpers.ts";

const FIXTURE = join(FIXTURES, "conformance/server.ts");

/** What the active server scenarios of @modelcontextprotocol/conformance 0.1.16 call. */
const TOOLS = [
  "test_simple_text",
  "test_image_content",
  "test_audio_content",
  "test_embedded_resource",
  "test_multiple_content_types",
  "test_tool_with_logging",
  "test_error_handling",
  "test_tool_with_progress",
  "test_sampling",
  "test_elicitation",
  "test_elicitation_sep1034_defaults",
  "test_elicitation_sep1330_enums",
];
const PENDING_TOOLS = ["test_reconnection", "json_schema_2020_12_tool"];
const PROMPTS = [
  "test_simple_prompt",
  "test_prompt_with_arguments",
  "test_prompt_with_embedded_resource",
  "test_prompt_with_image",
];
/** Names in the suite's bundle that belong to client or tier-check scenarios, not to ours. */
const NOT_SERVER_SCENARIOS = new Set([
  "test_client_elicitation_defaults",
  "test_complete",
  "test_sdk_release",
  "test_spec_release",
]);

type Choice = { const: string; title: string };
type Field = {
  type?: string;
  default?: unknown;
  enum?: string[];
  enumNames?: string[];
  oneOf?: Choice[];
  items?: { enum?: string[]; anyOf?: Choice[] };
};
type Elicited = { message?: string; requestedSchema?: { properties?: Record<string, Field> } };

interface Connected {
  client: OrderedClient;
  elicitations: Elicited[];
  samplingPrompts: string[];
  logs: unknown[];
  close(): Promise<void>;
}

function newClient(): Omit<Connected, "close"> {
  const client = new OrderedClient(
    { name: "fixture-test", version: "1.0.0" },
    { capabilities: { sampling: {}, elicitation: {} } },
  );
  const connected = { client, elicitations: [] as Elicited[], samplingPrompts: [] as string[] };
  const logs: unknown[] = [];
  client.setRequestHandler("sampling/createMessage", async (request) => {
    const content = request.params.messages[0]?.content;
    connected.samplingPrompts.push(
      content && !Array.isArray(content) && content.type === "text" ? content.text : "",
    );
    return {
      role: "assistant",
      content: { type: "text", text: "a sampled answer" },
      model: "test-model",
      stopReason: "endTurn",
    };
  });
  client.setRequestHandler("elicitation/create", async (request) => {
    connected.elicitations.push(request.params as Elicited);
    return { action: "accept", content: { username: "ada", email: "ada@example.com" } };
  });
  client.setNotificationHandler("notifications/message", (notification) => {
    logs.push(notification.params.data);
  });
  return { ...connected, logs };
}

async function connectStdio(): Promise<Connected> {
  const connected = newClient();
  await connected.client.connect(
    new StdioClientTransport({ command: BUN, args: [FIXTURE], stderr: "pipe" }),
  );
  return { ...connected, close: () => connected.client.close() };
}

async function connectHttp(url: string): Promise<Connected> {
  const connected = newClient();
  await connected.client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return { ...connected, close: () => connected.client.close() };
}

type Block = {
  type: string;
  text?: string;
  data?: string;
  mimeType?: string;
  resource?: { uri: string; mimeType?: string; text?: string };
};
const blocks = (result: { content?: unknown }) => (result.content ?? []) as Block[];

/** The checks every transport runs, as unstorage runs one suite for every driver. */
function fixtureSuite(connect: () => Promise<Connected>): void {
  let peer: Connected;
  beforeAll(async () => {
    peer = await connect();
  });
  afterAll(async () => {
    await peer.close();
  });

  test("lists every tool a scenario calls, each with a description and an input schema", async () => {
    const { tools } = await peer.client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([...TOOLS, ...PENDING_TOOLS].sort());
    for (const tool of tools) {
      expect(tool.description).toBeTruthy();
      expect(tool.inputSchema.type).toBe("object");
    }
    const schema = tools.find((tool) => tool.name === "json_schema_2020_12_tool")?.inputSchema;
    expect(schema?.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema?.additionalProperties).toBe(false);
  });

  test("content tools return text, image, audio and embedded resources", async () => {
    const call = (name: string) => peer.client.callTool({ name, arguments: {} });
    expect(blocks(await call("test_simple_text"))[0]?.text).toBe(
      "This is a simple text response for testing.",
    );
    const image = blocks(await call("test_image_content"))[0];
    expect(image?.mimeType).toBe("image/png");
    expect(
      Buffer.from(image?.data ?? "", "base64")
        .subarray(1, 4)
        .toString(),
    ).toBe("PNG");
    const audio = blocks(await call("test_audio_content"))[0];
    expect(audio?.mimeType).toBe("audio/wav");
    expect(
      Buffer.from(audio?.data ?? "", "base64")
        .subarray(8, 12)
        .toString(),
    ).toBe("WAVE");
    const embedded = blocks(await call("test_embedded_resource"))[0];
    expect(embedded?.resource).toMatchObject({
      uri: "test://embedded-resource",
      mimeType: "text/plain",
    });
    const mixed = blocks(await call("test_multiple_content_types"));
    expect(mixed.map((block) => block.type)).toEqual(["text", "image", "resource"]);
    expect(JSON.parse(mixed[2]?.resource?.text ?? "")).toEqual({ test: "data", value: 123 });
  });

  test("test_error_handling is a tool error with a message", async () => {
    const result = await peer.client.callTool({ name: "test_error_handling", arguments: {} });
    expect(result.isError).toBe(true);
    expect(blocks(result)[0]?.text).toContain("intentionally");
  });

  test("test_tool_with_progress reports 0, 50, 100 of 100 on the caller's token", async () => {
    const seen: { progress: number; total?: number }[] = [];
    await peer.client.callTool(
      { name: "test_tool_with_progress", arguments: {} },
      { onprogress: (progress) => void seen.push(progress) },
    );
    expect(seen.map((p) => [p.progress, p.total])).toEqual([
      [0, 100],
      [50, 100],
      [100, 100],
    ]);
  });

  test("test_tool_with_logging sends three messages that logging/setLevel can silence", async () => {
    await peer.client.setLoggingLevel("debug");
    peer.logs.length = 0;
    await peer.client.callTool({ name: "test_tool_with_logging", arguments: {} });
    expect(peer.logs).toEqual([
      "Tool execution started",
      "Tool processing data",
      "Tool execution completed",
    ]);
    await peer.client.setLoggingLevel("error");
    peer.logs.length = 0;
    await peer.client.callTool({ name: "test_tool_with_logging", arguments: {} });
    expect(peer.logs).toEqual([]);
  });

  test("test_sampling asks the client with maxTokens 100 and quotes the answer", async () => {
    const result = await peer.client.callTool({
      name: "test_sampling",
      arguments: { prompt: "What is 2+2?" },
    });
    expect(peer.samplingPrompts.at(-1)).toBe("What is 2+2?");
    expect(blocks(result)[0]?.text).toBe("LLM response: a sampled answer");
  });

  test("elicitation tools send the schemas the SEP-1034 and SEP-1330 scenarios check", async () => {
    const plain = await peer.client.callTool({
      name: "test_elicitation",
      arguments: { message: "Who are you?" },
    });
    expect(peer.elicitations.at(-1)?.message).toBe("Who are you?");
    expect(blocks(plain)[0]?.text).toBe(
      'User response: action=accept, content={"username":"ada","email":"ada@example.com"}',
    );

    await peer.client.callTool({ name: "test_elicitation_sep1034_defaults", arguments: {} });
    const defaults = peer.elicitations.at(-1)?.requestedSchema?.properties ?? {};
    expect(Object.fromEntries(Object.entries(defaults).map(([k, v]) => [k, v.default]))).toEqual({
      name: "John Doe",
      age: 30,
      score: 95.5,
      status: "active",
      verified: true,
    });
    expect(defaults.age?.type).toBe("integer");

    await peer.client.callTool({ name: "test_elicitation_sep1330_enums", arguments: {} });
    const enums = peer.elicitations.at(-1)?.requestedSchema?.properties ?? {};
    expect(enums.untitledSingle?.enum).toHaveLength(3);
    expect(enums.titledSingle?.oneOf?.[0]).toEqual({ const: "value1", title: "First Option" });
    expect(enums.legacyEnum?.enum).toHaveLength(3);
    expect(enums.legacyEnum?.enumNames).toHaveLength(3);
    expect(enums.untitledMulti?.items?.enum).toHaveLength(3);
    expect(enums.titledMulti?.items?.anyOf?.[0]).toEqual({
      const: "value1",
      title: "First Choice",
    });
  });

  test("resources: static text, binary, the template with substitution, subscriptions", async () => {
    const { resources } = await peer.client.listResources();
    expect(resources.map((r) => r.uri)).toEqual([
      "test://static-text",
      "test://static-binary",
      "test://watched-resource",
    ]);
    for (const resource of resources) expect(resource.description).toBeTruthy();
    const { resourceTemplates } = await peer.client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual(["test://template/{id}/data"]);

    const text = (await peer.client.readResource({ uri: "test://static-text" })).contents[0];
    expect(text).toMatchObject({ mimeType: "text/plain" });
    const binary = (await peer.client.readResource({ uri: "test://static-binary" })).contents[0];
    expect(binary && "blob" in binary && binary.blob.length > 0).toBe(true);
    const data = (await peer.client.readResource({ uri: "test://template/123/data" })).contents[0];
    expect(data && "text" in data && JSON.parse(data.text)).toMatchObject({ id: "123" });

    expect(await peer.client.subscribeResource({ uri: "test://watched-resource" })).toEqual({});
    expect(await peer.client.unsubscribeResource({ uri: "test://watched-resource" })).toEqual({});
    await expect(peer.client.readResource({ uri: "test://missing" })).rejects.toThrow(
      /test:\/\/missing/,
    );
  });

  test("prompts: every scenario's prompt, arguments substituted, missing ones refused", async () => {
    const { prompts } = await peer.client.listPrompts();
    expect(prompts.map((prompt) => prompt.name)).toEqual(PROMPTS);
    const simple = await peer.client.getPrompt({ name: "test_simple_prompt" });
    expect(simple.messages[0]?.content).toMatchObject({ type: "text" });
    const withArgs = await peer.client.getPrompt({
      name: "test_prompt_with_arguments",
      arguments: { arg1: "hello", arg2: "world" },
    });
    expect(withArgs.messages[0]?.content).toMatchObject({
      text: "Prompt with arguments: arg1='hello', arg2='world'",
    });
    const embedded = await peer.client.getPrompt({
      name: "test_prompt_with_embedded_resource",
      arguments: { resourceUri: "test://example-resource" },
    });
    expect(embedded.messages[0]?.content).toMatchObject({
      type: "resource",
      resource: { uri: "test://example-resource" },
    });
    const image = await peer.client.getPrompt({ name: "test_prompt_with_image" });
    expect(image.messages[0]?.content).toMatchObject({ type: "image", mimeType: "image/png" });
    await expect(
      peer.client.getPrompt({ name: "test_prompt_with_arguments", arguments: { arg1: "x" } }),
    ).rejects.toThrow(/arg2/);
  });

  test("completion/complete and ping answer", async () => {
    const result = await peer.client.complete({
      ref: { type: "ref/prompt", name: "test_prompt_with_arguments" },
      argument: { name: "arg1", value: "par" },
    });
    expect(result.completion.values).toEqual(["paris", "park", "party"]);
    expect(await peer.client.ping()).toEqual({});
  });
}

describe("conformance fixture over stdio", () => {
  fixtureSuite(connectStdio);
});

describe("conformance fixture over Streamable HTTP", () => {
  let server: ReturnType<typeof serveHttp>;
  let url = "";
  beforeAll(() => {
    server = serveHttp(0);
    url = `http://127.0.0.1:${server.port}/mcp`;
  });
  afterAll(() => server.stop(true));

  fixtureSuite(() => connectHttp(url));

  const initialize = (headers: Record<string, string>) =>
    fetch(url, { method: "POST", headers: { ...MCP_HEADERS, ...headers }, body: initializeBody() });

  test("refuses a foreign Host or Origin (DNS rebinding) and accepts localhost", async () => {
    const port = String(server.port);
    expect((await initialize({ host: "evil.example.com" })).status).toBe(403);
    expect((await initialize({ origin: "http://evil.example.com" })).status).toBe(403);
    const local = await initialize({
      host: `localhost:${port}`,
      origin: `http://localhost:${port}`,
    });
    expect(local.status).toBe(200);
    expect(local.headers.get("mcp-session-id")).toBeTruthy();
  });

  test("an unknown session id gets 404 so the client re-initializes", async () => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "mcp-session-id": "gone" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "ping" }),
    });
    expect(response.status).toBe(404);
  });
});

test("every test_* name in the installed suite's server scenarios is served", () => {
  const bundle = readFileSync(
    join(ROOT, "node_modules/@modelcontextprotocol/conformance/dist/index.js"),
    "utf8",
  );
  const named = new Set(bundle.match(/\btest_[a-z0-9_]+/g));
  const served = new Set([...TOOLS, ...PENDING_TOOLS, ...PROMPTS]);
  const missing = [...named].filter((name) => !served.has(name) && !NOT_SERVER_SCENARIOS.has(name));
  expect(missing).toEqual([]);
});
