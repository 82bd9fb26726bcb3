import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { runGateway } from "../../src/gateway/run.ts";
import { hashKey } from "../../src/security/keys.ts";
import { BUN, FIXTURE_SERVER, startFromFile, tempDir, waitFor } from "../helpers.ts";
import { connectWithKey, meta } from "../security/_helpers.ts";

const OPS = "ops-key-0123456789abcdef";
const CI = "ci-key-0123456789abcdef";
const DAY = 86_400_000;

const CONFIG = (dir: string) => `capabilities: { enabled: false }
state_dir: ${join(dir, "state")}
auth:
  enabled: true
  api_keys:
    - { name: ops, key: "${hashKey(OPS)}", admin: true }
    - { name: ci, key: "${hashKey(CI)}" }
cost_governance:
  enabled: true
  currency: EUR
  tool_costs: { echo: 0.4, "fixture:fail": 0.1 }
  budgets:
    daily: 100
    per_key: { ci: 1.0 }
    per_tool: { fail: 0.15 }
  alerts:
    - { at_percent: 50, action: Log }
    - { at_percent: 75, action: NOTIFY }
    - { at_percent: 100, action: block }
  alternatives: { echoes: [echo, rich] }
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
`;

describe("budgets", () => {
  const dir = tempDir();
  const file = join(dir, "gateway.yaml");
  // Noon UTC on some day; the test moves it past midnight.
  let clock = Date.parse("2026-03-10T12:00:00Z");
  let running: Awaited<ReturnType<typeof runGateway>>;
  const start = async () => {
    running = await runGateway({
      config: loadConfig({ path: file }),
      port: 0,
      watch: false,
      clock: () => clock,
    });
    await waitFor(() => running.gateway.index.tools("fixture").length > 0);
  };

  beforeAll(async () => {
    writeFileSync(file, CONFIG(dir));
    await start();
  });
  afterAll(() => running?.stop());

  const echo = (client: Awaited<ReturnType<typeof connectWithKey>>["client"]) =>
    client.callTool({
      name: "gateway_invoke",
      arguments: { server: "fixture", tool: "echo", arguments: { message: "hi" } },
    });

  test("a key's calls are refused past its budget, naming it and when it resets; alerts notify its sessions", async () => {
    const ci = await connectWithKey(running.url!, CI);
    const messages: unknown[] = [];
    ci.client.setNotificationHandler("notifications/message", (notification) => {
      messages.push(notification.params.data);
    });
    const first = await echo(ci.client);
    expect(first.isError).toBeFalsy();
    expect(first._meta?.["mcp-gateway/budget"]).toBeUndefined();
    const second = await echo(ci.client);
    expect(second.isError).toBeFalsy();
    // 0.8 of 1.0: past the 50% log and 75% notify thresholds.
    expect(second._meta?.["mcp-gateway/budget"]).toMatchObject({
      budget: "per_key:ci",
      limit: 1,
      spent: 0.8,
      percent: 80,
      currency: "EUR",
    });
    await waitFor(() => messages.length > 0);
    expect(messages[0]).toMatchObject({ budget: "per_key:ci", percent: 80 });
    const third = await meta(ci.client, "gateway_invoke", {
      server: "fixture",
      tool: "echo",
      arguments: { message: "hi" },
    });
    expect(third.isError).toBe(true);
    expect(third.text).toStartWith(
      "[BUDGET_EXCEEDED] per_key:ci budget of 1 EUR would be exceeded",
    );
    expect(third.text).toContain("resets at 2026-03-11T00:00:00.000Z (in 12h)");
    expect(third.text).toContain("cheaper alternatives: rich");
    // Another key has its own budget.
    const ops = await connectWithKey(running.url!, OPS);
    expect((await echo(ops.client)).isError).toBeFalsy();
    await ops.close();
    await ci.close();
    // The refusal is in the audit log; the dashboard lists the alert.
    const audit = await fetch(`${running.url}/api/audit?caller=ci`, {
      headers: { Authorization: `Bearer ${OPS}` },
    });
    const rows = ((await audit.json()) as { rows: { outcome: string; code?: string }[] }).rows;
    expect(rows[0]).toMatchObject({ outcome: "refused", code: "BUDGET_EXCEEDED" });
    const costs = await fetch(`${running.url}/api/costs`, {
      headers: { Authorization: `Bearer ${OPS}` },
    });
    const report = (await costs.json()) as { alerts: { action: string }[] };
    expect(report.alerts.some((alert) => alert.action === "notify")).toBe(true);
  });

  test("a per-tool budget counts that tool's calls on every server", async () => {
    const ops = await connectWithKey(running.url!, OPS);
    const call = () => meta(ops.client, "gateway_invoke", { server: "fixture", tool: "fail" });
    expect((await call()).text).not.toContain("BUDGET_EXCEEDED");
    expect((await call()).text).toStartWith("[BUDGET_EXCEEDED] per_tool:fail budget");
    await ops.close();
  });

  test("spend survives a restart, and budgets reset at UTC midnight", async () => {
    await running.stop();
    await start();
    const ci = await connectWithKey(running.url!, CI);
    const again = await meta(ci.client, "gateway_invoke", {
      server: "fixture",
      tool: "echo",
      arguments: { message: "hi" },
    });
    expect(again.text).toStartWith("[BUDGET_EXCEEDED]");
    clock += DAY / 2 + 1000;
    expect((await echo(ci.client)).isError).toBeFalsy();
    await ci.close();
  });

  test("gateway_cost_report shows a key its own spend; an admin every key's", async () => {
    const ci = await connectWithKey(running.url!, CI);
    const tools = await ci.client.listTools();
    expect(tools.tools.map((tool) => tool.name)).toContain("gateway_cost_report");
    const own = await meta(ci.client, "gateway_cost_report", {
      include_all_keys: true,
      include_all_sessions: true,
    });
    const keys = own.data.keys as { caller: string; today: number; last7d: number }[];
    expect(keys.map((key) => key.caller)).toEqual(["key:ci"]);
    expect(keys[0]).toMatchObject({ today: 0.4, last7d: 1.2 });
    expect(own.data.budgets).toEqual([
      expect.objectContaining({ budget: "daily" }),
      expect.objectContaining({ budget: "per_tool:fail" }),
      expect.objectContaining({ budget: "per_key:ci", spent: 0.4, percent: 40 }),
    ]);
    expect(own.data.sessions).toEqual([
      expect.objectContaining({ caller: "key:ci", cost: 0.4, calls: 1 }),
    ]);
    await ci.close();
    const ops = await connectWithKey(running.url!, OPS);
    const all = await meta(ops.client, "gateway_cost_report", { include_all_keys: true });
    const callers = (all.data.keys as { caller: string }[]).map((key) => key.caller).sort();
    expect(callers).toEqual(["key:ci", "key:ops"]);
    await ops.close();
    const metrics = await (
      await fetch(`${running.url}/metrics`, { headers: { Authorization: `Bearer ${OPS}` } })
    ).text();
    expect(metrics).toContain(
      'mcp_gateway_cost_total{caller="key:ci",server="fixture",tool="echo"} 0.4',
    );
    expect(metrics).toContain('mcp_gateway_budget_limit{budget="per_key:ci"} 1');
  });
});

