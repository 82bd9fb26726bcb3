#!/usr/bin/env bun
/**
 * A notification flood: one backend sends `count` log (or progress) notifications during one
 * call while a second client times `echo` calls on another backend. Reports how long the flood
 * took through the gateway against the backend's own time (the same call without the gateway),
 * what the flooding client received, and the healthy backend's latency during the flood.
 *
 *   bun bench/flood.ts [count=30000] [kind=log|progress]
 */
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { freePort, printTable, spawnGateway, summarize, waitHttp } from "./_stats.ts";

const ROOT = join(import.meta.dir, "..");
const HOSTILE = join(ROOT, "test/fixtures/servers/hostile.ts");
const FIXTURE = join(ROOT, "test/fixtures/servers/fixture.ts");
const BUN = process.execPath;
const COUNT = Number(process.argv[2] ?? 30_000);
const KIND = process.argv[3] === "progress" ? "progress" : "log";

/** Counts what a client receives of the flood. */
function counting(client: Client): { logs: number; progress: number; dropped: string[] } {
  const seen = { logs: 0, progress: 0, dropped: [] as string[] };
  client.setNotificationHandler("notifications/message", (notification) => {
    const data = notification.params.data;
    if (typeof data === "string" && data.startsWith("flood")) seen.logs++;
    else seen.dropped.push(JSON.stringify(data));
  });
  return seen;
}

/** The counts the gateway's notes report, summed. */
function droppedCount(notes: string[]): number {
  return notes.reduce((sum, note) => sum + Number(/dropped (\d+) log/.exec(note)?.[1] ?? 0), 0);
}

async function timed(call: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await call();
  return performance.now() - started;
}

const floodArgs = { count: COUNT, kind: KIND };
let progressSeen = 0;
const progressOptions = {
  timeout: 600_000,
  onprogress: () => {
    progressSeen++;
  },
};

// The backend's own time: the same call straight over stdio.
const direct = new Client({ name: "direct", version: "1" }, { capabilities: {} });
counting(direct);
await direct.connect(new StdioClientTransport({ command: BUN, args: [HOSTILE] }));
const directMs = await timed(() =>
  direct.callTool({ name: "flood", arguments: floodArgs }, progressOptions),
);
await direct.close();
const directProgress = progressSeen;
progressSeen = 0;

const port = await freePort();
const config = join(ROOT, `.bench-flood-${process.pid}.yaml`);
await Bun.write(
  config,
  `capabilities: { enabled: false }\nbackends:\n  hostile:\n    command: ${BUN}\n    args: ["${HOSTILE}"]\n  healthy:\n    command: ${BUN}\n    args: ["${FIXTURE}"]\n`,
);
const gateway = spawnGateway(
  config,
  port,
  join(ROOT, `.bench-flood-state-${process.pid}`),
  "inherit",
);
const url = new URL(`http://127.0.0.1:${port}/mcp`);
try {
  await waitHttp(`http://127.0.0.1:${port}/health`);
  const flooder = new Client({ name: "flooder", version: "1" }, { capabilities: {} });
  const seen = counting(flooder);
  await flooder.connect(new StreamableHTTPClientTransport(url));
  const timer = new Client({ name: "timer", version: "1" }, { capabilities: {} });
  await timer.connect(new StreamableHTTPClientTransport(url));
  const echo = () =>
    timer.callTool({
      name: "gateway_invoke",
      arguments: { server: "healthy", tool: "echo", arguments: { message: "hi" } },
    });
  // Both backends started and warm.
  for (let i = 0; i < 50; i++) await echo();
  const idle: number[] = [];
  for (let i = 0; i < 200; i++) {
    const started = performance.now();
    await echo();
    idle.push(performance.now() - started);
  }
  await flooder.callTool({
    name: "gateway_invoke",
    arguments: { server: "hostile", tool: "echo", arguments: { message: "warm" } },
  });

  let flooding = true;
  const during: number[] = [];
  const timing = (async () => {
    while (flooding) {
      const started = performance.now();
      await echo();
      during.push(performance.now() - started);
    }
  })();
  const gatewayMs = await timed(() =>
    flooder.callTool(
      {
        name: "gateway_invoke",
        arguments: { server: "hostile", tool: "flood", arguments: floodArgs },
      },
      progressOptions,
    ),
  );
  flooding = false;
  await timing;
  await Bun.sleep(200);
  const a = summarize(idle);
  const b = summarize(during);
  console.log(`\nflood: ${COUNT} ${KIND} notifications in one call\n`);
  printTable(
    ["measure", "value"],
    [
      ["backend's own time, straight over stdio (ms)", directMs],
      ["through the gateway (ms)", gatewayMs],
      ["ratio", gatewayMs / directMs],
      [
        `${KIND} notifications received straight / through the gateway`,
        `${KIND === "log" ? COUNT : directProgress} / ${KIND === "log" ? seen.logs : progressSeen}`,
      ],
      ["notes from the gateway on what it dropped", String(seen.dropped.length)],
      ["log messages the notes say were dropped", String(droppedCount(seen.dropped))],
    ],
  );
  console.log("");
  printTable(
    ["healthy backend's echo", "calls", "p50 ms", "p99 ms", "max ms"],
    [
      ["idle", String(a.n), a.p50, a.p99, Math.max(...idle)],
      ["during the flood", String(b.n), b.p50, b.p99, Math.max(...during)],
    ],
  );
  await flooder.close();
  await timer.close();
} finally {
  gateway.kill("SIGTERM");
  await gateway.exited;
  await Bun.$`rm -rf ${config} ${join(ROOT, `.bench-flood-state-${process.pid}`)}`.quiet();
}
process.exit(0);
