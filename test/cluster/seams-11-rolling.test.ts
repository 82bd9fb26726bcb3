/**
 * A rolling restart under load: three instances behind nginx (round robin), 20 clients with
 * 2025-11-25 sessions calling all the while, each instance in turn stopped (SIGTERM: drain) and
 * started again on its port. Every call must be answered (a result, or an error that says what
 * happened), never left hanging, and every session must go on afterwards.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { type Subprocess, spawn } from "bun";
import { BUN, firstText, freePort, ROOT, tempDir, waitFor } from "../helpers.ts";
import { clusterConfig, startProxy } from "./_instances.ts";
import { type RedisServer, startRedis } from "./_redis.ts";

setDefaultTimeout(240_000);

/**
 * The errors that say what happened and what to do: a call whose outcome is unknown (its
 * instance stopped or closed the connection under it), or a session an instance could not find
 * because it could not reach Redis in time (a restarted instance on a loaded machine: Redis
 * counts as down after a 1 s command).
 */
const CLEAR = ["may or may not have run", "open a new session"];

let redis: RedisServer | undefined;
let nginx: Awaited<ReturnType<typeof startProxy>> | undefined;
let config = "";
const ports: number[] = [];
const processes: (Subprocess | undefined)[] = [];

async function start(index: number): Promise<void> {
  const port = ports[index]!;
  const state = tempDir();
  mkdirSync(state, { recursive: true });
  processes[index] = spawn(
    [BUN, join(ROOT, "src/main.ts"), "serve", "--config", config, "--port", `${port}`],
    {
      env: { ...process.env, XDG_STATE_HOME: state, MCP_GATEWAY_CLUSTER__INSTANCE_ID: `i${index}` },
      stdout: "ignore",
      stderr: process.env.CLUSTER_TEST_LOGS ? "inherit" : "ignore",
    },
  );
  await waitFor(async () => {
    try {
      const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as {
        cluster?: { redis: string };
      };
      return health.cluster?.redis === "connected";
    } catch {
      return false;
    }
  }, 30_000);
}

beforeAll(async () => {
  if (!Bun.which("redis-server")) return;
  redis = await startRedis();
  config = clusterConfig(redis.url, "server: { shutdown_timeout: 5s }");
  for (let i = 0; i < 3; i++) ports.push(await freePort());
  for (let i = 0; i < 3; i++) await start(i);
  nginx = await startProxy(ports);
});

afterAll(async () => {
  await nginx?.stop();
  for (const child of processes) child?.kill("SIGKILL");
  await Promise.all(processes.map((child) => child?.exited));
  await redis?.kill();
});

describe.skipIf(!Bun.which("redis-server"))("a rolling restart under load", () => {
  test("20 sessions keep working; every call is answered", async () => {
    const clients = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const client = new Client({ name: `load-${i}`, version: "1" }, { capabilities: {} });
        await client.connect(
          new StreamableHTTPClientTransport(new URL(`${nginx!.url}/mcp/fixture`)),
        );
        return client;
      }),
    );
    let running = true;
    const outcomes = new Map<string, number>();
    const note = (what: string) => outcomes.set(what, (outcomes.get(what) ?? 0) + 1);
    const loops = clients.map(async (client, i) => {
      let n = 0;
      while (running) {
        const message = `c${i}-${n++}`;
        const started = performance.now();
        try {
          const result = await client.callTool(
            { name: "echo", arguments: { message } },
            { timeout: 60_000 },
          );
          note(firstText(result) === message ? "ok" : `wrong: ${firstText(result)}`);
        } catch (error) {
          const text = (error as Error).message.replace(/https?:\/\/[\d.:]+/g, "URL");
          // Classified on the whole message, shown cut.
          const kind = CLEAR.find((clear) => text.includes(clear)) ?? text.slice(0, 200);
          note(`error: ${kind} (${Math.round((performance.now() - started) / 1000)} s)`);
          await Bun.sleep(100);
        }
      }
    });
    await Bun.sleep(2000);
    for (let i = 0; i < 3; i++) {
      processes[i]!.kill("SIGTERM");
      await processes[i]!.exited;
      await start(i);
      await Bun.sleep(1500);
    }
    running = false;
    await Promise.all(loops);
    if (process.env.CLUSTER_TEST_LOGS) console.error(JSON.stringify([...outcomes], null, 1));
    // Every session goes on.
    const after = await Promise.all(
      clients.map((client, i) =>
        client
          .callTool({ name: "echo", arguments: { message: `after-${i}` } }, { timeout: 30_000 })
          .then(firstText, (error: Error) => `error: ${error.message}`),
      ),
    );
    expect(after).toEqual(clients.map((_, i) => `after-${i}`));
    // nginx passing a request to an instance in the instant it stops listening answers 502 (the
    // connection closes before the request is read; nginx does not pass a POST on again): not
    // fixed here (docs/scaling.md), and rare: at most 1 call in 100.
    const bounced = [...outcomes]
      .filter(([what]) => what.includes("502 Bad Gateway"))
      .reduce((sum, [, count]) => sum + count, 0);
    expect(bounced).toBeLessThanOrEqual(Math.ceil((outcomes.get("ok") ?? 0) / 100));
    const unclear = [...outcomes.keys()].filter(
      (what) =>
        what !== "ok" &&
        !CLEAR.some((clear) => what.includes(clear)) &&
        !what.includes("502 Bad Gateway"),
    );
    expect(unclear).toEqual([]);
    await Promise.all(clients.map((client) => client.close().catch(() => {})));
  });
});
