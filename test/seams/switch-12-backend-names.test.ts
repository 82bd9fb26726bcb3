import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { loadConfig } from "../../src/config/load.ts";
import {
  BUN,
  type ConnectedClient,
  connectHttp,
  FIXTURE_SERVER,
  firstText,
  startGateway,
  waitFor,
  writeConfig,
} from "../helpers.ts";
import { rawSession } from "./_helpers.ts";

// Starts a gateway with two stdio backends: slow on a loaded machine.
setDefaultTimeout(30_000);

/**
 * The original gateway takes any backend name without `/`, `\` or `:` (its
 * Config::validate_backend_names), so its users write `GitHub:` or `my.server:`. Such a config was
 * refused here ("a backend name must match /^[a-z0-9][a-z0-9_-]*$/"). Now a name of ASCII
 * letters (either case), digits, `.`, `-` and `_` loads as written and is that backend's name
 * everywhere: gateway_invoke's `server`, scopes, surfaced and flat tool names (`my.server__echo`,
 * characters the MCP spec allows in a tool name), and `/mcp/my.server`.
 */
const ORIGINAL = `server:
  host: 127.0.0.1
capabilities: { enabled: false }
meta_mcp:
  surfaced_tools:
    - { server: my.server, tool: echo }
backends:
  GitHub:
    description: The team's GitHub
    command: ${BUN} ${FIXTURE_SERVER}
  my.server:
    command: ${BUN} ${FIXTURE_SERVER}
`;

describe("an original config whose backend names have capitals and dots", () => {
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  let session: ConnectedClient;
  beforeAll(async () => {
    gateway = await startGateway(ORIGINAL);
    await waitFor(
      () =>
        gateway.gateway.index.tools("GitHub").length > 0 &&
        gateway.gateway.index.tools("my.server").length > 0,
    );
    session = await connectHttp(gateway.url);
  });
  afterAll(async () => {
    await session?.close();
    await gateway?.stop();
  });

  test("loads with the names as written", () => {
    const config = loadConfig({ path: writeConfig(ORIGINAL), env: {} });
    expect(config.backends.map((backend) => backend.name)).toEqual(["GitHub", "my.server"]);
  });

  test("an MCP_GATEWAY_BACKENDS__GITHUB__ override reaches backends.GitHub", () => {
    const env = { MCP_GATEWAY_BACKENDS__GITHUB__DESCRIPTION: "from the environment" };
    const config = loadConfig({ path: writeConfig(ORIGINAL), env });
    expect(config.backends.map((backend) => backend.name)).toEqual(["GitHub", "my.server"]);
    expect(config.backends[0]!.description).toBe("from the environment");
  });

  test("gateway_list_servers and gateway_invoke use the name as written", async () => {
    const listed = await session.client.callTool({ name: "gateway_list_servers", arguments: {} });
    const names = (listed.structuredContent as { servers: { name: string }[] }).servers.map(
      (server) => server.name,
    );
    expect(names).toEqual(expect.arrayContaining(["GitHub", "my.server"]));
    for (const server of ["GitHub", "my.server"]) {
      const result = await session.client.callTool({
        name: "gateway_invoke",
        arguments: { server, tool: "echo", arguments: { message: `hi ${server}` } },
      });
      expect(result.isError).toBeFalsy();
      expect(firstText(result)).toContain(`hi ${server}`);
    }
  });

  test("the surfaced tool is listed and called as my.server__echo", async () => {
    const { tools } = await session.client.listTools();
    expect(tools.map((tool) => tool.name)).toContain("my.server__echo");
    const result = await session.client.callTool({
      name: "my.server__echo",
      arguments: { message: "surfaced" },
    });
    expect(firstText(result)).toContain("surfaced");
  });

  test("a search's server: prefix names GitHub in any case", async () => {
    const result = await session.client.callTool({
      name: "gateway_search_tools",
      arguments: { query: "github: echo" },
    });
    const matches = (result.structuredContent as { matches: { server: string }[] }).matches;
    expect(matches.length).toBeGreaterThan(0);
    expect(new Set(matches.map((match) => match.server))).toEqual(new Set(["GitHub"]));
  });

  test("a name in another case (a model's github, a client's lowercased URL) finds GitHub", async () => {
    const result = await session.client.callTool({
      name: "gateway_invoke",
      arguments: { server: "github", tool: "echo", arguments: { message: "any case" } },
    });
    expect(result.isError).toBeFalsy();
    expect(firstText(result)).toContain("any case");
    const send = await rawSession(gateway.url, "/mcp/MY.SERVER");
    const tools = ((await send("tools/list")).result?.tools ?? []) as { name: string }[];
    expect(tools.map((tool) => tool.name)).toContain("echo");
  });

  test("/mcp/my.server and /mcp/GitHub pass through to that backend", async () => {
    for (const name of ["my.server", "GitHub"]) {
      const send = await rawSession(gateway.url, `/mcp/${name}`);
      const answer = await send("tools/list");
      const tools = (answer.result?.tools ?? []) as { name: string }[];
      expect(tools.map((tool) => tool.name)).toContain("echo");
    }
  });
});

