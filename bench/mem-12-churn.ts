#!/usr/bin/env bun
/**
 * What the gateway keeps when things come and go, rather than when one session calls (that is
 * bench/memory.ts): the gateway runs in this process with the fixture server as its backend, one
 * scenario repeats, and at each checkpoint the JS heap after a full collection, its object count
 * and the object kinds whose counts changed since the checkpoint before. A leak grows with the
 * repetitions; a bounded cache fills once and stays.
 *
 *   bun bench/mem-12-churn.ts sessions [100,300,1000]   # open, 3 gateway_invoke, DELETE
 *   bun bench/mem-12-churn.ts passthrough               # the same on /mcp/fixture
 *   bun bench/mem-12-churn.ts modern                    # 2026-07-28 clients (no session)
 *   bun bench/mem-12-churn.ts isolated [50,150]         # isolation: session (a process each)
 *   bun bench/mem-12-churn.ts abandoned [100,200,400]   # closed without DELETE (kept until TTL)
 *   bun bench/mem-12-churn.ts streams [100,300,600]     # a GET stream opened and dropped
 *   bun bench/mem-12-churn.ts reloads [20,40,80]        # the config reloaded, a backend added/removed
 *   bun bench/mem-12-churn.ts restarts [20,60,120]      # the backend crashes and is restarted
 *   bun bench/mem-12-churn.ts costs [300,1000,1500]     # sessions that spend (cost_governance on)
 */
import { heapStats } from "bun:jsc";
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { freePort, printTable, waitHttp } from "./_stats.ts";

const SCENARIO = process.argv[2] ?? "sessions";
const DEFAULT_STEPS: Record<string, string> = {
  isolated: "50,150",
  abandoned: "100,200,400",
  reloads: "20,40,80",
  restarts: "20,60,120",
  costs: "300,1000,1500",
};
const STEPS = (process.argv[3] ?? DEFAULT_STEPS[SCENARIO] ?? "100,300,1000").split(",").map(Number);
const ROOT = join(import.meta.dir, "..");
const FIXTURE = join(ROOT, "test/fixtures/servers/fixture.ts");
const tmp = join(tmpdir(), `bench-churn-${process.pid}`);
const fixture = (name: string, extra = "") =>
  `  ${name}:\n    command: ${process.execPath}\n    args: ["${FIXTURE}"]\n${extra}`;
const config = (n: number) =>
  "capabilities: { enabled: false }\ncache: { enabled: false }\n" +
  (SCENARIO === "restarts"
    ? "failsafe:\n  retry: { enabled: false }\n  circuit_breaker: { enabled: false }\n" +
      "  error_budget: { enabled: false }\n" +
      "  restart: { initial_backoff: 10ms, max_backoff: 20ms, crash_limit: 100000, crash_window: 1s }\n"
    : "") +
  (SCENARIO === "costs" ? "cost_governance: { enabled: true, default_cost: 0.01 }\n" : "") +
  "backends:\n" +
  fixture("fixture", SCENARIO === "isolated" ? "    isolation: session\n" : "") +
  (SCENARIO === "reloads" && n % 2 ? fixture("second") : "");
writeFileSync(`${tmp}.yaml`, config(0));
process.env.XDG_STATE_HOME = `${tmp}-state`;
const { loadConfig } = await import("../src/config/load.ts");
const { runGateway } = await import("../src/gateway/run.ts");
const port = await freePort();
const running = await runGateway({
  config: loadConfig({ path: `${tmp}.yaml` }),
  port,
  watch: false,
});
await waitHttp(`http://127.0.0.1:${port}/health`);
const base = `http://127.0.0.1:${port}`;

async function connect(path = "/mcp", modern = false, name = "churn") {
  const client = new Client(
    { name, version: "1" },
    modern
      ? { capabilities: {}, versionNegotiation: { mode: { pin: "2026-07-28" } } }
      : { capabilities: {} },
  );
  const transport = new StreamableHTTPClientTransport(new URL(`${base}${path}`));
  await client.connect(transport);
  return { client, transport };
}
const invoke = (client: Client, tool = "echo") =>
  client
    .callTool({
      name: "gateway_invoke",
      arguments: { server: "fixture", tool, arguments: tool === "echo" ? { message: "hi" } : {} },
    })
    .catch(() => ({ isError: true }));

/** One repetition of the scenario (`i`: its number). */
let once: (i: number) => Promise<void>;
if (SCENARIO === "restarts" || SCENARIO === "reloads" || SCENARIO === "streams") {
  const { client, transport } = await connect();
  await invoke(client);
  if (SCENARIO === "restarts") {
    once = async () => {
      await invoke(client, "crash");
      for (let t = 0; t < 500 && (await invoke(client)).isError; t++) await Bun.sleep(10);
    };
  } else if (SCENARIO === "reloads") {
    once = async (i) => {
      writeFileSync(`${tmp}.yaml`, config(i + 1));
      await running.reload("bench");
    };
  } else {
    const headers = {
      accept: "text/event-stream",
      "mcp-session-id": transport.sessionId ?? "",
      "mcp-protocol-version": "2025-06-18",
    };
    once = async () => {
      const abort = new AbortController();
      const response = await fetch(`${base}/mcp`, { headers, signal: abort.signal });
      if (response.ok) await Promise.race([response.body!.getReader().read(), Bun.sleep(20)]);
      abort.abort();
    };
  }
} else {
  once = async (i) => {
    const path = SCENARIO === "passthrough" ? "/mcp/fixture" : "/mcp";
    const modern = SCENARIO === "modern";
    // Abandoned sessions each under their own client name: one name may hold only 100.
    const { client, transport } = await connect(path, modern, `churn-${i}`);
    for (let k = 0; k < 3; k++) {
      const result =
        path === "/mcp"
          ? await invoke(client)
          : await client.callTool({ name: "echo", arguments: { message: "hi" } });
      if (result.isError) throw new Error(`call failed: ${JSON.stringify(result)}`);
    }
    if (!modern && SCENARIO !== "abandoned") await transport.terminateSession();
    await client.close();
  };
}

const MiB = (bytes: number) => bytes / 1024 / 1024;
const rows: (string | number)[][] = [];
let before: Record<string, number> | undefined;
async function checkpoint(done: number): Promise<void> {
  await Bun.sleep(300);
  Bun.gc(true);
  const stats = heapStats();
  const counts = stats.objectTypeCounts as Record<string, number>;
  const previous = before;
  const changed = previous
    ? Object.entries(counts)
        .map(([type, count]) => [type, count - (previous[type] ?? 0)] as const)
        .filter(([, delta]) => delta !== 0)
        .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))
        .slice(0, 6)
        .map(([type, delta]) => `${type} ${delta > 0 ? "+" : ""}${delta}`)
        .join(", ")
    : "";
  const health = (await fetch(`${base}/health`).then((r) => r.json())) as { sessions?: number };
  rows.push([
    String(done),
    MiB(stats.heapSize),
    String(stats.objectCount),
    String(health.sessions ?? ""),
    MiB(process.memoryUsage().rss),
    changed,
  ]);
  before = { ...counts };
}

let done = 0;
for (const target of [2, ...STEPS]) {
  for (; done < target; done++) await once(done);
  await checkpoint(done);
}
await running.stop();
rmSync(`${tmp}.yaml`, { force: true });
rmSync(`${tmp}-state`, { recursive: true, force: true });
console.log(`\n${SCENARIO}: the gateway in process, heap after a full collection\n`);
printTable(["done", "JS heap MiB", "objects", "sessions open", "RSS MiB", "changed since"], rows);
process.exit(0);
