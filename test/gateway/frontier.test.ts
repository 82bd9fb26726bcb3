import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { z } from "zod";
import { ruleFor } from "../../src/meta/client-surface.ts";
import {
  BUN,
  cleanupsAfterAll,
  FIXTURE_SERVER,
  FIXTURES,
  startGateway,
  waitFor,
} from "../helpers.ts";

const cleanups = cleanupsAfterAll();
const APP_SERVER = join(FIXTURES, "servers/app.ts");
const APPS = {
  extensions: { "io.modelcontextprotocol/ui": { mimeTypes: ["text/html;profile=mcp-app"] } },
};
const Any = z.looseObject({});
const Listed = z.looseObject({ tools: z.array(z.looseObject({ name: z.string() })) });

/** A gateway with the fixture server and the app fixture, and two keys (see below). */
async function frontierGateway(meta = "") {
  const gateway = await startGateway(`capabilities: { enabled: false }
meta_mcp: { ${meta} }
auth:
  enabled: true
  api_keys:
    - { key: admin-key, name: admin, admin: true }
    - { key: chart-key, name: chart, allowed_tools: ["app:show_chart", "fixture:echo"] }
    - { key: sums-key, name: sums, allowed_tools: ["app:add_numbers"] }
backends:
  fixture: { command: ${BUN}, args: ["${FIXTURE_SERVER}"] }
  app: { command: ${BUN}, args: ["${APP_SERVER}"] }
`);
  cleanups.push(() => gateway.stop());
  await waitFor(() => gateway.gateway.index.tools("app").length > 0);
  await waitFor(() => gateway.gateway.index.tools("fixture").length > 0);
  return gateway;
}

async function connect(
  url: string,
  key: string,
  { path = "/mcp", name = "test-client", capabilities = {} } = {},
): Promise<Client> {
  const client = new Client({ name, version: "1.0.0" }, { capabilities });
  const transport = new StreamableHTTPClientTransport(new URL(`${url}${path}`), {
    requestInit: { headers: { Authorization: `Bearer ${key}` } },
  });
  await client.connect(transport);
  cleanups.push(() => client.close().catch(() => {}));
  return client;
}

