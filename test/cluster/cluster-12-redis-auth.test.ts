/**
 * Redis with `requirepass` × a `cluster.redis_url` without the password, or with a wrong one.
 * Bun's client says only "Connection closed" (Redis answered NOAUTH or WRONGPASS and it hid
 * that), so the instance logged "redis unreachable (Connection closed)" and `/health` said the
 * same: an SRE looked for a network fault. The error now says what Redis refused and which
 * setting to fix.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { loadConfig } from "../../src/config/load.ts";
import { runGateway } from "../../src/gateway/run.ts";
import { clusterCheck } from "../../src/observe/doctor-cluster.ts";
import { freePort, writeConfig } from "../helpers.ts";
import { type RedisServer, startRedis } from "./_redis.ts";

setDefaultTimeout(60_000);

let redis: RedisServer | undefined;
let port = 0;

beforeAll(async () => {
  if (!Bun.which("redis-server")) return;
  redis = await startRedis(["--requirepass", "s3cret"]);
  port = redis.port;
});

afterAll(() => redis?.kill());

const configFor = (url: string) =>
  loadConfig({
    path: writeConfig(
      `capabilities: { enabled: false }\ncluster: { redis_url: "${url}", instance_id: auth }\nbackends: {}\n`,
    ),
  });

async function errorWith(url: string): Promise<string> {
  const running = await runGateway({
    config: configFor(url),
    port: await freePort(),
    memoryState: true,
    watch: false,
  });
  try {
    return running.cluster!.status().error ?? "";
  } finally {
    await running.stop();
  }
}

describe.skipIf(!Bun.which("redis-server"))("Redis asks for a password", () => {
  test("a URL without one: the error says Redis wants one, and where it goes", async () => {
    const error = await errorWith(`redis://127.0.0.1:${port}`);
    expect(error).toContain("NOAUTH");
    expect(error).toContain("cluster.redis_url");
    expect(error).toContain("redis://:PASSWORD@");
  });

  test("a wrong one: the error says Redis refused it", async () => {
    const error = await errorWith(`redis://:wrong@127.0.0.1:${port}`);
    expect(error).toContain("WRONGPASS");
    expect(error).toContain("cluster.redis_url");
    expect(error).not.toContain("wrong@");
  });

  test("doctor says the same", async () => {
    const [check] = await clusterCheck(configFor(`redis://:wrong@127.0.0.1:${port}`));
    expect(check!.status).toBe("fail");
    expect(check!.message).toContain("WRONGPASS");
  });

  test("the right one connects", async () => {
    const running = await runGateway({
      config: configFor(`redis://:s3cret@127.0.0.1:${port}`),
      port: await freePort(),
      memoryState: true,
      watch: false,
    });
    try {
      expect(running.cluster!.status().redis).toBe("connected");
    } finally {
      await running.stop();
    }
  });
});
