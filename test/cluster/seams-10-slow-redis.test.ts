/**
 * Redis slow, not down × every request: a Redis that stops answering while its connections stay
 * open (paused, swapping, a network partition that drops packets instead of resetting) must
 * cost the instances one command timeout, not one per Redis command of every request; and
 * `/health` must keep saying so while it lasts, not flap back to "connected" each second (each
 * false recovery re-read the config file and re-wrote every session record).
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { RedisClient } from "bun";
import type { RunningGateway } from "../../src/gateway/run.ts";
import { waitFor } from "../helpers.ts";
import {
  ALICE,
  authYaml,
  clusterYaml,
  connectRouted,
  echo,
  roundRobin,
  useCluster,
} from "./_config.ts";

setDefaultTimeout(120_000);

const { redis, instances } = useCluster((redisUrl, id) =>
  clusterYaml(
    redisUrl,
    id,
    "seams-10-slow",
    `security:
  sandbox: { max_calls: 1000 }
${authYaml({ alice: [ALICE, "rate_limit: 1000"] })}`,
  ),
);

/** The pid of the redis-server at `url` (its INFO says). */
async function redisPid(url: string): Promise<number> {
  const raw = new RedisClient(url);
  try {
    const info = String(await raw.send("INFO", ["server"]));
    return Number(/process_id:(\d+)/.exec(info)![1]);
  } finally {
    raw.close();
  }
}

describe.skipIf(!Bun.which("redis-server"))("a Redis that hangs", () => {
  test("calls do not wait a command timeout per Redis command; /health stays degraded while it hangs", async () => {
    const [a, b] = instances as [
      RunningGateway & { url: string },
      RunningGateway & { url: string },
    ];
    const client = await connectRouted(roundRobin([a, b]), { key: ALICE, name: "slow" });
    let stopped: number | undefined;
    try {
      expect(await echo(client, "before")).toBe("before");
      // Stopped, not killed: its connections stay open, and nothing answers on them.
      const pid = await redisPid(redis.url);
      process.kill(pid, "SIGSTOP");
      stopped = pid;
      // The first request finds out (one command timeout, 1 s, per instance it reaches).
      expect(await echo(client, "finds out")).toBe("finds out");
      expect(await echo(client, "finds out too")).toBe("finds out too");
      await waitFor(
        () => a.cluster?.status().redis === "down" && b.cluster?.status().redis === "down",
      );
      // From then on, calls are served locally at local speed, on both instances.
      const times: number[] = [];
      const states: string[] = [];
      for (let i = 0; i < 6; i++) {
        const started = performance.now();
        expect(await echo(client, `hung ${i}`)).toBe(`hung ${i}`);
        times.push(performance.now() - started);
        states.push(a.cluster!.status().redis, b.cluster!.status().redis);
        await Bun.sleep(300);
      }
      // A call without Redis takes milliseconds; one that waits on Redis pays a 1 s timeout
      // per command it sends (3 to 5 of them: 3-5 s a call before the fix). Room for a loaded
      // machine, none for two timeouts.
      expect(Math.max(...times)).toBeLessThan(2000);
      // Redis never answered during this: no instance may say it is connected.
      expect(states.filter((state) => state === "connected")).toEqual([]);
    } finally {
      if (stopped) process.kill(stopped, "SIGCONT");
      await client.close().catch(() => {});
    }
    // When it answers again, both say so and share state again.
    await waitFor(
      () => a.cluster?.status().redis === "connected" && b.cluster?.status().redis === "connected",
      30_000,
    );
    const again = await connectRouted(roundRobin([a, b]), { key: ALICE, name: "after" });
    try {
      expect(await echo(again, "after")).toBe("after");
      expect(await echo(again, "after, relayed")).toBe("after, relayed");
    } finally {
      await again.close().catch(() => {});
    }
  });
});
