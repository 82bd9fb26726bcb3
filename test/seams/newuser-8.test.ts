import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { importOpenApi } from "../../src/capabilities/openapi/import.ts";
import { connectHttp, firstText, MEMORY, startGateway, tempDir, waitFor } from "../helpers.ts";

setDefaultTimeout(60_000);

// An outside tester's findings (seams-a): a user switching from the original gateway with its
// configs, capability files and agents' calls as they are, and a new user following the docs.

describe("gateway_list_tools {role} (the original's filter)", () => {
  test("lists only the tools of that role; an unknown role is refused naming the roles", async () => {
    const gateway = await startGateway(`
capabilities: { enabled: false }
backends:
  memory:
    command: node
    args: ["${MEMORY}"]
    env: { MEMORY_FILE_PATH: "${join(tempDir(), "memory.json")}" }
`);
    const { client, close } = await connectHttp(gateway.url);
    try {
      await waitFor(() => gateway.gateway.index.tools("memory").length > 0);
      const listed = async (args: Record<string, unknown>) => {
        const result = await client.callTool({ name: "gateway_list_tools", arguments: args });
        const tools = (result.structuredContent as { tools: { tool: string }[] }).tools;
        return tools.map((tool) => tool.tool).sort();
      };
      // search_nodes is read-only and searches; read_graph and open_nodes read; the rest write.
      expect(await listed({ server: "memory", role: "selector" })).toEqual(["search_nodes"]);
      expect(await listed({ role: "extractor" })).toEqual(["open_nodes", "read_graph"]);
      const actions = await listed({ server: "memory", role: "action" });
      expect(actions).toContain("delete_entities");
      expect(actions).not.toContain("search_nodes");
      expect(await listed({ server: "memory", role: "enricher" })).toEqual([]);
      expect((await listed({ server: "memory" })).length).toBe(9);
      const bad = await client.callTool({
        name: "gateway_list_tools",
        arguments: { role: "reader" },
      });
      expect(bad.isError).toBe(true);
      expect(firstText(bad)).toContain("selector, extractor, enricher, action");
    } finally {
      await close();
      await gateway.stop();
    }
  });
});

describe("cap import --prefix NAME (the original's flag)", () => {
  test("joins the prefix with _ (stripe_listCharges), as the original does; gh_ stays as written", async () => {
    const spec = `openapi: 3.0.3
info: { title: Stripe, version: 1.0.0 }
servers: [{ url: "http://127.0.0.1:9/v1" }]
paths:
  /charges:
    get:
      operationId: listCharges
      summary: List charges
      responses: { "200": { description: ok } }
`;
    const file = join(tempDir(), "stripe.yaml");
    await Bun.write(file, spec);
    const names = async (prefix: string) =>
      (await importOpenApi(file, { prefix })).capabilities.map((capability) => capability.name);
    expect(await names("stripe")).toEqual(["stripe_listCharges"]);
    expect(await names("gh_")).toEqual(["gh_listCharges"]);
    expect(await names("")).toEqual(["listCharges"]);
  });
});
