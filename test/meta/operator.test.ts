import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { loadConfig } from "../../src/config/load.ts";
import { runGateway } from "../../src/gateway/run.ts";
import {
  BUN,
  connectStdio,
  FIXTURE_SERVER,
  firstText,
  tempDir,
  waitFor,
  writeConfig,
} from "../helpers.ts";

const KEYS = `
auth:
  enabled: true
  api_keys:
    - { key: admin-key, name: admin, admin: true }
    - { key: user-key, name: user }
    - { key: pid-key, name: pidonly, allowed_tools: ["fixture:pid"] }
`;

const playbookDir = tempDir("mcpgw-playbooks-");
writeFileSync(
  join(playbookDir, "weather.yaml"),
  `name: weather_report
description: Weather report for a city, with the temperature
inputs:
  type: object
  properties:
    city: { type: string }
    unit: { type: string, default: C }
  required: [city]
steps:
  - name: weather
    tool: fixture:echo
    args: { message: '{"city": "$args.city", "temp": 21}' }
  - name: flaky
    tool: fixture:fail
    optional: true
  - name: report
    tool: echo
    server: fixture
    args: { message: "$steps.weather.result.city: $steps.weather.result.temp $args.unit (prev $prev.temp)" }
`,
);
// The original's format: \`arguments\`, a \`server\` field, a version line.
writeFileSync(
  join(playbookDir, "stops.yaml"),
  `playbook: "1.0"
name: stops_on_failure
description: Fails first
steps:
  - { name: first, tool: fail, server: fixture }
  - { name: second, tool: echo, server: fixture, arguments: { message: never } }
`,
);
writeFileSync(join(playbookDir, "broken.yaml"), "name: broken\nsteps: []\n");

const yaml = (extra = "") => `
capabilities: { enabled: false }
playbooks: { directories: ["${playbookDir}"] }
meta_mcp: { operator_tools: all }
${KEYS}
failsafe:
  error_budget: { threshold: 0.6, min_calls: 3, window_size: 5, cooldown: 1500ms }
routing_profiles:
  echo_only: { description: "Echo alone", allow_tools: ["echo"] }
  no_fixture: { deny_backends: [fixture] }
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
    tool_timeouts: { wait: 150ms }
${extra}`;

let file: string;
let running: Awaited<ReturnType<typeof runGateway>> & { url?: string };
const clients: Client[] = [];

async function connect(
  key = "admin-key",
  options: { profile?: string; elicit?: "accept" | "decline" } = {},
): Promise<Client> {
  const capabilities = options.elicit ? { elicitation: { form: {} } } : {};
  const client = new Client({ name: "operator-test", version: "1.0.0" }, { capabilities });
  if (options.elicit) {
    const action = options.elicit;
    client.setRequestHandler("elicitation/create", async () => ({ action, content: {} }));
  }
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (options.profile) headers["x-mcp-profile"] = options.profile;
  const transport = new StreamableHTTPClientTransport(new URL(`${running.url}/mcp`), {
    requestInit: { headers },
  });
  await client.connect(transport);
  clients.push(client);
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = await client.callTool({ name, arguments: args });
  return {
    text: firstText(result),
    // biome-ignore lint/suspicious/noExplicitAny: each test reads the fields of one tool's result
    data: result.structuredContent as Record<string, any>,
    isError: result.isError === true,
  };
}

const invoke = (client: Client, tool: string, args: Record<string, unknown> = {}) =>
  call(client, "gateway_invoke", { server: "fixture", tool, arguments: args });

beforeAll(async () => {
  file = writeConfig(yaml());
  running = await runGateway({ config: loadConfig({ path: file }), port: 0, memoryState: true });
  await waitFor(() => running.gateway.index.tools("fixture").length > 0);
});

afterAll(async () => {
  for (const client of clients) await client.close().catch(() => {});
  await running?.stop();
});

