import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { parse as parseYAML } from "yaml";
import { importOpenApi } from "../../src/capabilities/openapi/import.ts";
import { loadConfig } from "../../src/config/load.ts";
import { runGateway } from "../../src/gateway/run.ts";
import { runCli, runCliAsync } from "../cli/_run.ts";
import {
  connectHttp,
  firstText,
  freePort,
  MEMORY,
  startGateway,
  tempDir,
  waitFor,
} from "../helpers.ts";
import { gatewayWithEnvFile, ZOO_SPEC } from "./_helpers.ts";

setDefaultTimeout(60_000);

// An outside tester's findings (seams-a): a user switching from the original gateway with its
// configs, capability files and agents' calls as they are, and a new user following the docs.

/** A `memory` backend's settings: the reference memory server, its graph in a new `file`. */
const memoryBackend = (file = "memory.json") => `
    command: node
    args: ["${MEMORY}"]
    env: { MEMORY_FILE_PATH: "${join(tempDir(), file)}" }`;

/**
 * `list --config` of the config `yaml`, run with `env` beside a new HOME and PATH: its exit code
 * and its stderr (white space folded), where load warnings go.
 */
function listed(yaml: string, env: Record<string, string> = {}) {
  const file = join(tempDir(), "gateway.yaml");
  writeFileSync(file, yaml);
  const result = runCli(["list", "--config", file], {
    env: { HOME: tempDir(), PATH: process.env.PATH!, ...env },
  });
  return { code: result.code, text: result.stderr.replace(/\s+/g, " ") };
}

describe("gateway_list_tools {role} (the original's filter)", () => {
  test("lists only the tools of that role; an unknown role is refused naming the roles", async () => {
    const gateway = await startGateway(`
capabilities: { enabled: false }
backends:
  memory:${memoryBackend()}
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
  test("joins the prefix with _ (stripe_listcharges), as the original does; gh_ stays as written", async () => {
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
    expect(await names("stripe")).toEqual(["stripe_listcharges"]);
    expect(await names("gh_")).toEqual(["gh_listcharges"]);
    expect(await names("")).toEqual(["listcharges"]);
  });
});

describe("an original config's key with both backends and allowed_tools", () => {
  test("the load warning says it reaches more here and writes the patterns that keep the original's meaning", () => {
    const { code, text } = listed(
      `auth:
  enabled: true
  api_keys:
    - key: "env:BOT_API_KEY"
      name: "Bot"
      backends: [memory, github]
      allowed_tools: ["search_*", "github:get_*", "slack:post_*"]
backends:
  memory: { command: "true" }
  github: { command: "true" }
`,
      { BOT_API_KEY: "bot-key-0123456789abcdef" },
    );
    expect(code).toBe(0);
    expect(text).toContain("reaches every tool of memory, github");
    expect(text).toContain("the original gateway allowed only those tools, on those backends");
    expect(text).toContain(
      'write allowed_tools: ["memory:search_*", "github:search_*", "github:get_*"] and remove backends',
    );
  });
});

describe("tools search from a shell without the gateway's key variables", () => {
  test("finds the running gateway from the config's address (auth.api_keys' env:NAME is serve's)", async () => {
    const port = await freePort();
    const file = join(tempDir(), "gateway.yaml");
    writeFileSync(
      file,
      `server: { host: 127.0.0.1, port: ${port} }
auth:
  enabled: true
  api_keys:
    - { key: "env:FRONTEND_API_KEY", name: "Frontend App" }
    - { key: "env:BOT_API_KEY", name: "Bot" }
capabilities: { enabled: false }
backends:
  memory:${memoryBackend()}
`,
    );
    const serveEnv = {
      ...process.env,
      FRONTEND_API_KEY: "frontend-key-0123456789",
      BOT_API_KEY: "bot-key-0123456789abcdef",
    };
    const config = loadConfig({ path: file, env: serveEnv });
    const gateway = await runGateway({ config, memoryState: true, watch: false, env: serveEnv });
    try {
      // The bot's shell has its own key only, as a client's does.
      const env = {
        HOME: tempDir(),
        PATH: process.env.PATH!,
        MCP_GATEWAY_KEY: "bot-key-0123456789abcdef",
      };
      const result = await runCliAsync(["tools", "search", "search nodes", "--config", file], {
        env,
      });
      expect(result.stderr).toContain(`using the gateway at http://127.0.0.1:${port}/mcp`);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("memory:search_nodes");
    } finally {
      await gateway.stop();
    }
  });
});

