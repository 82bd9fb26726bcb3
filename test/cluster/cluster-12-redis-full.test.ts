/**
 * Redis at `maxmemory` (noeviction): it answers reads and PING, and refuses every write with
 * OOM. The instance took the refusal for an outage, then PING for recovery, every second: it
 * logged "unreachable" and "reachable again" in turn, and re-read its config file each time (a
 * reload after each "outage"), for as long as Redis stayed full. It now counts Redis back only
 * once it takes a write, and says what is wrong and what to change.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { loadConfig } from "../../src/config/load.ts";
import { type RunningGateway, runGateway } from "../../src/gateway/run.ts";
import { freePort, waitFor, writeConfig } from "../helpers.ts";
import { type RedisServer, startRedis } from "./_redis.ts";

setDefaultTimeout(60_000);

let redis: RedisServer | undefined;
let port = 0;
let running: RunningGateway | undefined;

const cli = (...args: string[]) =>
  Bun.spawnSync(["redis-cli", "-p", `${port}`, ...args])
    .stdout.toString()
    .trim();

beforeAll(async () => {
  if (!Bun.which("redis-server")) return;
  redis = await startRedis(["--maxmemory", "3mb", "--maxmemory-policy", "noeviction"]);
  port = redis.port;
  await waitFor(() => cli("PING") === "PONG");
  running = await runGateway({
    config: loadConfig({
      path: writeConfig(
        `capabilities: { enabled: false }\ncluster: { redis_url: "redis://127.0.0.1:${port}", instance_id: full }\nbackends: {}\n`,
      ),
    }),
    port: await freePort(),
    memoryState: true,
    watch: false,
  });
  await waitFor(() => running!.cluster!.status().redis === "connected");
});

afterAll(async () => {
  await running?.stop();
  await redis?.kill();
});

describe.skipIf(!Bun.which("redis-server"))("Redis at maxmemory", () => {
  test("counts as down until it takes writes again, without a reload a second, and says why", async () => {
    const cluster = running!.cluster!;
    let reloads = 0;
    running!.gateway.hooks.hook("config:reload", () => {
      reloads++;
    });
    // Filled past maxmemory: every write is refused from now on.
    cli("EVAL", "for i=1,200 do redis.call('SET','fill'..i, string.rep('x', 20000)) end", "0");
    expect(cli("SET", "probe", "1")).toContain("OOM");
    await cluster.set("anything", "1", 10_000);
    expect(cluster.status().redis).toBe("down");
    await Bun.sleep(3_500);
    expect(cluster.status().redis).toBe("down");
    expect(cluster.status().error).toContain("maxmemory");
    expect(reloads).toBe(0);
    cli("FLUSHALL");
    await waitFor(() => cluster.status().redis === "connected", 10_000);
    expect(await cluster.set("anything", "1", 10_000)).toBe(true);
  });
});
