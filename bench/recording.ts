/**
 * What recording a call costs on the call path: `observedCall` around an instant backend, with
 * the observers off and with them on (metrics and usage, the audit log, cost governance with a
 * budget), in process so that the difference is not lost in transport noise. Writes are batched,
 * so the disk is never on this path; the batches still run here, on timers, as they would.
 */
import { join } from "node:path";
import { loadConfig } from "../src/config/load.ts";
import { createGateway, type Gateway } from "../src/gateway/gateway.ts";
import { observedCall } from "../src/gateway/observed.ts";
import type { CallToolResult } from "../src/mcp/sdk.ts";
import { createAuditLog } from "../src/observe/audit.ts";
import { createCostGovernor } from "../src/observe/costs.ts";
import { createObserver } from "../src/observe/observer.ts";
import { openStateStore } from "../src/state/store.ts";
import { summarize } from "./_stats.ts";

const RESULT: CallToolResult = { content: [{ type: "text", text: "hi" }] };

async function gatewayWith(recording: boolean, dir: string): Promise<Gateway> {
  const file = join(dir, `gateway-${recording}.yaml`);
  await Bun.write(
    file,
    `capabilities: { enabled: false }\nstate_dir: ${dir}/${recording ? "on" : "off"}\n` +
      `cost_governance: { enabled: ${recording}, default_cost: 0.000001, budgets: { daily: 1000000, per_key: { local: 1000000 } } }\n`,
  );
  const config = loadConfig({ path: file });
  const store = await openStateStore(config.state_dir!);
  const gateway = createGateway({ config, store });
  gateway.index.upsert("fixture", [{ name: "echo", inputSchema: { type: "object" } }]);
  if (recording) {
    createObserver({ hooks: gateway.hooks, pool: gateway.pool, store });
    createAuditLog({ hooks: gateway.hooks, store, config: () => gateway.config });
    createCostGovernor({
      hooks: gateway.hooks,
      store,
      config: () => gateway.config.cost_governance,
    });
  }
  return gateway;
}

/** Per-call latency of `observedCall`, in ms. */
export async function measureRecording(calls: number, dir: string) {
  const off = await gatewayWith(false, dir);
  const on = await gatewayWith(true, dir);
  const samples = { off: [] as number[], on: [] as number[] };
  const call = {
    server: "fixture",
    tool: "echo",
    caller: "local",
    session: "s1",
    args: { message: "hi" },
  };
  // Interleaved rounds, so that load from elsewhere on the machine falls on both alike.
  for (let round = 0; round < 20; round++) {
    for (const [name, gateway] of [
      ["off", off],
      ["on", on],
    ] as const) {
      for (let i = 0; i < calls / 20; i++) {
        const started = performance.now();
        await observedCall(gateway, call, () => Promise.resolve(RESULT));
        if (round > 1) samples[name].push(performance.now() - started);
      }
    }
  }
  return { off: summarize(samples.off), on: summarize(samples.on) };
}
