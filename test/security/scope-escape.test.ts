/**
 * Attack: a scoped key reaching tools outside its scopes, through every door: search, the tool
 * list, the server list, invoke (typos and near names included), and `/mcp/{backend}` directly.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Client } from "@modelcontextprotocol/client";
import { logger } from "../../src/logger.ts";
import { hashKey } from "../../src/security/keys.ts";
import { createScopedCaller } from "../../src/security/scopes.ts";
import { type ConnectedClient, EVERYTHING, MEMORY, startGateway, waitFor } from "../helpers.ts";
import { connectWithKey, initializeBody, MCP_HEADERS, meta } from "./_helpers.ts";

setDefaultTimeout(30_000);

const KEYS = {
  reader: "reader-key-0123456789abcdef",
  nodelete: "nodelete-key-0123456789abcdef",
  memonly: "memonly-key-0123456789abcdef",
  globs: "globs-key-0123456789abcdef",
};

let gateway: Awaited<ReturnType<typeof startGateway>>;
const sessions = new Map<keyof typeof KEYS, ConnectedClient>();
const client = (name: keyof typeof KEYS): Client => sessions.get(name)!.client;

beforeAll(async () => {
  gateway = await startGateway(`
capabilities: { enabled: false }
meta_mcp: { surfaced_tools: ["memory:delete_entities", "memory:read_graph", "everything:echo"] }
auth:
  enabled: true
  api_keys:
    - name: reader
      key: "${hashKey(KEYS.reader)}"
      allowed_tools: ["memory:read_*", "memory:search_nodes", "everything:echo"]
    - name: nodelete
      key: "${hashKey(KEYS.nodelete)}"
      allowed_tools: ["memory:*", "everything:*"]
      denied_tools: ["memory:delete_*", "everything:*"]
    - name: memonly
      key: "${hashKey(KEYS.memonly)}"
      backends: [memory]
    - name: globs
      key: "${hashKey(KEYS.globs)}"
      allowed_tools: ["*read*", "everything:get-sum"]
backends:
  memory:
    command: node
    args: ["${MEMORY}"]
  everything:
    command: node
    args: ["${EVERYTHING}", "stdio"]
`);
  await waitFor(() => gateway.gateway.index.tools("memory").length > 0);
  await waitFor(() => gateway.gateway.index.tools("everything").length > 0);
  for (const name of Object.keys(KEYS) as (keyof typeof KEYS)[]) {
    sessions.set(name, await connectWithKey(gateway.url, KEYS[name]));
  }
});

afterAll(async () => {
  for (const session of sessions.values()) await session.close();
  await gateway?.stop();
});

async function listed(name: keyof typeof KEYS, server?: string): Promise<string[]> {
  const result = await meta(client(name), "gateway_list_tools", server ? { server } : {});
  return (result.data.tools as { server: string; tool: string }[]).map(
    (t) => `${t.server}:${t.tool}`,
  );
}

describe("list and search show only what the key allows", () => {
  test("gateway_list_tools", async () => {
    expect((await listed("reader")).sort()).toEqual([
      "everything:echo",
      "memory:read_graph",
      "memory:search_nodes",
    ]);
    expect(await listed("reader", "memory")).toEqual(["memory:read_graph", "memory:search_nodes"]);
    const nodelete = await listed("nodelete");
    expect(nodelete.some((t) => t.startsWith("everything:"))).toBe(false);
    expect(nodelete.some((t) => t.startsWith("memory:delete_"))).toBe(false);
    expect(nodelete).toContain("memory:create_entities");
    // backends: [memory] is allowed_tools: ["memory:*"].
    const memonly = await listed("memonly");
    expect(memonly.length).toBe(gateway.gateway.index.tools("memory").length);
    expect(memonly.every((t) => t.startsWith("memory:"))).toBe(true);
    // A pattern without ":" is a tool glob on every server (the original gateway's meaning).
    expect((await listed("globs")).sort()).toEqual(["everything:get-sum", "memory:read_graph"]);
  });

  test("gateway_list_servers hides servers the key cannot use and counts only allowed tools", async () => {
    const servers = async (name: keyof typeof KEYS) =>
      (await meta(client(name), "gateway_list_servers")).data.servers as {
        name: string;
        tools: number;
      }[];
    expect(await servers("reader")).toEqual([
      expect.objectContaining({ name: "memory", tools: 2 }),
      expect.objectContaining({ name: "everything", tools: 1 }),
    ]);
    expect((await servers("nodelete")).map((s) => s.name)).toEqual(["memory"]);
    expect((await servers("memonly")).map((s) => s.name)).toEqual(["memory"]);
  });

  test("gateway_search_tools never returns a tool outside the scopes", async () => {
    for (const query of ["delete entities", "remove observations", "sum two numbers", "echo"]) {
      const result = await meta(client("reader"), "gateway_search_tools", { query, limit: 25 });
      for (const match of result.data.matches as { server: string; tool: string }[]) {
        expect(["memory:read_graph", "memory:search_nodes", "everything:echo"]).toContain(
          `${match.server}:${match.tool}`,
        );
      }
    }
    const scoped = await meta(client("nodelete"), "gateway_search_tools", {
      query: "delete entities",
      limit: 25,
    });
    const names = (scoped.data.matches as { tool: string }[]).map((m) => m.tool);
    expect(names.some((name) => name.startsWith("delete_"))).toBe(false);
  });
});

describe("invoke refuses what the key may not call, and says why", () => {
  test("a tool outside allowed_tools: POLICY_DENIED naming the rule", async () => {
    const result = await meta(client("reader"), "gateway_invoke", {
      server: "memory",
      tool: "delete_entities",
      arguments: { entityNames: ["x"] },
    });
    expect(result.isError).toBe(true);
    expect(result.text).toStartWith("[POLICY_DENIED]");
    expect(result.text).toContain('denied by policy (rule allowed_tools of key "reader"');
  });

  test("deny wins over allow, and names the denied_tools pattern (a whole-server deny hides the server)", async () => {
    const result = await meta(client("nodelete"), "gateway_invoke", {
      server: "memory",
      tool: "delete_entities",
      arguments: { entityNames: ["x"] },
    });
    expect(result.text).toContain(
      'denied by policy (rule denied_tools "memory:delete_*" of key "nodelete")',
    );
    const whole = await meta(client("nodelete"), "gateway_invoke", {
      server: "everything",
      tool: "echo",
      arguments: { message: "hi" },
    });
    // A whole-server deny hides the server: unknown, as one that does not exist (the rule is in
    // the gateway's log).
    expect(whole.text).toStartWith('[SERVER_NOT_FOUND] unknown server "everything"');
  });

  test("a typo gets suggestions only from tools the key may see", async () => {
    const result = await meta(client("reader"), "gateway_invoke", {
      server: "memory",
      tool: "delete_entitie",
    });
    expect(result.text).toStartWith("[TOOL_NOT_FOUND]");
    expect(result.text).not.toContain("delete_entities");
  });

  test("an allowed tool works", async () => {
    const result = await meta(client("reader"), "gateway_invoke", {
      server: "everything",
      tool: "echo",
      arguments: { message: "scoped" },
    });
    expect(result.isError).toBeFalsy();
    expect(result.text).toContain("scoped");
  });

  test("every denial is logged with the caller and the rule", async () => {
    const lines: string[] = [];
    const level = logger.level;
    const reporters = logger.options.reporters;
    logger.level = 1;
    logger.setReporters([{ log: (entry) => lines.push(entry.args.join(" ")) }]);
    try {
      await meta(client("reader"), "gateway_invoke", {
        server: "memory",
        tool: "delete_relations",
      });
    } finally {
      logger.level = level;
      logger.setReporters(reporters);
    }
    expect(lines.join("\n")).toContain(
      "denied key:reader calling memory:delete_relations (rule allowed_tools",
    );
  });
});

describe("/mcp/{backend} applies the same scopes", () => {
  test("tools/list is filtered and tools/call of a hidden tool is denied", async () => {
    const direct = await connectWithKey(gateway.url, KEYS.reader, "/mcp/memory");
    try {
      const { tools } = await direct.client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(["read_graph", "search_nodes"]);
      const result = await direct.client.callTool({
        name: "delete_entities",
        arguments: { entityNames: ["x"] },
      });
      expect(result.isError).toBe(true);
      expect(JSON.stringify(result.content)).toContain("denied by policy");
      const allowed = await direct.client.callTool({ name: "read_graph", arguments: {} });
      expect(allowed.isError).toBeFalsy();
    } finally {
      await direct.close();
    }
  });

  test("a backend the key cannot use at all answers like one that does not exist", async () => {
    const response = await fetch(`${gateway.url}/mcp/everything`, {
      method: "POST",
      headers: { ...MCP_HEADERS, authorization: `Bearer ${KEYS.nodelete}` },
      body: initializeBody(),
    });
    expect(response.status).toBe(404);
    const missing = await fetch(`${gateway.url}/mcp/nonexistent`, {
      method: "POST",
      headers: { ...MCP_HEADERS, authorization: `Bearer ${KEYS.nodelete}` },
      body: initializeBody(),
    });
    expect(missing.status).toBe(404);
    await expect(connectWithKey(gateway.url, KEYS.memonly, "/mcp/everything")).rejects.toThrow();
  });
});

describe("surfaced tools apply the same scopes", () => {
  test("tools/list shows only the surfaced tools the key may use; the others cannot be called", async () => {
    const { tools } = await client("reader").listTools();
    const direct = tools.map((t) => t.name).filter((name) => name.includes("__"));
    expect(direct.sort()).toEqual(["everything__echo", "memory__read_graph"]);
    const { tools: none } = await client("nodelete").listTools();
    expect(none.map((t) => t.name)).not.toContain("memory__delete_entities");
    expect(none.map((t) => t.name)).not.toContain("everything__echo");
    const call = await client("reader")
      .callTool({ name: "memory__delete_entities", arguments: { entityNames: ["x"] } })
      .catch((error: Error) => ({
        isError: true,
        content: [{ type: "text", text: error.message }],
      }));
    expect(call.isError).toBe(true);
  });
});

describe("scope rules", () => {
  const caller = (allowed: string[], denied: string[] = [], backends: string[] = []) =>
    createScopedCaller({
      id: "t",
      admin: false,
      label: "key t",
      grants: [{ allowed_tools: allowed, denied_tools: denied, backends }],
    });
  const cases: [string, ReturnType<typeof caller>, string, string, boolean][] = [
    ["empty lists allow everything", caller([]), "any", "tool", true],
    ["a bare name is a tool name on every server", caller(["echo"]), "gh", "echo", true],
    ["a bare name is not a server name", caller(["gh"]), "gh", "create_issue", false],
    ["a bare glob matches tools on every server", caller(["get_*"]), "fs", "get_file", true],
    ["bare * is every tool of every server", caller(["*"]), "gh", "a:b", true],
    ["a server glob covers no other server", caller(["gh:*"]), "ghx", "create_issue", false],
    ["server:* covers the server", caller(["gh:*"]), "gh", "*", true],
    ["a tool glob", caller(["gh:get_*"]), "gh", "get_issue", true],
    ["a tool glob misses other tools", caller(["gh:get_*"]), "gh", "create_issue", false],
    ["* does not cross ':'", caller(["gh:a*"]), "gh", "a:b", false],
    ["the first ':' ends the server", caller(["gh:a:*"]), "gh", "a:b", true],
    ["server:* covers tools with ':' in their name", caller(["gh:*"]), "gh", "a:b", true],
    ["a bare deny glob denies on every server", caller([], ["write_*"]), "fs", "write_file", false],
    ["server:* deny covers tools with ':'", caller([], ["evil:*"]), "evil", "danger:wipe", false],
    ["*:tool matches on every server", caller(["*:echo"]), "a", "echo", true],
    ["a server with one allowed tool is visible", caller(["gh:get_*"]), "gh", "*", true],
    ["deny wins", caller(["gh:*"], ["gh:delete_*"]), "gh", "delete_repo", false],
    ["a tool deny does not hide the server", caller([], ["gh:delete_*"]), "gh", "*", true],
    ["a server deny hides it", caller([], ["gh:*"]), "gh", "*", false],
    ["a bare deny does not hide a server of that name", caller([], ["gh"]), "gh", "*", true],
    ["backends: [a] is a:*", caller([], [], ["gh"]), "gh", "anything", true],
    ["backends: [a] excludes others", caller([], [], ["gh"]), "fs", "read", false],
    ["regex characters are literal", caller(["a.b:c+d"]), "aXb", "c+d", false],
  ];
  for (const [name, scoped, server, tool, expected] of cases) {
    test(name, () => expect(scoped.allows(server, tool)).toBe(expected));
  }
});