describe("the original's curl examples: one POST of tools/call with no session", () => {
  test("is refused saying how to get a session (initialize, then Mcp-Session-Id), with its id", async () => {
    const gateway = await startGateway("capabilities: { enabled: false }\nbackends: {}\n");
    try {
      const post = (headers: Record<string, string>) =>
        fetch(`${gateway.url}/mcp`, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: JSON.stringify({
            jsonrpc: "2.0",
            id: 7,
            method: "tools/call",
            params: { name: "gateway_search_tools", arguments: { query: "weather" } },
          }),
        });
      // As the original's QUICKSTART writes it (no Accept header), and as an MCP client would.
      const accepts: Record<string, string>[] = [
        {},
        { accept: "application/json, text/event-stream" },
      ];
      for (const headers of accepts) {
        const response = await post(headers);
        expect(response.status).toBe(400);
        const body = (await response.json()) as { id: unknown; error: { message: string } };
        expect(body.id).toBe(7);
        expect(body.error.message).toContain("Server not initialized");
        expect(body.error.message).toContain("send initialize first, then the Mcp-Session-Id");
        expect(body.error.message).toContain("mcp-gateway tools search|call");
      }
      // A GET with no session (a browser, a curl) says what the endpoint is and where to go.
      for (const accept of ["text/html", "text/event-stream"]) {
        const response = await fetch(`${gateway.url}/mcp`, { headers: { accept } });
        expect(response.status).toBe(400);
        const { error } = (await response.json()) as { error: { message: string } };
        expect(error.message).toContain("GET /mcp opens the event stream of an existing session");
        expect(error.message).toContain("the dashboard is at /ui");
      }
      // A real client still connects.
      const { client, close } = await connectHttp(gateway.url);
      expect((await client.listTools()).tools.length).toBe(4);
      await close();
    } finally {
      await gateway.stop();
    }
  });
});