describe("operator meta tools", () => {
  test("listed only when enabled: all of them here, after the four core tools", async () => {
    const client = await connect();
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual([
      "gateway_list_servers",
      "gateway_list_tools",
      "gateway_search_tools",
      "gateway_invoke",
      "gateway_get_stats",
      "gateway_reload_config",
      "gateway_kill_server",
      "gateway_revive_server",
      "gateway_list_disabled_capabilities",
      "gateway_set_profile",
      "gateway_get_profile",
      "gateway_list_profiles",
      "gateway_run_playbook",
      "gateway_cost_report",
      "gateway_webhook_status",
    ]);
    for (const tool of tools) expect(tool.outputSchema ?? tool.name).toBeDefined();
  });

  test("gateway_get_stats counts calls and names the top tools", async () => {
    const client = await connect();
    expect((await invoke(client, "echo", { message: "hi" })).isError).toBe(false);
    // biome-ignore lint/suspicious/noExplicitAny: the result's fields
    const stats: Record<string, any> = await waitFor(async () => {
      const { data } = await call(client, "gateway_get_stats");
      return data.invocations >= 1 ? data : undefined;
    }).then((data) => data ?? {});
    expect(stats.topTools.some((t: { tool: string }) => t.tool === "echo")).toBe(true);
    expect(stats.servers).toBe(1);
  });

  test("kill asks the client to confirm; declined keeps the backend, accepted kills it until revived", async () => {
    const noElicit = await connect();
    const refused = await call(noElicit, "gateway_kill_server", { server: "fixture" });
    expect(refused.isError).toBe(true);
    expect(refused.text).toStartWith("[CONFIRMATION_REQUIRED]");

    const declines = await connect("admin-key", { elicit: "decline" });
    expect((await call(declines, "gateway_kill_server", { server: "fixture" })).data.killed).toBe(
      false,
    );
    expect((await invoke(declines, "echo", { message: "still" })).isError).toBe(false);

    const user = await connect("user-key", { elicit: "accept" });
    const notAdmin = await call(user, "gateway_kill_server", { server: "fixture" });
    expect(notAdmin.text).toStartWith("[POLICY_DENIED]");

    const admin = await connect("admin-key", { elicit: "accept" });
    expect((await call(admin, "gateway_kill_server", { server: "fixture" })).data.killed).toBe(
      true,
    );
    const denied = await invoke(admin, "echo", { message: "x" });
    expect(denied.text).toStartWith("[BACKEND_DISABLED]");
    expect(denied.text).toContain("gateway_revive_server");
    const disabled = (await call(admin, "gateway_list_disabled_capabilities")).data;
    expect(disabled.disabled).toMatchObject([{ server: "fixture", reason: "killed" }]);
    const health = await (
      await fetch(`${running.url}/health`, { headers: { authorization: "Bearer admin-key" } })
    ).json();
    expect(health.status).toBe("degraded");
    expect(health.disabled[0].server).toBe("fixture");

    expect((await call(admin, "gateway_revive_server", { server: "fixture" })).data.revived).toBe(
      true,
    );
    expect((await invoke(admin, "echo", { message: "back" })).text).toContain("back");
  });

  test("an error budget disables a failing backend, which comes back after its cooldown", async () => {
    const client = await connect();
    // A revive resets the budget: the earlier successes no longer dilute the failures.
    expect((await call(client, "gateway_revive_server", { server: "fixture" })).data.revived).toBe(
      false,
    );
    for (let i = 0; i < 3; i++) {
      const result = await invoke(client, "wait");
      expect(result.text).toStartWith("[BACKEND_TIMEOUT]");
    }
    const refused = await invoke(client, "echo", { message: "x" });
    expect(refused.text).toStartWith("[BACKEND_DISABLED]");
    expect(refused.text).toContain("comes back by itself");
    const { disabled } = (await call(client, "gateway_list_disabled_capabilities")).data;
    expect(disabled[0]).toMatchObject({ server: "fixture", reason: "error_budget" });
    expect(disabled[0].until).toBeString();
    await Bun.sleep(1600);
    expect((await invoke(client, "echo", { message: "cooled" })).text).toContain("cooled");
  });
});

describe("config checks", () => {
  test("an unknown operator tool or default profile fails the load, naming the setting", () => {
    const bad = writeConfig(
      "meta_mcp: { operator_tools: [gateway_get_stat] }\ndefault_routing_profile: nope\n",
    );
    expect(() => loadConfig({ path: bad })).toThrow(
      /meta_mcp\.operator_tools\[0\]: unknown operator tool "gateway_get_stat".*default_routing_profile: "nope"/,
    );
  });
});

