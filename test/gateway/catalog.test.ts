import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { EVERYTHING, MEMORY, startGateway, waitFor } from "../helpers.ts";

let gateway: Awaited<ReturnType<typeof startGateway>>;
let client: Client;

beforeAll(async () => {
  gateway = await startGateway(`
backends:
  first:
    command: node
    args: ["${EVERYTHING}", "stdio"]
  second:
    command: node
    args: ["${EVERYTHING}", "stdio"]
  memory:
    command: node
    args: ["${MEMORY}"]
`);
  await waitFor(() =>
    gateway.gateway.pool.statuses().every((s) => s.state === "ready" && s.tools > 0),
  );
  client = new Client({ name: "catalog-test", version: "1" }, { capabilities: {} });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp`)));
}, 30_000);

afterAll(async () => {
  await client?.close();
  await gateway?.stop();
});

describe("resources and prompts of every backend on /mcp", () => {
  test("resources keep the backend's URIs; a clash is exposed as gateway://<backend>/... and reported", async () => {
    const { resources } = await client.listResources();
    const uris = resources.map((r) => r.uri);
    const doc = uris.find((uri) => uri.startsWith("demo://resource/static/document/"))!;
    expect(doc).toBeDefined();
    expect(uris).toContain(`gateway://second/${doc}`);
    const health = await (await fetch(`${gateway.url}/health`)).json();
    expect(health.resourceClashes).toContainEqual({ uri: doc, owner: "first", other: "second" });

    const mine = await client.readResource({ uri: doc });
    expect(mine.contents[0]!.uri).toBe(doc);
    const theirs = await client.readResource({ uri: `gateway://second/${doc}` });
    expect(theirs.contents[0]!.uri).toBe(`gateway://second/${doc}`);
    expect((theirs.contents[0] as { text?: string }).text).toBe(
      (mine.contents[0] as { text?: string }).text,
    );
  });

  test("a URI built from a template reaches the backend that owns the template", async () => {
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toContain(
      "demo://resource/dynamic/text/{resourceId}",
    );
    const read = await client.readResource({ uri: "demo://resource/dynamic/text/42" });
    expect(JSON.stringify(read.contents)).toContain("42");
  });

  test("an unknown resource is -32002", async () => {
    await expect(client.readResource({ uri: "nope://nothing" })).rejects.toThrow(/not found/i);
  });

  test("prompts are merged, clashing names get the backend prefix, and get/complete route to the owner", async () => {
    const { prompts } = await client.listPrompts();
    const names = prompts.map((p) => p.name);
    expect(names).toContain("args-prompt");
    expect(names).toContain("second__args-prompt");
    const result = await client.getPrompt({
      name: "second__args-prompt",
      arguments: { city: "Lima" },
    });
    expect(JSON.stringify(result.messages)).toContain("Lima");
    const completion = await client.complete({
      ref: { type: "ref/prompt", name: "completable-prompt" },
      argument: { name: "department", value: "Mar" },
    });
    expect(completion.completion.values).toContain("Marketing");
  });

  test("subscribe and unsubscribe route to the owner", async () => {
    const { resources } = await client.listResources();
    await client.subscribeResource({ uri: resources[0]!.uri });
    await client.unsubscribeResource({ uri: resources[0]!.uri });
    await client.setLoggingLevel("info");
    expect(gateway.gateway.logLevels.size).toBe(1);
  });
});