describe("scopes naming gateway, the original's capabilities backend", () => {
  test("reach, deny and narrow the capabilities backend, as calls to gateway do", async () => {
    const gateway = await startGateway(`
auth:
  enabled: true
  api_keys:
    - { key: "caps-only-key-0123456789", name: "caps", backends: [gateway] }
    - { key: "no-caps-key-0123456789ab", name: "nocaps", denied_tools: ["gateway:*"] }
    - { key: "admin-key-0123456789abcd", name: "admin", admin: true }
routing_profiles:
  capsonly: { allow_backends: [gateway] }
backends: {}
`);
    const connect = async (key: string, headers: Record<string, string> = {}) => {
      const client = new Client({ name: "agent", version: "1" }, { capabilities: {} });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp`), {
          requestInit: { headers: { Authorization: `Bearer ${key}`, ...headers } },
        }),
      );
      return client;
    };
    const servers = async (client: Client) => {
      const result = await client.callTool({ name: "gateway_list_servers", arguments: {} });
      const listed = (result.structuredContent as { servers: { name: string; tools: number }[] })
        .servers;
      return listed.filter((server) => server.tools > 0).map((server) => server.name);
    };
    const invoke = (client: Client) =>
      client.callTool({
        name: "gateway_invoke",
        arguments: { server: "gateway", tool: "public_holidays", arguments: {} },
      });
    const clients: Client[] = [];
    try {
      const caps = await connect("caps-only-key-0123456789");
      const nocaps = await connect("no-caps-key-0123456789ab");
      const profiled = await connect("admin-key-0123456789abcd", { "X-MCP-Profile": "capsonly" });
      clients.push(caps, nocaps, profiled);
      expect(await servers(caps)).toEqual(["capabilities"]);
      expect(await servers(profiled)).toEqual(["capabilities"]);
      expect(await servers(nocaps)).toEqual([]);
      const refused = await invoke(nocaps);
      expect(refused.isError).toBe(true);
      // A whole-server deny hides the server: unknown to the key (round 9, attacks-9.test.ts).
      expect(firstText(refused)).toStartWith("[SERVER_NOT_FOUND]");
      // The allowed key gets past the scopes to the tool's own argument check.
      expect(firstText(await invoke(caps))).toContain("[INVALID_ARGUMENTS]");
    } finally {
      for (const client of clients) await client.close().catch(() => {});
      await gateway.stop();
    }
  });
});

describe("an original config's key with allowed_tools: [] (no tool, in the original)", () => {
  test("is warned about at load: here it sets no limit, and denied_tools: ['*'] gives no tool", () => {
    const { code, text } = listed(
      `auth:
  enabled: true
  api_keys:
    - { key: "env:UI_KEY", name: "Dashboard only", allowed_tools: [], admin: true }
backends: {}
`,
      { UI_KEY: "ui-key-0123456789abcdef" },
    );
    expect(code).toBe(0);
    expect(text).toContain(
      "auth.api_keys[0] (Dashboard only) has allowed_tools: [], which here sets no limit (every tool); the original gateway allowed no tool",
    );
    expect(text).toContain('write denied_tools: ["*"]');
  });
});

describe("gateway_search_tools {limit} over 25 (the original clamps it)", () => {
  test("answers with at most 25 matches instead of refusing; 0 is still refused", async () => {
    const gateway = await startGateway("backends: {}\n");
    const { client, close } = await connectHttp(gateway.url);
    try {
      const search = (limit: number) =>
        client.callTool({ name: "gateway_search_tools", arguments: { query: "weather", limit } });
      const many = await search(50);
      expect(many.isError).toBeFalsy();
      const matches = (many.structuredContent as { matches: unknown[] }).matches;
      expect(matches.length).toBeGreaterThan(0);
      expect(matches.length).toBeLessThanOrEqual(25);
      const zero = await search(0);
      expect(zero.isError).toBe(true);
      expect(firstText(zero)).toContain('"limit" must be an integer from 1 to 25');
    } finally {
      await close();
      await gateway.stop();
    }
  });
});

describe("cap import SPEC without --output (the original's form: it wrote ./capabilities)", () => {
  test("writes into the first capabilities folder the config serves; with none, says what to pass", async () => {
    const home = tempDir("mcpgw-home-");
    const env = { HOME: home, PATH: process.env.PATH! };
    const file = join(home, "zoo.yaml");
    writeFileSync(file, ZOO_SPEC);
    const config = join(home, "gateway.yaml");
    writeFileSync(config, "capabilities: { directories: [./capabilities] }\nbackends: {}\n");
    const served = await runCliAsync(["cap", "import", file, "--config", config], { env });
    expect(served.stderr).toBe("");
    expect(served.code).toBe(0);
    expect(served.stdout).toContain(`wrote 1 capability files to ${join(home, "capabilities")}`);
    expect(readFileSync(join(home, "capabilities/listgiraffes.yaml"), "utf8")).toContain(
      "name: listgiraffes",
    );
    writeFileSync(config, "backends: {}\n");
    const none = await runCliAsync(["cap", "import", file, "--config", config], { env });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("pass --output DIR, or list one under capabilities.directories");
  });
});

describe("cap import --auth-key env:NAME (the original's flag)", () => {
  test("every generated file reads that variable; an operation without a scheme sends it as a bearer", async () => {
    const spec = `openapi: 3.0.3
info: { title: Stripe, version: 1.0.0 }
servers: [{ url: "http://127.0.0.1:9/v1" }]
components:
  securitySchemes:
    key: { type: apiKey, in: header, name: X-Api-Key }
paths:
  /charges:
    get:
      operationId: listCharges
      security: [{ key: [] }]
      responses: { "200": { description: ok } }
  /balance:
    get:
      operationId: getBalance
      responses: { "200": { description: ok } }
`;
    const file = join(tempDir(), "stripe.yaml");
    writeFileSync(file, spec);
    const result = await importOpenApi(file, { prefix: "stripe", authKey: "env:STRIPE_API_KEY" });
    const auth = (name: string) =>
      (parseYAML(result.capabilities.find((c) => c.name === name)!.yaml) as { auth?: unknown })
        .auth;
    expect(auth("stripe_listcharges")).toEqual({
      type: "api_key",
      header: "X-Api-Key",
      key: "env:STRIPE_API_KEY",
    });
    expect(auth("stripe_getbalance")).toEqual({ type: "bearer", key: "env:STRIPE_API_KEY" });
    expect(result.env).toEqual(["STRIPE_API_KEY"]);
    // Through the CLI as the original's docs write it; a value that is not env:NAME is refused.
    const env = { HOME: tempDir(), PATH: process.env.PATH! };
    const out = join(tempDir(), "caps");
    const args = ["cap", "import", file, "--prefix", "stripe", "--output", out];
    const cli = await runCliAsync([...args, "--auth-key", "env:STRIPE_API_KEY"], { env });
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain("secrets are read from: STRIPE_API_KEY");
    const bad = await runCliAsync([...args, "--auth-key", "sk_live_123"], { env });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("--auth-key takes env:NAME");
  });
});

describe("the original's code mode calls: gateway_execute {tool, arguments} and {chain}", () => {
  test("one call, a chain in order that stops at the first failure; gateway_search says what to use", async () => {
    const gateway = await startGateway(`
capabilities: { enabled: false }
code_mode: { enabled: true }
backends:
  memory:${memoryBackend()}
`);
    const { client, close } = await connectHttp(gateway.url);
    try {
      const execute = (args: Record<string, unknown>) =>
        client.callTool({ name: "gateway_execute", arguments: args });
      const created = await execute({
        tool: "memory:create_entities",
        arguments: { entities: [{ name: "ada", entityType: "person", observations: ["math"] }] },
      });
      expect(created.isError).toBeFalsy();
      const chain = await execute({
        chain: [
          { tool: "memory:search_nodes", arguments: { query: "ada" } },
          { tool: "memory:read_graph" },
        ],
      });
      expect(chain.isError).toBeFalsy();
      const steps = (chain.structuredContent as { results: { step: number; tool: string }[] })
        .results;
      expect(steps.map((step) => `${step.step} ${step.tool}`)).toEqual([
        "0 memory:search_nodes",
        "1 memory:read_graph",
      ]);
      expect(JSON.stringify(steps[1])).toContain("ada");
      const failed = await execute({
        chain: [
          { tool: "memory:read_graph" },
          { tool: "memory:nope" },
          { tool: "memory:read_graph" },
        ],
      });
      expect(failed.isError).toBe(true);
      expect(firstText(failed)).toContain("chain step 1 (memory:nope) failed: [TOOL_NOT_FOUND]");
      const bare = await execute({ tool: "read_graph" });
      expect(firstText(bare)).toContain('"tool" must be "server:tool"');
      // A script still runs.
      const script = await execute({ code: "return 1 + 1" });
      expect((script.structuredContent as { result: number }).result).toBe(2);
      // The original's code-mode search answers under its name (test/seams/switcher-11-meta.test.ts).
      const searched = await client.callTool({
        name: "gateway_search",
        arguments: { query: "ada" },
      });
      expect(searched.isError).toBeFalsy();
    } finally {
      await close();
      await gateway.stop();
    }
  });
});

describe("an env_files entry added while serving", () => {
  test("is watched from that reload on: a key written into it later shows the capability", async () => {
    const dir = tempDir("mcpgw-envadd-");
    const { file, running } = await gatewayWithEnvFile(dir, {
      zooList: [
        "name: zoo_list",
        "description: Lists the animals of the zoo.",
        "schema: { input: { type: object, properties: {} } }",
        "rest: { method: GET, base_url: 'http://127.0.0.1:9', path: /animals }",
        "auth: { type: bearer, key: env:SEAMS_A_ZOO_LATER }",
        "",
      ],
      secrets: "",
      capabilities: "{ builtin: false, directories: [./caps] }",
    });
    const names = () => running.gateway.index.tools("capabilities").map((t) => t.name);
    try {
      expect(names()).toEqual([]);
      mkdirSync(join(dir, "team"));
      // The operator adds a second file (its folder watched by nothing yet) and saves.
      writeFileSync(
        file,
        "env_files: [secrets.env, team/keys.env]\ncapabilities: { builtin: false, directories: [./caps] }\n",
      );
      await waitFor(() => running.gateway.config.env_files.length === 2, 10_000);
      // Then writes the key into it: no reload is asked for; the watcher must see it.
      writeFileSync(join(dir, "team/keys.env"), "SEAMS_A_ZOO_LATER='tok-2'\n");
      await waitFor(() => names().includes("zoo_list"), 10_000);
    } finally {
      await running.stop();
    }
  });
});

describe("a capability waiting for its key, the key then written into an env_files file", () => {
  test("shows (and the session hears tools/list_changed) without a restart; a key removed hides it", async () => {
    const dir = tempDir("mcpgw-capkey-");
    const { running } = await gatewayWithEnvFile(dir, {
      zooList: [
        "name: zoo_list",
        "description: Lists the animals of the zoo.",
        "schema: { input: { type: object, properties: {} } }",
        "rest: { method: GET, base_url: 'http://127.0.0.1:9', path: /animals }",
        "auth: { type: bearer, key: env:SEAMS_A_ZOO_TOKEN }",
        "",
      ],
      secrets: "",
      capabilities: "{ builtin: false, directories: [./caps] }",
    });
    let changes = 0;
    const client = new Client({ name: "agent", version: "1" }, { capabilities: {} });
    client.setNotificationHandler("notifications/tools/list_changed", () => void changes++);
    await client.connect(new StreamableHTTPClientTransport(new URL(`${running.url}/mcp`)));
    const listed = async () => {
      const result = await client.callTool({
        name: "gateway_list_tools",
        arguments: { server: "capabilities" },
      });
      return (result.structuredContent as { tools: { tool: string }[] }).tools.map((t) => t.tool);
    };
    try {
      expect(await listed()).toEqual([]);
      // The file watcher reloads; so does the dashboard's reload, called here to be quick.
      writeFileSync(join(dir, "secrets.env"), "SEAMS_A_ZOO_TOKEN='tok-1'\n");
      await running.gateway.operator.reloadConfig?.();
      await waitFor(async () => (await listed()).includes("zoo_list"));
      await waitFor(() => changes > 0);
      writeFileSync(join(dir, "secrets.env"), "");
      await running.gateway.operator.reloadConfig?.();
      await waitFor(async () => (await listed()).length === 0);
    } finally {
      await client.close().catch(() => {});
      await running.stop();
    }
  });
});

describe("setup where a client points at the original gateway's URL (http://localhost:39400/mcp)", () => {
  test("skips it as this gateway, whatever the loopback name or /mcp path, instead of a backend calling itself", async () => {
    const home = tempDir("mcpgw-home-");
    mkdirSync(join(home, ".config/Claude"), { recursive: true });
    // The original's examples/claude-desktop.json, and a per-backend path, and a real remote.
    writeFileSync(
      join(home, ".config/Claude/claude_desktop_config.json"),
      JSON.stringify({
        mcpServers: {
          gateway: { type: "http", url: "http://localhost:39400/mcp" },
          "gateway-github": { url: "http://[::1]:39400/mcp/github/" },
          other: { url: "http://localhost:39401/mcp" },
        },
      }),
    );
    const env = { HOME: home, PATH: process.env.PATH! };
    const result = await runCliAsync(["setup", "--yes", "--dry-run", "--json"], { env });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      backends: { name: string }[];
      skipped: { name: string; reason: string }[];
    };
    expect(report.skipped.map((skip) => `${skip.name}: ${skip.reason}`)).toEqual([
      "gateway: it is this gateway",
      "gateway-github: it is this gateway",
    ]);
    expect(report.backends.map((backend) => backend.name)).toEqual(["other"]);
  });
});

describe("more of the original gateway's commands", () => {
  test("validate, tool, stats, cap import-url and cap registry-list name what to use here", () => {
    const env = { HOME: tempDir(), PATH: process.env.PATH! };
    const cases: [string[], string][] = [
      [["validate", "./capabilities"], "mcp-gateway cap validate PATH"],
      [["tool", "invoke", "weather"], "mcp-gateway cap test NAME --args JSON"],
      [["stats"], "GET /api/usage"],
      [["cap", "import-url", "https://api.example.com"], "mcp-gateway cap import URL"],
      [["cap", "registry-list"], "mcp-gateway cap search WORDS"],
      // Its systemd units' --no-meta-mcp is taken (test/seams/switcher-11-cli.test.ts).
    ];
    for (const [args, hint] of cases) {
      const result = runCli(args, { env });
      expect(result.code).toBe(1);
      expect(result.stderr.replace(/\s+/g, " ")).toContain(hint);
    }
  });
});

describe("a surfaced tool called by its own name, as the original lists it", () => {
  test("is called when one surfaced tool has that name; two sharing it stay not found", async () => {
    const gateway = await startGateway(`
capabilities: { enabled: false }
code_mode: { enabled: true }
meta_mcp:
  surfaced_tools:
    - { server: memory, tool: read_graph }
    - { server: memory, tool: search_nodes }
    - { server: memory2, tool: search_nodes }
backends:
  memory:${memoryBackend("a.json")}
  memory2:${memoryBackend("b.json")}
`);
    const { client, close } = await connectHttp(gateway.url);
    try {
      const index = gateway.gateway.index;
      await waitFor(() => index.tools("memory").length > 0 && index.tools("memory2").length > 0);
      const names = (await client.listTools()).tools.map((tool) => tool.name);
      expect(names).toContain("memory__read_graph");
      const graph = await client.callTool({ name: "read_graph", arguments: {} });
      expect(graph.isError).toBeFalsy();
      expect(firstText(graph)).toContain("entities");
      await expect(
        client.callTool({ name: "search_nodes", arguments: { query: "x" } }),
      ).rejects.toThrow("Tool search_nodes not found");
    } finally {
      await close();
    }
    // The code-mode surface (the original's two tools) answers gateway_search, the original's search.
    const coded = new Client({ name: "agent", version: "1" }, { capabilities: {} });
    await coded.connect(
      new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp?codemode=search_and_execute`)),
    );
    try {
      const searched = await coded.callTool({
        name: "gateway_search",
        arguments: { query: "graph" },
      });
      expect(JSON.stringify(searched.structuredContent)).toContain('"tool":"memory:read_graph"');
    } finally {
      await coded.close().catch(() => {});
      await gateway.stop();
    }
  });
});

