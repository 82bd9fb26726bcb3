/**
 * `security.sandbox.max_duration` × several instances on one Redis: the clock runs from the
 * session's first call on any instance. Before, each instance started it at the first call it
 * saw, so a stateless caller moving to another instance, or a session adopted after its owner
 * died, got the whole duration again. A stateless caller's window still starts again after
 * `server.session_ttl` without calls anywhere, as on one instance.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { connectStateless, writeConfig } from "../helpers.ts";
import { ALICE, authYaml, BOB, clusterYaml, connectRouted, echo, type Running } from "./_config.ts";
import { startInProcess } from "./_instances.ts";
import { type RedisServer, startRedis } from "./_redis.ts";

setDefaultTimeout(60_000);

let redis: RedisServer;
/** max_duration 1.5 s, the default session_ttl. */
let long: Running[] = [];
/** max_duration 1.5 s, session_ttl 1 s: a stateless caller quiet for 1 s starts again. */
let short: Running[] = [];

function yaml(redisUrl: string, id: string, group: string, extra = ""): string {
  return clusterYaml(
    redisUrl,
    `${group}-${id}`,
    `sandbox-duration-${group}`,
    `${extra}
security:
  sandbox: { max_duration: 1500ms }
${authYaml({ alice: ALICE, bob: BOB })}`,
  );
}

beforeAll(async () => {
  if (!Bun.which("redis-server")) return;
  redis = await startRedis();
  long = await startInProcess((id) => writeConfig(yaml(redis.url, id, "long")), {
    ids: ["a", "b", "c"],
    backend: "fixture",
  });
  short = await startInProcess(
    (id) => writeConfig(yaml(redis.url, id, "short", "server: { session_ttl: 1s }")),
    { ids: ["a", "b"], backend: "fixture" },
  );
});

afterAll(async () => {
  await Promise.all([...long, ...short].map((instance) => instance.stop()));
  await redis?.kill();
});

const MAX_DURATION = "[SANDBOX_LIMIT] [sandbox.max_duration]";

describe.skipIf(!Bun.which("redis-server"))(
  "security.sandbox.max_duration across instances",
  () => {
    test("a stateless caller moving to another instance keeps its clock; another key has its own", async () => {
      const [a, b] = long as [Running, Running];
      const onA = await connectStateless(a.url, { key: ALICE, path: "/mcp/fixture" });
      const onB = await connectStateless(b.url, { key: ALICE, path: "/mcp/fixture" });
      const bob = await connectStateless(b.url, { key: BOB, path: "/mcp/fixture" });
      try {
        expect(await echo(onA, "first")).toBe("first");
        await Bun.sleep(1_800);
        // b never saw alice before: her clock started on a 1.8 s ago.
        expect(await echo(onB, "late")).toStartWith(MAX_DURATION);
        expect(await echo(onA, "late")).toStartWith(MAX_DURATION);
        expect(await echo(bob, "bob")).toBe("bob");
      } finally {
        await Promise.all([onA, onB, bob].map((client) => client.close()));
      }
    });

    test("a session adopted after its owner died keeps its clock", async () => {
      const [, b, c] = long as [Running, Running, Running];
      // A load balancer in the client's fetch: every request goes to `target`, which moves.
      let target = c.url;
      const client = await connectRouted(() => target, { key: ALICE, name: "adopted" });
      try {
        expect(await echo(client, "on c")).toBe("on c");
        await c.stop();
        target = b.url;
        await Bun.sleep(1_800);
        expect(await echo(client, "adopted on b")).toStartWith(MAX_DURATION);
      } finally {
        await client.close().catch(() => {});
      }
    });

    test("a stateless caller's window starts again after session_ttl without calls on any instance", async () => {
      const [a, b] = short as [Running, Running];
      const onA = await connectStateless(a.url, { key: ALICE, path: "/mcp/fixture" });
      const onB = await connectStateless(b.url, { key: ALICE, path: "/mcp/fixture" });
      try {
        // Busy across both (never 1 s quiet), past 1.5 s in all: refused on either.
        expect(await echo(onA, "0")).toBe("0");
        await Bun.sleep(600);
        expect(await echo(onB, "1")).toBe("1");
        await Bun.sleep(600);
        expect(await echo(onA, "2")).toBe("2");
        await Bun.sleep(600);
        expect(await echo(onB, "3")).toStartWith(MAX_DURATION);
        // Quiet for longer than session_ttl everywhere: a new window, on the instance that did
        // not answer last as on the other.
        await Bun.sleep(1_300);
        expect(await echo(onA, "again")).toBe("again");
        expect(await echo(onB, "again")).toBe("again");
      } finally {
        await Promise.all([onA, onB].map((client) => client.close()));
      }
    });
  },
);