describe("routing profiles", () => {
  test("the X-MCP-Profile header narrows lists, search and calls", async () => {
    const client = await connect("admin-key", { profile: "echo_only" });
    const listed = (await call(client, "gateway_list_tools", { server: "fixture" })).data;
    expect(listed.tools.map((t: { name?: string; tool?: string }) => t.name ?? t.tool)).toEqual([
      "echo",
    ]);
    const search = (await call(client, "gateway_search_tools", { query: "process id" })).data;
    expect(search.matches.every((m: { tool: string }) => m.tool === "echo")).toBe(true);
    const denied = await invoke(client, "pid");
    expect(denied.text).toStartWith("[POLICY_DENIED]");
    expect(denied.text).toContain('routing profile "echo_only"');
    expect((await call(client, "gateway_get_profile")).data.profile).toBe("echo_only");
  });

  test("gateway_set_profile switches the session; the profile never widens a key's scopes", async () => {
    const client = await connect();
    const switched = await call(client, "gateway_set_profile", { profile: "no_fixture" });
    expect(switched.data.profile).toBe("no_fixture");
    const servers = (await call(client, "gateway_list_servers")).data.servers;
    expect(servers).toEqual([]);
    // A server the profile hides is unknown to the session, as it is to gateway_list_servers.
    expect((await invoke(client, "echo", { message: "x" })).text).toStartWith("[SERVER_NOT_FOUND]");
    const unknown = await call(client, "gateway_set_profile", { profile: "nope" });
    expect(unknown.text).toContain("gateway_list_profiles");

    // pid-key may call pid alone; echo_only allows echo alone: together, nothing.
    const narrow = await connect("pid-key", { profile: "echo_only" });
    expect((await invoke(narrow, "pid")).text).toStartWith("[POLICY_DENIED]");
    expect((await invoke(narrow, "echo", { message: "x" })).text).toStartWith("[POLICY_DENIED]");
  });

  test("an unknown profile at initialize is refused, naming the profiles that exist", async () => {
    const error = await connect("admin-key", { profile: "nope" }).catch((e: Error) => e);
    expect(String(error)).toContain("echo_only");
  });

  test("the profile applies to /mcp/{backend} as well", async () => {
    const client = new Client({ name: "passthrough", version: "1.0.0" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${running.url}/mcp/fixture`), {
        requestInit: {
          headers: { authorization: "Bearer admin-key", "x-mcp-profile": "echo_only" },
        },
      }),
    );
    clients.push(client);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(["echo"]);
    const hidden = await fetch(`${running.url}/mcp/fixture`, {
      method: "POST",
      headers: {
        authorization: "Bearer admin-key",
        "x-mcp-profile": "no_fixture",
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
    });
    expect(hidden.status).toBe(404);
  });

  test("a stdio session runs under default_routing_profile and can switch", async () => {
    const stdio = await connectStdio(
      writeConfig(yaml("default_routing_profile: echo_only").replace(KEYS, "")),
    );
    try {
      const listed = await stdio.client.callTool({
        name: "gateway_list_tools",
        arguments: { server: "fixture" },
      });
      const names = (listed.structuredContent as { tools: { name?: string; tool?: string }[] })
        .tools;
      expect(names.map((t) => t.name ?? t.tool)).toEqual(["echo"]);
      await stdio.client.callTool({
        name: "gateway_set_profile",
        arguments: { profile: "no_fixture" },
      });
      const servers = await stdio.client.callTool({ name: "gateway_list_servers", arguments: {} });
      expect((servers.structuredContent as { servers: unknown[] }).servers).toEqual([]);
    } finally {
      await stdio.close();
    }
  });

  test("gateway_list_profiles lists them with the default", async () => {
    const { data } = await call(await connect(), "gateway_list_profiles");
    expect(data.total).toBe(2);
    expect(data.profiles[0]).toMatchObject({ name: "echo_only", description: "Echo alone" });
    expect(data.default).toBeNull();
  });
});

describe("the original's HTTP paths", () => {
  const auth = { authorization: "Bearer admin-key" };

  test("/dashboard serves the dashboard", async () => {
    const response = await fetch(`${running.url}/dashboard`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("/ui/app.js");
  });

  test("the dashboard shows a killed backend and revives it (admins only)", async () => {
    await running.gateway.pool.kill("fixture", "killed by test");
    const status = await (await fetch(`${running.url}/api/status`, { headers: auth })).json();
    expect(status.backends[0]).toMatchObject({ name: "fixture", disabled: true, state: "failed" });
    const revive = (key: string) =>
      fetch(`${running.url}/ui/api/backends/fixture/revive`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}` },
      });
    expect((await revive("user-key")).status).toBe(403);
    expect(await (await revive("admin-key")).json()).toMatchObject({
      server: "fixture",
      revived: true,
    });
    expect(running.gateway.pool.killSwitch.list()).toEqual([]);
  });

  test("/api/costs counts calls per key and tool, cost 0 with a note", async () => {
    const body = await (await fetch(`${running.url}/api/costs`, { headers: auth })).json();
    expect(body.note).toContain("costs are 0");
    expect(
      body.keys.some((k: { key: string; calls: number }) => k.key === "key:admin" && k.calls > 0),
    ).toBe(true);
    expect(body.tools.some((t: { tool: string }) => t.tool === "echo")).toBe(true);
  });

  test("POST /ui/api/reload and gateway_reload_config apply an edited file", async () => {
    const user = await fetch(`${running.url}/ui/api/reload`, {
      method: "POST",
      headers: { authorization: "Bearer user-key" },
    });
    expect(user.status).toBe(403);
    writeFileSync(
      file,
      yaml().replace("no_fixture:", "added: { allow_tools: [pid] }\n  no_fixture:"),
    );
    const response = await fetch(`${running.url}/ui/api/reload`, { method: "POST", headers: auth });
    expect((await response.json()).reloaded).toBe(true);
    const client = await connect();
    expect((await call(client, "gateway_list_profiles")).data.total).toBe(3);
    const again = await call(client, "gateway_reload_config");
    expect(again.data).toMatchObject({ reloaded: true, added: [], removed: [] });
  });
});