/** The capabilities a raw `initialize` answers with (the SDK client keeps only those it knows). */
async function initialized(url: string, path: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}${path}`, {
    method: "POST",
    headers: {
      Authorization: "Bearer admin-key",
      "Content-Type": "application/json",
      Accept: "application/json, text/event-stream",
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: "2025-11-25",
        capabilities: {},
        clientInfo: { name: "raw", version: "1" },
      },
    }),
  });
  const text = await response.text();
  const json = text.startsWith("{") ? text : /^data: ?(\{.*)$/m.exec(text)![1]!;
  return JSON.parse(json).result.capabilities;
}

const names = (result: { tools: { name: string }[] }) => result.tools.map((tool) => tool.name);

describe("dynamic tool discovery (SEP-1821)", () => {
  test("tools/list {query} on /mcp returns the matching backend tools, callable, within scopes", async () => {
    const { url } = await frontierGateway();
    const admin = await connect(url, "admin-key");
    expect((await initialized(url, "/mcp")).tools).toMatchObject({
      dynamic: true,
      listChanged: true,
    });
    const found = await admin.request(
      { method: "tools/list", params: { query: "sales chart" } },
      Listed,
    );
    expect(names(found)[0]).toBe("app__show_chart");
    const chart = found.tools[0] as { inputSchema?: { properties?: object }; _meta?: unknown };
    expect(chart.inputSchema?.properties).toHaveProperty("month");
    expect(chart._meta).toEqual({ ui: { resourceUri: "ui://charts/chart.html" } });
    const called = await admin.callTool({ name: "app__show_chart", arguments: { month: "March" } });
    expect(called.structuredContent).toEqual({ month: "March", sales: [3, 5, 8] });
    // The plain list is still the meta surface.
    expect(names(await admin.listTools())).not.toContain("app__show_chart");
    // metadata narrows: one server, a limit.
    const limited = await admin.request(
      { method: "tools/list", params: { query: "add", metadata: { server: "app", limit: 1 } } },
      Listed,
    );
    expect(names(limited)).toEqual(["app__add_numbers"]);
    // Scopes apply as for every list: the sums key never sees the chart.
    const sums = await connect(url, "sums-key");
    const narrow = await sums.request(
      { method: "tools/list", params: { query: "sales chart" } },
      Listed,
    );
    expect(names(narrow)).not.toContain("app__show_chart");
    await expect(sums.callTool({ name: "app__show_chart", arguments: {} })).rejects.toThrow(
      /not found/,
    );
  });

  test("on /mcp/{backend} a query goes to a backend that searches, else the gateway ranks", async () => {
    const { url } = await frontierGateway();
    const searching = await connect(url, "admin-key", { path: "/mcp/app" });
    const Answer = Listed.extend({ _meta: z.record(z.string(), z.unknown()).optional() });
    const own = await searching.request(
      { method: "tools/list", params: { query: "monthly figures" } },
      Answer,
    );
    expect(names(own)).toEqual(["show_chart"]);
    expect(own._meta?.["app-fixture/query"]).toBe("monthly figures");
    const hidden = await connect(url, "sums-key", { path: "/mcp/app" });
    const scopedOwn = await hidden.request(
      { method: "tools/list", params: { query: "monthly figures" } },
      Listed,
    );
    expect(names(scopedOwn)).toEqual([]);
    // The fixture server knows no query: the gateway ranks its tools, under their own names.
    const fixture = await connect(url, "admin-key", { path: "/mcp/fixture" });
    const ranked = await fixture.request(
      { method: "tools/list", params: { query: "echo a message back" } },
      Listed,
    );
    expect(names(ranked)[0]).toBe("echo");
    expect(names(ranked).length).toBeLessThan((await fixture.listTools()).tools.length);
    const app = await connect(url, "admin-key", { path: "/mcp/app" });
    expect((await initialized(url, "/mcp/app")).tools).toMatchObject({ dynamic: true });
    const found = await app.request(
      { method: "tools/list", params: { query: "add two numbers" } },
      Listed,
    );
    expect(names(found)[0]).toBe("add_numbers");
    const chart = await connect(url, "chart-key", { path: "/mcp/app" });
    const scoped = await chart.request(
      { method: "tools/list", params: { query: "add two numbers" } },
      Listed,
    );
    expect(names(scoped)).not.toContain("add_numbers");
  });
});

describe("tools/resolve (SEP-1862)", () => {
  test("resolves a name to its current definition; the backend refines it when it can", async () => {
    const { url } = await frontierGateway();
    const admin = await connect(url, "admin-key");
    expect(admin.getServerCapabilities()?.experimental).toHaveProperty("tools/resolve");
    const Resolved = z.looseObject({ tool: z.looseObject({ name: z.string() }) });
    const echo = await admin.request(
      { method: "tools/resolve", params: { name: "fixture__echo", arguments: {} } },
      Resolved,
    );
    expect(echo.tool.name).toBe("fixture__echo");
    expect(echo.tool).toHaveProperty("inputSchema.properties.message");
    const read = await admin.request(
      {
        method: "tools/resolve",
        params: { name: "app__manage_files", arguments: { path: "/a", action: "read" } },
      },
      Resolved,
    );
    expect(read.tool.name).toBe("app__manage_files");
    expect(read.tool.annotations).toEqual({ readOnlyHint: true, destructiveHint: false });
    const meta = await admin.request(
      { method: "tools/resolve", params: { name: "gateway_invoke", arguments: {} } },
      Resolved,
    );
    expect(meta.tool.name).toBe("gateway_invoke");
    const sums = await connect(url, "sums-key");
    await expect(
      sums.request(
        { method: "tools/resolve", params: { name: "fixture__echo", arguments: {} } },
        Any,
      ),
    ).rejects.toThrow(/not found/);
    const passthrough = await connect(url, "admin-key", { path: "/mcp/app" });
    const own = await passthrough.request(
      {
        method: "tools/resolve",
        params: { name: "manage_files", arguments: { action: "delete" } },
      },
      Resolved,
    );
    expect(own.tool.annotations).toEqual({ readOnlyHint: false, destructiveHint: true });
  });
});

describe("MCP Apps (SEP-1865)", () => {
  test("a client that renders apps gets tools with UIs surfaced; the ui:// resource goes with the tool", async () => {
    const { url } = await frontierGateway();
    const plain = await connect(url, "chart-key");
    expect(names(await plain.listTools())).not.toContain("app__show_chart");
    const host = await connect(url, "chart-key", { capabilities: APPS });
    const { tools } = await host.listTools();
    const chart = tools.find((tool) => tool.name === "app__show_chart");
    expect(chart?._meta).toEqual({ ui: { resourceUri: "ui://charts/chart.html" } });
    expect(names({ tools })).not.toContain("app__add_numbers");
    // The chart key has no grant of app's resources, but its UI comes with the tool.
    const { resources } = await host.listResources();
    expect(resources.map((r) => r.uri)).toEqual(["ui://charts/chart.html"]);
    const read = await host.readResource({ uri: "ui://charts/chart.html" });
    const content = read.contents[0] as { mimeType?: string; _meta?: unknown };
    expect(content.mimeType).toBe("text/html;profile=mcp-app");
    expect(content._meta).toHaveProperty("ui.csp.connectDomains", ["https://api.example.com"]);
    // Called through gateway_invoke, the result keeps its _meta.
    const invoked = await host.callTool({
      name: "gateway_invoke",
      arguments: { server: "app", tool: "show_chart", arguments: {} },
    });
    expect(invoked._meta).toEqual({
      ui: { resourceUri: "ui://charts/chart.html" },
      "app-fixture/rendered": true,
    });
    // A caller not allowed the tool gets neither the tool nor its UI.
    const sums = await connect(url, "sums-key", { capabilities: APPS });
    expect(names(await sums.listTools())).not.toContain("app__show_chart");
    expect((await sums.listResources()).resources).toEqual([]);
    await expect(sums.readResource({ uri: "ui://charts/chart.html" })).rejects.toThrow(
      /not found/i,
    );
    // /mcp/{backend}: untouched.
    const direct = await connect(url, "chart-key", { path: "/mcp/app" });
    const own = (await direct.listTools()).tools.find((tool) => tool.name === "show_chart");
    expect(own?._meta).toEqual({ ui: { resourceUri: "ui://charts/chart.html" } });
    // There too the UI is readable with the tool alone; the server's other resources are not.
    const ui = await direct.readResource({ uri: "ui://charts/chart.html" });
    expect(ui.contents[0]).toHaveProperty("mimeType", "text/html;profile=mcp-app");
    await expect(direct.readResource({ uri: "file:///notes.txt" })).rejects.toThrow(/not found/i);
  });
});

describe("MCP Apps (SEP-1865), two backends with the same UI URI", () => {
  test("the newcomer's tool points at its own app, namespaced, and reading it reaches that backend", async () => {
    const gateway = await startGateway(`capabilities: { enabled: false }
