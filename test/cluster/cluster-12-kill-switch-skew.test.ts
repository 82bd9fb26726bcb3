/**
 * The kill switch × clock skew. Since the latest Disable or Enable is kept in Redis (for
 * instances that start later or missed it), the latest must be the latest by one clock: with
 * each instance's own, a Disable made on an instance whose clock is 10 minutes behind counted as
 * older than an Enable made a moment before on another, and that instance ignored it: the
 * backend the operator had just switched off went on serving there. The instance with the
 * skewed clock runs under faketime (Debian's).
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Subprocess, spawn } from "bun";
import {
  BUN,
  connectStateless,
  firstText,
  freePort,
  ROOT,
  tempDir,
  waitFor,
  writeConfig,
} from "../helpers.ts";
import { ALICE, authYaml, BOB, clusterYaml } from "./_config.ts";
import { type RedisServer, startRedis } from "./_redis.ts";

setDefaultTimeout(120_000);

const runs = !!Bun.which("redis-server") && !!Bun.which("faketime");
let redis: RedisServer | undefined;
const children: Subprocess[] = [];

async function start(config: string, id: string, offset?: string): Promise<string> {
  const port = await freePort();
  const state = tempDir();
  mkdirSync(state, { recursive: true });
  const command = [
    BUN,
    join(ROOT, "src/main.ts"),
    "serve",
    "--config",
    config,
    "--port",
    `${port}`,
  ];
  const child = spawn(offset ? ["faketime", "-f", offset, ...command] : command, {
    env: { ...process.env, XDG_STATE_HOME: state, MCP_GATEWAY_CLUSTER__INSTANCE_ID: id },
    stdout: "ignore",
    stderr: process.env.CLUSTER_TEST_LOGS ? "inherit" : "ignore",
  });
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => {
    try {
      const health = (await (await fetch(`${url}/health`)).json()) as { status?: string };
      return health.status !== undefined;
    } catch {
      return false;
    }
  }, 30_000);
  return url;
}

let urls: string[] = [];

beforeAll(async () => {
  if (!runs) return;
  redis = await startRedis();
  const config = writeConfig(
    clusterYaml(
      redis.url,
      "skew",
      "cluster-12-kill-skew",
      authYaml({ alice: [ALICE, "admin: true"], bob: BOB }),
    ).replace("instance_id: skew, ", ""),
  );
  urls = [await start(config, "a"), await start(config, "behind", "-10m")];
});

afterAll(async () => {
  for (const child of children) {
    // faketime runs the gateway as its child: killed alone, it left the gateway running.
    Bun.spawnSync(["pkill", "-KILL", "-P", `${child.pid}`]);
    child.kill("SIGKILL");
  }
  await Promise.all(children.map((child) => child.exited));
  await redis?.kill();
});

async function echoText(url: string, message: string): Promise<string> {
  const client = await connectStateless(url, { key: BOB });
  try {
    return firstText(
      await client.callTool({
        name: "gateway_invoke",
        arguments: { server: "fixture", tool: "echo", arguments: { message } },
      }),
    );
  } finally {
    await client.close();
  }
}

const act = (url: string, action: "disable" | "enable") =>
  fetch(`${url}/api/backends/fixture/${action}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${ALICE}` },
  });

describe.skipIf(!runs)("the kill switch with an instance whose clock is 10 minutes behind", () => {
  test("a Disable made there after an Enable elsewhere holds everywhere", async () => {
    const [a, behind] = urls as [string, string];
    await waitFor(async () => (await echoText(a, "a")) === "a", 30_000);
    expect((await act(a, "disable")).status).toBe(200);
    await waitFor(async () => (await echoText(behind, "b")).includes("[BACKEND_DISABLED]"));
    expect((await act(a, "enable")).status).toBe(200);
    await waitFor(async () => (await echoText(behind, "b")) === "b", 30_000);
    // The operator switches it off again, on the instance whose clock is behind.
    expect((await act(behind, "disable")).status).toBe(200);
    await waitFor(async () => (await echoText(a, "a")).includes("[BACKEND_DISABLED]"));
    // And an instance that starts now reads it so.
    const config = writeConfig(
      clusterYaml(
        redis!.url,
        "late",
        "cluster-12-kill-skew",
        authYaml({ alice: [ALICE, "admin: true"], bob: BOB }),
      ),
    );
    const late = await start(config, "late");
    expect(await echoText(late, "late")).toContain("[BACKEND_DISABLED]");
  });
});