describe("playbooks", () => {
  test("a run passes arguments, earlier results by name and $prev; optional steps may fail", async () => {
    const client = await connect();
    const run = await call(client, "gateway_run_playbook", {
      name: "weather_report",
      arguments: { city: "Oslo" },
    });
    expect(run.isError).toBe(false);
    expect(run.data.ok).toBe(true);
    expect(run.data.result).toBe("Oslo: 21 C (prev 21)");
    expect(run.data.steps.map((s: { name: string; status: string }) => [s.name, s.status])).toEqual(
      [
        ["weather", "ok"],
        ["flaky", "error"],
        ["report", "ok"],
      ],
    );
    expect(run.data.steps[0].durationMs).toBeNumber();
    expect(run.data.steps[1].optional).toBe(true);
  });

  test("a failing step stops the run (the original's format); missing arguments are named", async () => {
    const client = await connect();
    const run = await call(client, "gateway_run_playbook", { name: "stops_on_failure" });
    expect(run.isError).toBe(true);
    expect(run.data.steps.map((s: { status: string }) => s.status)).toEqual(["error", "skipped"]);
    const missing = await call(client, "gateway_run_playbook", { name: "weather_report" });
    expect(missing.text).toStartWith('[INVALID_ARGUMENTS] playbook "weather_report" needs "city"');
  });

  test("steps go through the caller's scopes: a key that cannot call a step cannot see or run it", async () => {
    const narrow = await connect("pid-key");
    const run = await call(narrow, "gateway_run_playbook", {
      name: "weather_report",
      arguments: { city: "x" },
    });
    expect(run.text).toStartWith("[TOOL_NOT_FOUND]");
    const search = (await call(narrow, "gateway_search_tools", { query: "weather report city" }))
      .data;
    expect(search.matches.some((m: { server: string }) => m.server === "playbook")).toBe(false);
  });

  test("playbooks are found by gateway_search_tools and hot-reloaded from their folder", async () => {
    const client = await connect();
    const search = (
      await call(client, "gateway_search_tools", { query: "weather report for a city" })
    ).data;
    expect(search.matches[0]).toMatchObject({ server: "playbook", tool: "weather_report" });
    writeFileSync(
      join(playbookDir, "greet.yaml"),
      "name: greet_someone\ndescription: Greet a person warmly\nsteps:\n  - { name: hi, tool: fixture:echo, args: { message: hello } }\n",
    );
    await waitFor(() => running.gateway.operator.playbooks?.get("greet_someone"));
    const run = await call(client, "gateway_run_playbook", { name: "greet_someone" });
    expect(run.data.result).toBe("hello");
    expect(running.gateway.operator.playbooks?.get("broken")).toBeUndefined();
  });
});