backends:
  app: { command: ${BUN}, args: ["${APP_SERVER}"], env: { LABEL: first } }
  app2: { command: ${BUN}, args: ["${APP_SERVER}"], env: { LABEL: second } }
`);
    cleanups.push(() => gateway.stop());
    await waitFor(() => gateway.gateway.index.tools("app2").length > 0);
    await waitFor(() => gateway.gateway.index.tools("app").length > 0);
    const client = new Client({ name: "host", version: "1" }, { capabilities: APPS });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp`)));
    cleanups.push(() => client.close().catch(() => {}));
    const { tools } = await client.listTools();
    const uiOf = (name: string) => {
      const ui = tools.find((t) => t.name === name)?._meta?.ui as { resourceUri: string };
      return ui.resourceUri;
    };
    expect(uiOf("app__show_chart")).toBe("ui://charts/chart.html");
    expect(uiOf("app2__show_chart")).toBe("gateway://app2/ui://charts/chart.html");
    const text = async (uri: string) =>
      ((await client.readResource({ uri })).contents[0] as { text: string }).text;
    expect(await text(uiOf("app__show_chart"))).toContain("sales by first");
    expect(await text(uiOf("app2__show_chart"))).toContain("sales by second");
  });
});

describe("a surface per client", () => {
  test("auto lists flat within the budget, meta past it; the choice shows in /health", async () => {
    const { url } = await frontierGateway(
      'clients: [{ match: "tiny-*", surface: auto, token_budget: 50 }, { match: "roomy-*", surface: auto, token_budget: 100000 }, { match: "capped", surface: auto, max_tools: 3 }]',
    );
    const roomy = await connect(url, "admin-key", { name: "roomy-agent" });
    const roomyNames = names(await roomy.listTools());
    expect(roomyNames).toContain("app__show_chart");
    expect(roomyNames).not.toContain("gateway_invoke");
    expect(
      (await roomy.callTool({ name: "app__add_numbers", arguments: { a: 2, b: 3 } })).content,
    ).toEqual([{ type: "text", text: "5" }]);
    const tiny = await connect(url, "admin-key", { name: "tiny-agent" });
    expect(names(await tiny.listTools())).toContain("gateway_invoke");
    const capped = await connect(url, "admin-key", { name: "capped" });
    expect(names(await capped.listTools())).toContain("gateway_invoke");
    const health = await fetch(`${url}/health`, {
      headers: { Authorization: "Bearer admin-key" },
    }).then((r) => r.json());
    const sessions = health.surfaces as { client: string; surface: string; tokens: number }[];
    const byClient = Object.fromEntries(sessions.map((s) => [s.client, s]));
    expect(byClient["roomy-agent"]?.surface).toBe("flat");
    expect(byClient["tiny-agent"]?.surface).toBe("meta");
    expect(byClient.capped?.surface).toBe("meta");
    expect(byClient["roomy-agent"]!.tokens).toBeGreaterThan(50);
    // The dashboard's status counts sessions per surface.
    const status = await fetch(`${url}/api/status`, {
      headers: { Authorization: "Bearer admin-key" },
    }).then((r) => r.json());
    expect(status.surfaces.flat).toHaveLength(1);
    expect(status.surfaces.meta).toHaveLength(2);
  });

  test("known clients have defaults; configured rules come first", () => {
    expect(ruleFor("Cursor", [])?.max_tools).toBe(40);
    expect(ruleFor("claude-code", [])?.surface).toBe("flat");
    expect(ruleFor("claude-code", [{ match: "claude*", surface: "meta" }])?.surface).toBe("meta");
    expect(ruleFor("some-agent", [])).toBeUndefined();
  });
});