describe("scopes name such a backend as written", () => {
  test("an API key with backends: [GitHub] reaches GitHub and nothing else", async () => {
    const key = "k".repeat(40);
    const gateway = await startGateway(`auth:
  enabled: true
  api_keys:
    - { name: ci, key: "${key}", backends: [GitHub] }
${ORIGINAL.replace(/^server:\n {2}host: 127.0.0.1\n/, "")}`);
    try {
      await waitFor(() => gateway.gateway.index.tools("my.server").length > 0);
      const send = await rawSession(gateway.url, "/mcp", { authorization: `Bearer ${key}` });
      const invoke = (server: string) =>
        send("tools/call", {
          name: "gateway_invoke",
          arguments: { server, tool: "echo", arguments: { message: "scoped" } },
        });
      const allowed = await invoke("GitHub");
      expect(JSON.stringify(allowed.result)).toContain("scoped");
      expect(allowed.result?.isError).toBeFalsy();
      const refused = await invoke("my.server");
      expect(refused.result?.isError).toBe(true);
      // Another case names the same backend, under the same scopes.
      expect((await invoke("github")).result?.isError).toBeFalsy();
      expect((await invoke("MY.SERVER")).result?.isError).toBe(true);
    } finally {
      await gateway.stop();
    }
  });
});

describe("a rule that names such a backend in another case", () => {
  test("denies it: a deny written github:* is not a rule that matches nothing", async () => {
    const key = "d".repeat(40);
    const gateway = await startGateway(`auth:
  enabled: true
  api_keys:
    - { name: ci, key: "${key}", denied_tools: ["github:*"] }
security:
  tool_policy: { enabled: true, deny: ["MY.SERVER:echo"] }
${ORIGINAL.replace(/^server:\n {2}host: 127.0.0.1\n/, "")}`);
    try {
      await waitFor(() => gateway.gateway.index.tools("my.server").length > 0);
      const send = await rawSession(gateway.url, "/mcp", { authorization: `Bearer ${key}` });
      for (const server of ["GitHub", "my.server"]) {
        const answer = await send("tools/call", {
          name: "gateway_invoke",
          arguments: { server, tool: "echo", arguments: { message: "denied?" } },
        });
        expect({ server, isError: answer.result?.isError }).toEqual({ server, isError: true });
      }
    } finally {
      await gateway.stop();
    }
  });
});

describe("a cost or budget keyed by such a backend in another case", () => {
  test("applies to it: a per_tool budget github:echo stops the second call", async () => {
    const gateway = await startGateway(`cost_governance:
  enabled: true
  tool_costs: { "github:echo": 1 }
  budgets: { per_tool: { "github:echo": 1.5 } }
${ORIGINAL.replace(/^server:\n {2}host: 127.0.0.1\n/, "")}`);
    try {
      await waitFor(() => gateway.gateway.index.tools("GitHub").length > 0);
      const session = await connectHttp(gateway.url);
      const call = () =>
        session.client.callTool({
          name: "gateway_invoke",
          arguments: { server: "GitHub", tool: "echo", arguments: { message: "spend" } },
        });
      expect((await call()).isError).toBeFalsy();
      const second = await call();
      expect(second.isError).toBe(true);
      expect(firstText(second)).toContain("BUDGET");
      await session.close();
    } finally {
      await gateway.stop();
    }
  });
});

describe("names this gateway cannot serve", () => {
  test("are refused naming the backend and a name that works", () => {
    for (const [name, suggestion] of [
      ["my server", "my-server"],
      ["a__b", "a_b"],
      ["-lead", "lead"],
    ] as const) {
      const file = writeConfig(`backends:\n  "${name}":\n    command: echo\n`);
      expect(() => loadConfig({ path: file, env: {} })).toThrow(
        new RegExp(`backends\\.${name}: .*letters, digits.*rename it.*${suggestion}`),
      );
    }
  });

  test("a reserved name in another case is refused as reserved", () => {
    for (const name of ["Gateway", "Capabilities", "Skills"]) {
      const file = writeConfig(`backends:\n  ${name}: { command: echo }\n`);
      expect(() => loadConfig({ path: file, env: {} })).toThrow(/reserved/);
    }
  });

  test("two names that differ only in case are refused (they share state files on macOS)", () => {
    const file = writeConfig(
      "backends:\n  GitHub: { command: echo }\n  github: { command: echo }\n",
    );
    expect(() => loadConfig({ path: file, env: {} })).toThrow(
      /GitHub.*github.*differ only in case/,
    );
  });
});