describe("an original config with auth off and env: keys whose variables are unset", () => {
  test("loads and serves (the original reads them only with auth on); with auth on it is refused as before", async () => {
    const file = join(tempDir(), "gateway.yaml");
    const text = (enabled: boolean) => `auth:
  enabled: ${enabled}
  bearer_token: "env:SEAMS_A_ADMIN_TOKEN"
  api_keys:
    - { key: "env:SEAMS_A_FRONTEND_KEY", name: "Frontend App" }
    - { key: "env:SEAMS_A_BOT_KEY", name: "Bot", allowed_tools: ["memory:*"] }
backends: {}
`;
    writeFileSync(file, text(false));
    const env = { HOME: tempDir(), PATH: process.env.PATH! };
    const listed = runCli(["list", "--config", file], { env });
    expect(listed.code).toBe(0);
    expect(listed.stderr.replace(/\s+/g, " ")).toContain(
      "auth.api_keys[1].key is env:SEAMS_A_BOT_KEY, which is not set: no key matches that entry while auth.enabled is false",
    );
    const gateway = await runGateway({
      config: loadConfig({ path: file, env }),
      port: 0,
      memoryState: true,
      watch: false,
      env,
    });
    try {
      const { client, close } = await connectHttp(gateway.url!);
      expect((await client.listTools()).tools.length).toBe(4);
      await close();
    } finally {
      await gateway.stop();
    }
    writeFileSync(file, text(true));
    const refused = runCli(["list", "--config", file], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("but SEAMS_A_FRONTEND_KEY is not set or empty");
  });
});
