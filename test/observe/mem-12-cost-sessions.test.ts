/**
 * Cost governance kept the spend of every session that ever spent, for good: closed sessions
 * were only taken out of the alert list, never out of the per-session spend, nor at midnight,
 * so memory (and every `gateway_cost_report` with `include_all_sessions`) grew with each session
 * a client opened and closed. Closed sessions stay in the report until the day ends, the last
 * `CLOSED_KEPT` of them.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { CostGovernanceSchema } from "../../src/config/governance.ts";
import { loadConfig } from "../../src/config/load.ts";
import { runGateway } from "../../src/gateway/run.ts";
import { createGatewayHooks } from "../../src/hooks.ts";
import { CLOSED_KEPT, createCostGovernor } from "../../src/observe/costs.ts";
import { createMemoryStore } from "../../src/state/store.ts";
import { BUN, FIXTURE_SERVER, tempDir, waitFor } from "../helpers.ts";
import { meta } from "../security/_helpers.ts";

const DAY = 86_400_000;

describe("spend per session", () => {
  const dir = tempDir();
  const file = join(dir, "gateway.yaml");
  let clock = Date.parse("2026-03-10T12:00:00Z");
  let running: Awaited<ReturnType<typeof runGateway>>;

  beforeAll(async () => {
    writeFileSync(
      file,
      `capabilities: { enabled: false }\nstate_dir: ${join(dir, "state")}\n` +
        `cost_governance:\n  enabled: true\n  tool_costs: { echo: 0.01 }\n` +
        `backends:\n  fixture:\n    command: ${BUN}\n    args: ["${FIXTURE_SERVER}"]\n`,
    );
    running = await runGateway({
      config: loadConfig({ path: file }),
      port: 0,
      watch: false,
      clock: () => clock,
    });
    await waitFor(() => running.gateway.index.tools("fixture").length > 0);
  });
  afterAll(() => running?.stop());

  async function open(): Promise<{ client: Client; close: () => Promise<void> }> {
    const client = new Client({ name: "spender", version: "1" }, { capabilities: {} });
    const transport = new StreamableHTTPClientTransport(new URL(`${running.url}/mcp`));
    await client.connect(transport);
    return {
      client,
      close: async () => {
        await transport.terminateSession();
        await client.close();
      },
    };
  }
  const echo = (client: Client) =>
    meta(client, "gateway_invoke", {
      server: "fixture",
      tool: "echo",
      arguments: { message: "hi" },
    });
  const listed = async (client: Client) =>
    ((await meta(client, "gateway_cost_report", { include_all_sessions: true })).data.sessions as {
      session: string;
      cost: number;
    }[]) ?? [];

  test("closed sessions are reported until midnight, then forgotten", async () => {
    for (let i = 0; i < 12; i++) {
      const session = await open();
      expect((await echo(session.client)).isError).toBeFalsy();
      await session.close();
    }
    const mine = await open();
    expect((await echo(mine.client)).isError).toBeFalsy();
    // Today: the twelve closed and this one.
    expect(await listed(mine.client)).toHaveLength(13);
    clock += DAY;
    expect((await echo(mine.client)).isError).toBeFalsy();
    // Past midnight only the open session is left (all twelve closed ones stayed before).
    const left = await listed(mine.client);
    expect(left).toHaveLength(1);
    expect(left[0]!.cost).toBe(0.02);
    await mine.close();
  }, 60_000);
});

test(`at most ${CLOSED_KEPT} closed sessions are kept in a day`, () => {
  const hooks = createGatewayHooks();
  const governor = createCostGovernor({
    hooks,
    store: createMemoryStore(),
    config: () => CostGovernanceSchema.parse({ enabled: true, default_cost: 0.01 }),
    now: () => Date.parse("2026-03-10T12:00:00Z"),
  });
  const sessions = CLOSED_KEPT + 500;
  for (let i = 0; i < sessions; i++) {
    void hooks.callHook("tool:call:admit", {
      server: "s",
      tool: "t",
      caller: "local",
      session: `session-${i}`,
    });
    void hooks.callHook("session:close", `session-${i}`);
  }
  const report = governor.report({ caller: "local", admin: true, includeAllSessions: true });
  const listed = report.sessions as { session: string }[];
  expect(listed).toHaveLength(CLOSED_KEPT);
  // The last closed are the ones kept.
  expect(listed.at(-1)!.session).toBe(`session-${sessions - 1}`);
  expect(listed[0]!.session).toBe(`session-${sessions - CLOSED_KEPT}`);
  governor.close();
});
