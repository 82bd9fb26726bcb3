/**
 * A rolling restart × a call in flight on a session, in a cluster: the instance being stopped
 * waits for the call (`server.shutdown_timeout`), and its answer must reach the client before
 * the streams are closed. In a cluster the answer is stored in Redis (`Last-Event-ID`) before
 * it is written, and the drain ended as soon as the call's handler returned: the streams closed
 * during that round trip and most answers were lost (the client waited for its own timeout;
 * 4 of 6 here before the fix). One instance alone, storing in memory, lost none.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { firstText, writeConfig } from "../helpers.ts";
import { clusterYaml, connectRouted } from "./_config.ts";
import { startInProcess } from "./_instances.ts";
import { type RedisServer, startRedis } from "./_redis.ts";

setDefaultTimeout(180_000);

let redis: RedisServer | undefined;

beforeAll(async () => {
  if (Bun.which("redis-server")) redis = await startRedis();
});

afterAll(async () => {
  await redis?.kill();
});

describe.skipIf(!Bun.which("redis-server"))("stopping an instance of a cluster", () => {
  test("a call the drain waited for answers its client, every time", async () => {
    const answers: string[] = [];
    // One instance after another, as a rolling restart stops them.
    for (let round = 0; round < 6; round++) {
      const [instance] = await startInProcess(
        (id) => writeConfig(clusterYaml(redis!.url, id, "seams-10-drain")),
        { ids: [`gw-${round}`], backend: "fixture" },
      );
      const client = await connectRouted(() => instance!.url, { name: "rolling" });
      try {
        const call = client
          .callTool({ name: "slow", arguments: { steps: 1, delayMs: 1000 } }, { timeout: 5000 })
          .then(firstText, (error: Error) => `lost: ${error.message}`);
        await Bun.sleep(300);
        await instance!.stop();
        answers.push(await call);
      } finally {
        await client.close().catch(() => {});
      }
    }
    expect(answers).toEqual(Array(6).fill("done 1"));
  });
});
