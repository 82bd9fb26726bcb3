/**
 * Clock skew between instances × `security.sandbox.max_duration`. A session's clock runs from
 * its first call on any instance; that start was kept in Redis as a time read from the first
 * instance's clock and compared with another's, so an instance whose clock was behind gave the
 * session that much more time (10 minutes behind: 10 more minutes of a 3-second sandbox). Now
 * Redis measures it (a key expiring `max_duration` after the first call), so skew does not
 * matter. The instance with the skewed clock runs under faketime (Debian's).
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { connectStateless, writeConfig } from "../helpers.ts";
import { ALICE, authYaml, clusterYaml } from "./_config.ts";
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
    ready: (health) => health.status === "ok",
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
      "seams-11-skew",
      `security:
  sandbox: { max_duration: 3s }
${authYaml({ alice: ALICE })}`,
    ).replace("instance_id: skew, ", ""),
  );
  urls = [await start(config, "a"), await start(config, "behind", "-10m")];
});

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.kill()));
  await redis?.kill();
});

describe.skipIf(!runs)("max_duration with an instance whose clock is 10 minutes behind", () => {
  test("a stateless caller's time is up on the instance behind as on the one it started on", async () => {
    const [a, behind] = urls as [string, string];
    const onA = await connectStateless(a, { key: ALICE, path: "/mcp/fixture" });
    const onBehind = await connectStateless(behind, { key: ALICE, path: "/mcp/fixture" });
    try {
      const echo = (client: typeof onA) =>
        client.callTool({ name: "echo", arguments: { message: "x" } }).then(
          (result) => JSON.stringify(result),
          (error: Error) => error.message,
        );
      expect(await echo(onA)).toContain('"x"');
      await Bun.sleep(4000);
      expect(await echo(onA)).toContain("max_duration");
      expect(await echo(onBehind)).toContain("max_duration");
    } finally {
      await onA.close().catch(() => {});
      await onBehind.close().catch(() => {});
    }
  });
});
