/**
 * The wrong-key lockout × Redis restarted without persistence: an address locked out by
 * wrong keys stays locked out on the instance that counted them (its own count still holds),
 * instead of being forgiven because the shared counter is gone.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { connectStateless, waitFor } from "../helpers.ts";
import { authYaml, clusterYaml, initializeStatus, type Running, useCluster } from "./_config.ts";

setDefaultTimeout(60_000);

const ADMIN = "admin-key-0123456789abcdef";

const { redis, instances } = useCluster(
  (redisUrl, id) =>
    clusterYaml(
      redisUrl,
      id,
      "seams-lockout",
      authYaml(
        { admin: [ADMIN, "admin: true"] },
        "lockout: { failures: 3, window: 5m, loopback: true }",
      ),
      "",
    ),
  { ids: ["a"] },
);

/** Whether the SDK's client gets in at `url` with `key`; the error text when it does not. */
async function tryKey(url: string, key: string): Promise<string> {
  try {
    const client = await connectStateless(url, { key });
    await client.close();
    return "in";
  } catch (error) {
    return (error as Error).message;
  }
}

describe.skipIf(!Bun.which("redis-server"))("lockout × Redis restarted empty", () => {
  test("three wrong keys keep the address locked out after Redis comes back empty", async () => {
    const [gateway] = instances as [Running];
    // The status of an `initialize` (the SDK's client reads a 429 as no discovery).
    const status = () => initializeStatus(gateway.url, ADMIN);
    for (let i = 0; i < 3; i++) expect(await tryKey(gateway.url, `wrong-${i}`)).toContain("401");
    expect(await status()).toBe(429);
    await redis.kill();
    await waitFor(() => gateway.cluster?.status().redis === "down");
    await redis.restart();
    await waitFor(() => gateway.cluster?.status().redis === "connected", 15_000);
    expect(await status()).toBe(429);
  });
});
