/**
 * Attack: a scoped key reading another backend's resources and prompts through the merged
 * catalog on /mcp (resources, templates, prompts, completion), where no tool scope is named;
 * and a key granted one tool of a server reading all of its resources and prompts, on /mcp and
 * on /mcp/{backend}.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { hashKey } from "../../src/security/keys.ts";
import { type ConnectedClient, EVERYTHING, MEMORY, startGateway, waitFor } from "../helpers.ts";
import { connectWithKey, meta } from "./_helpers.ts";

setDefaultTimeout(30_000);

const MEMONLY = "memonly-key-0123456789abcdef";
const FULL = "full-key-0123456789abcdef";
const ECHO = "echo-key-0123456789abcdef";
const READER = "reader-key-0123456789abcdef";
let gateway: Awaited<ReturnType<typeof startGateway>>;
let memonly: ConnectedClient;
let full: ConnectedClient;

beforeAll(async () => {
  gateway = await startGateway(`
capabilities: { enabled: false }
auth:
  enabled: true
  api_keys:
    - name: memonly
      key: "${hashKey(MEMONLY)}"
      backends: [memory]
    - name: full
      key: "${hashKey(FULL)}"
    - name: echo
      key: "${hashKey(ECHO)}"
      allowed_tools: ["everything:echo"]
    - name: reader
      key: "${hashKey(READER)}"
      resources: [everything]
backends:
  memory:
    command: node
    args: ["${MEMORY}"]
  everything:
    command: node
    args: ["${EVERYTHING}", "stdio"]
`);
  await waitFor(() => gateway.gateway.index.tools("everything").length > 0);
  memonly = await connectWithKey(gateway.url, MEMONLY);
  full = await connectWithKey(gateway.url, FULL);
});

afterAll(async () => {
  await memonly?.close();
  await full?.close();
  await gateway?.stop();
});

describe("resources and prompts follow the key's scopes", () => {
  test("a key for one backend does not see another backend's resources, templates or prompts", async () => {
    const all = await full.client.listResources();
    expect(all.resources.some((r) => r.uri.startsWith("demo://"))).toBe(true);
    const mine = await memonly.client.listResources();
    expect(mine.resources.some((r) => r.uri.startsWith("demo://"))).toBe(false);
    const templates = await memonly.client.listResourceTemplates();
    expect(templates.resourceTemplates).toEqual([]);
    const prompts = await memonly.client.listPrompts();
    expect(prompts.prompts.map((p) => p.name)).not.toContain("simple-prompt");
  });

  test("nor read, get or complete them by name", async () => {
    const uri = (await full.client.listResources()).resources.find((r) =>
      r.uri.startsWith("demo://"),
    )!.uri;
    await expect(memonly.client.readResource({ uri })).rejects.toThrow(/not found/i);
    await expect(
      memonly.client.readResource({ uri: "demo://resource/dynamic/text/1" }),
    ).rejects.toThrow(/not found/i);
    await expect(memonly.client.getPrompt({ name: "simple-prompt" })).rejects.toThrow(/not found/i);
    await expect(
      memonly.client.complete({
        ref: { type: "ref/prompt", name: "completable-prompt" },
        argument: { name: "department", value: "E" },
      }),
    ).rejects.toThrow(/not found/i);
    await expect(memonly.client.subscribeResource({ uri })).rejects.toThrow(/not found/i);
  });
});

describe("a grant of one tool is not a grant of the server's resources and prompts", () => {
  const COMPLETE = {
    ref: { type: "ref/prompt" as const, name: "completable-prompt" },
    argument: { name: "department", value: "E" },
  };

  for (const path of ["/mcp", "/mcp/everything"]) {
    test(`allowed_tools: ["everything:echo"] on ${path}`, async () => {
      const echo = await connectWithKey(gateway.url, ECHO, path);
      try {
        const tool = path === "/mcp" ? "everything__echo" : "echo";
        if (path === "/mcp") {
          const { text } = await meta(echo.client, "gateway_invoke", {
            server: "everything",
            tool: "echo",
            arguments: { message: "ok" },
          });
          expect(text).toContain("ok");
        } else {
          const result = await echo.client.callTool({ name: tool, arguments: { message: "ok" } });
          expect(JSON.stringify(result.content)).toContain("ok");
        }
        const listed = await echo.client.listResources().catch(() => ({ resources: [] }));
        expect(listed.resources).toEqual([]);
        const templates = await echo.client
          .listResourceTemplates()
          .catch(() => ({ resourceTemplates: [] }));
        expect(templates.resourceTemplates).toEqual([]);
        const prompts = await echo.client.listPrompts().catch(() => ({ prompts: [] }));
        expect(prompts.prompts).toEqual([]);
        await expect(
          echo.client.readResource({ uri: "demo://resource/static/document/architecture.md" }),
        ).rejects.toThrow();
        await expect(echo.client.getPrompt({ name: "simple-prompt" })).rejects.toThrow();
        await expect(echo.client.complete(COMPLETE)).rejects.toThrow();
      } finally {
        await echo.close();
      }
    });
  }

  test("resources: [everything] gives its resources, not its prompts or tools", async () => {
    for (const path of ["/mcp", "/mcp/everything"]) {
      const reader = await connectWithKey(gateway.url, READER, path);
      try {
        const { resources } = await reader.client.listResources();
        expect(resources.some((r) => r.uri.startsWith("demo://"))).toBe(true);
        const read = await reader.client.readResource({ uri: resources[0]!.uri });
        expect(read.contents.length).toBeGreaterThan(0);
        const prompts = await reader.client.listPrompts().catch(() => ({ prompts: [] }));
        expect(prompts.prompts).toEqual([]);
        await expect(reader.client.getPrompt({ name: "simple-prompt" })).rejects.toThrow();
        if (path === "/mcp") {
          const { text } = await meta(reader.client, "gateway_invoke", {
            server: "everything",
            tool: "echo",
            arguments: { message: "no" },
          });
          expect(text).toContain("denied by policy");
        } else {
          const result = await reader.client.callTool({
            name: "echo",
            arguments: { message: "no" },
          });
          expect(JSON.stringify(result.content)).toContain("denied by policy");
        }
      } finally {
        await reader.close();
      }
    }
  });
});
