/**
 * The kill switch × clock skew. Since the latest Disable or Enable is kept in Redis (for
 * instances that start later or missed it), the latest must be the latest by one clock: with
 * each instance's own, a Disable made on an instance whose clock is 10 minutes behind counted as
 * older than an Enable made a moment before on another, and that instance ignored it: the
 * backend the operator had just switched off went on serving there. The instance with the
 * skewed clock runs under faketime (Debian's).
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { connectStateless, firstText, waitFor, writeConfig } from "../helpers.ts";
import { ALICE, authYaml, BOB, clusterYaml } from "./_config.ts";
import { type Instance, startInstance } from "./_instances.ts";
import { type RedisServer, startRedis } from "./_redis.ts";

setDefaultTimeout(120_000);

const runs = !!Bun.which("redis-server") && !!Bun.which("faketime");
let redis: RedisServer | undefined;
const instances: Instance[] = [];

/** An instance as a process, its clock shifted by `offset` (faketime's "-10m"). */
async function start(config: string, id: string, offset?: string): Promise<string> {
  const instance = await startInstance(config, id, {
    offset,
    ready: (health) => health.status !== undefined,
  });
  instances.push(instance);
  return instance.url;
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
  await Promise.all(instances.map((instance) => instance.kill()));
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