test("a capability's cost_per_call prices its calls; tool_costs wins over it", async () => {
  const dir = tempDir();
  writeFileSync(
    join(dir, "priced.yaml"),
    `fulcrum: "1.0"
name: priced_lookup
description: A priced lookup
schema: { input: { type: object, properties: {} } }
providers:
  primary: { service: rest, cost_per_call: 5, config: { base_url: "http://127.0.0.1:9", path: /x } }
`,
  );
  writeFileSync(
    join(dir, "cheap.yaml"),
    `fulcrum: "1.0"
name: cheap_lookup
description: A cheap lookup
schema: { input: { type: object, properties: {} } }
providers:
  primary: { service: rest, cost_per_call: 5, config: { base_url: "http://127.0.0.1:9", path: /x } }
`,
  );
  const file = join(dir, "gateway.yaml");
  writeFileSync(
    file,
    `capabilities: { builtin: false, directories: ["."], allow_private_networks: true }
cost_governance: { enabled: true, budgets: { daily: 1 }, tool_costs: { cheap_lookup: 0.5 } }
`,
  );
  const running = await startFromFile(file);
  try {
    await waitFor(() => running.gateway.index.tools("capabilities").length === 2);
    const client = await connectWithKey(running.url!, undefined);
    const priced = await meta(client.client, "gateway_invoke", {
      server: "capabilities",
      tool: "priced_lookup",
    });
    expect(priced.text).toStartWith("[BUDGET_EXCEEDED] daily budget of 1 USD would be exceeded");
    expect(priced.text).toContain("capabilities:priced_lookup costs 5 USD");
    // Priced by tool_costs, sent (the upstream is closed: a tool error, still a call made).
    const cheap = await meta(client.client, "gateway_invoke", {
      server: "capabilities",
      tool: "cheap_lookup",
    });
    expect(cheap.text).not.toContain("BUDGET_EXCEEDED");
    await client.close();
  } finally {
    await running.stop();
  }
});
