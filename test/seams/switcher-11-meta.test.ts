import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import {
  type ConnectedClient,
  connectHttp,
  MEMORY,
  startGateway,
  tempDir,
  waitFor,
} from "../helpers.ts";

// Starts a gateway: slow on a loaded machine.
setDefaultTimeout(30_000);

/**
 * The original gateway's meta tools answer with field names its users' scripts and prompts read
 * (its src/gateway/meta_mcp/{surfaced,search}.rs, meta_mcp_helpers.rs): they are in our answers
 * too, beside our own, through the SDK's client over HTTP with server-memory as the backend.
 */
let gateway: Awaited<ReturnType<typeof startGateway>>;
let session: ConnectedClient;
beforeAll(async () => {
  const dir = tempDir("mcpgw-sw11-");
  gateway = await startGateway(`
capabilities: { enabled: false }
code_mode: { enabled: true }
backends:
  memory:
    command: node
    args: ["${MEMORY}"]
    env: { MEMORY_FILE_PATH: "${join(dir, "memory.json")}" }
`);
  await waitFor(() => gateway.gateway.index.tools("memory").length > 0);
  session = await connectHttp(gateway.url);
});
afterAll(async () => {
  await session?.close();
  await gateway?.stop();
});

/** An answer's fields, as a script reading its JSON sees them. */
type Row = Record<string, unknown>;
type Answer = Row & { servers: Row[]; tools: Row[]; matches: Row[] };

async function call(name: string, args: Row = {}): Promise<Answer> {
  const result = await session.client.callTool({ name, arguments: args });
  expect(result.isError).toBeFalsy();
  return result.structuredContent as Answer;
}

describe("the original's field names in the meta tools' answers", () => {
  test("gateway_list_servers: running, tools_count, circuit_breaker, status", async () => {
    const { servers } = await call("gateway_list_servers");
    const memory = servers.find((server) => server.name === "memory")!;
    expect(memory).toMatchObject({ state: "ready", running: true, circuit_breaker: "closed" });
    expect(memory.tools_count).toBe(memory.tools);
    expect(memory.tools_count as number).toBeGreaterThan(5);
    expect(memory.status).toBe("active");
  });

  test("/health: each backend's running, healthy, tools_cached and circuit_state", async () => {
    const health = (await (await fetch(`${gateway.url}/health`)).json()) as {
      backends: Record<string, Row>;
    };
    const memory = health.backends.memory!;
    expect(memory).toMatchObject({ running: true, healthy: true, circuit_state: "closed" });
    expect(memory.tools_cached).toBe(memory.tools);
  });

  test("gateway_list_tools: each row's name, the total; with a server, the server and its status", async () => {
    const all = await call("gateway_list_tools");
    expect(all.total).toBe(all.tools.length);
    for (const row of all.tools) expect(row.name).toBe(row.tool);
    const one = await call("gateway_list_tools", { server: "memory" });
    expect(one).toMatchObject({ server: "memory", status: "active", total: one.tools.length });
    const read = one.tools.find((row) => row.name === "read_graph");
    expect(read?.inputSchema).toBeDefined();
    // The original lists one server's tools whole: a script picks read-only ones by their hints.
    expect(read?.annotations).toMatchObject({ readOnlyHint: true });
  });

  test("gateway_search_tools: query, total (returned) and total_available (matching at all)", async () => {
    const found = await call("gateway_search_tools", { query: "Delete", limit: 1 });
    expect(found.query).toBe("delete");
    expect(found.matches).toHaveLength(1);
    expect(found.total).toBe(1);
    // delete_entities, delete_observations, delete_relations.
    expect(found.total_available).toBeGreaterThanOrEqual(3);
    const listing = await call("gateway_search_tools", { query: "memory:*", limit: 2 });
    expect(listing.total).toBe(2);
    expect(listing.total_available).toBe(gateway.gateway.index.tools("memory").length);
  });
});

describe("the original's /metrics series", () => {
  test("tool invocations by server and status, their latency, the breaker by backend", async () => {
    await call("gateway_invoke", { server: "memory", tool: "read_graph", arguments: {} });
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(text).toMatch(/^mcp_tool_invocations_total\{server="memory",status="ok"\} [1-9]/m);
    expect(text).toMatch(/^mcp_tool_invocation_duration_seconds_count\{server="memory"\} [1-9]/m);
    expect(text).toMatch(/^mcp_backend_circuit_state\{backend="memory"\} 1$/m);
  });
});

describe("gateway_search, the original's code-mode search, under its name", () => {
  test("answers server:tool refs with input_schema, which gateway_execute takes", async () => {
    const found = await call("gateway_search", { query: "read graph", limit: 3 });
    expect(found.matches[0]).toMatchObject({
      tool: "memory:read_graph",
      server: "memory",
      name: "read_graph",
    });
    for (const match of found.matches) expect(match.input_schema).toBeDefined();
    expect(found.total).toBe(found.matches.length);
    const bare = await call("gateway_search", { query: "read graph", include_schema: false });
    for (const match of bare.matches) expect(match.input_schema).toBeUndefined();
    const run = await call("gateway_execute", { tool: found.matches[0]!.tool, arguments: {} });
    expect(JSON.stringify(run)).toContain("entities");
    // Not listed: the listed search stays gateway_search_tools.
    const listed = (await session.client.listTools()).tools.map((tool) => tool.name);
    expect(listed).not.toContain("gateway_search");
  });
});
