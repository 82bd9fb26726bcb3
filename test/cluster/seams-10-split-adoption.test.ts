/**
 * A session adopted while its first owner still lives (the owner could not be reached for a
 * moment: a partition, a reset connection) × that owner closing its own, idle copy later
 * (`server.session_ttl`): the old owner must not delete the record and events Redis now keeps
 * for the instance that adopted the session. Before, it deleted both: every instance but the
 * adopter then answered the session with 404 (the id's tag still named the old owner, which no
 * longer had it) until the adopter happened to write its record again, a quarter of its TTL
 * later (7.5 minutes by default), and the events the client could resume from were gone.
 *
 * Here a advertises an address nobody answers at (as a partition would look to the others), and
 * closes idle sessions after 3 s; b and c keep the default TTL.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { loadConfig } from "../../src/config/load.ts";
import { type RunningGateway, runGateway } from "../../src/gateway/run.ts";
import { freePort, waitFor, writeConfig } from "../helpers.ts";
import { clusterYaml, connectRouted, echo } from "./_config.ts";
import { type RedisServer, startRedis } from "./_redis.ts";

setDefaultTimeout(120_000);

let redis: RedisServer | undefined;
const instances: (RunningGateway & { url: string })[] = [];

beforeAll(async () => {
  if (!Bun.which("redis-server")) return;
  redis = await startRedis();
  const nobody = `http://127.0.0.1:${await freePort()}`;
  for (const id of ["a", "b", "c"]) {
    let yaml = clusterYaml(redis.url, id, "seams-10-split");
    if (id === "a") {
      yaml = yaml.replace("instance_id: a,", `instance_id: a, advertise_url: "${nobody}",`);
      yaml += "\nserver: { session_ttl: 3s }\n";
    }
    const running = await runGateway({
      config: loadConfig({ path: writeConfig(yaml) }),
      port: await freePort(),
      memoryState: true,
      watch: false,
    });
    await waitFor(() => running.gateway.index.tools("fixture").length > 0);
    instances.push(running as RunningGateway & { url: string });
  }
});

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.stop()));
  await redis?.kill();
});

const openSessions = async (url: string) =>
  ((await (await fetch(`${url}/health`)).json()) as { sessions: number }).sessions;

describe.skipIf(!Bun.which("redis-server"))("a session adopted while its old owner lives", () => {
  test("the old owner closing its idle copy leaves the adopter's record alone", async () => {
    const [a, b, c] = instances as [
      RunningGateway & { url: string },
      RunningGateway & { url: string },
      RunningGateway & { url: string },
    ];
    let target = a.url;
    const client = await connectRouted(() => target, { name: "split" });
    try {
      expect(await echo(client, "on a")).toBe("on a");
      // b cannot reach a: it adopts the session, and goes on with it.
      target = b.url;
      expect(await echo(client, "adopted by b")).toBe("adopted by b");
      expect(await openSessions(b.url)).toBe(1);
      // a's own copy, unused since, is closed as idle.
      await waitFor(async () => (await openSessions(a.url)) === 0, 15_000);
      // The session is b's: any instance relays it there.
      target = c.url;
      expect(await echo(client, "through c")).toBe("through c");
      target = a.url;
      expect(await echo(client, "through a")).toBe("through a");
    } finally {
      await client.close().catch(() => {});
    }
  });
});