describe("2026-07-28 clients", () => {
  test("query, resolve, Apps and per-client surfaces work statelessly too", async () => {
    const { url } = await frontierGateway('clients: [{ match: "roomy-*", surface: flat }]');
    const modern = async (name: string, capabilities = {}) => {
      const client = new Client(
        { name, version: "1" },
        { capabilities, versionNegotiation: { mode: { pin: "2026-07-28" } } },
      );
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
          requestInit: { headers: { Authorization: "Bearer chart-key" } },
        }),
      );
      cleanups.push(() => client.close().catch(() => {}));
      return client;
    };
    const host = await modern("host", APPS);
    const found = await host.request(
      { method: "tools/list", params: { query: "sales chart" } },
      Listed,
    );
    expect(names(found)).toEqual(["app__show_chart"]);
    const resolved = await host.request(
      { method: "tools/resolve", params: { name: "fixture__echo", arguments: {} } },
      z.looseObject({ tool: z.looseObject({ name: z.string() }) }),
    );
    expect(resolved.tool.name).toBe("fixture__echo");
    expect(names(await host.listTools())).toContain("app__show_chart");
    const roomy = await modern("roomy-agent");
    expect(names(await roomy.listTools()).sort()).toEqual(["app__show_chart", "fixture__echo"]);
  });
});
