/**
 * A key scoped to one backend read `degraded` in /health and /api/status when a backend it may
 * not reach had failed: it learned that a backend hidden from it exists and is down. Its status
 * now follows the backends it reaches; an admin still sees the gateway's.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { BUN, FIXTURE_SERVER, startGateway, waitFor } from "../helpers.ts";

const ADMIN = "mgw_admin-lead12-status-key-0123456789abcdefghijkl";
const SCOPED = "mgw_scoped-lead12-status-key-0123456789abcdefghijk";

let gateway: Awaited<ReturnType<typeof startGateway>>;
beforeAll(async () => {
  gateway = await startGateway(`
capabilities: { enabled: false }
auth:
  enabled: true
  api_keys:
    - { name: admin, key: "${ADMIN}", admin: true }
    - { name: scoped, key: "${SCOPED}", backends: [fx] }
backends:
  fx:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
  secret-broken:
    command: ${BUN}
    args: ["-e", "process.exit(3)"]
`);
  await waitFor(() => gateway.gateway.index.tools("fx").length > 0);
  await waitFor(() => gateway.gateway.health().backends["secret-broken"]?.state === "failed");
}, 30_000);
afterAll(() => gateway.stop());

const read = async (path: string, key: string) =>
  (await (
    await fetch(`${gateway.url}${path}`, { headers: { Authorization: `Bearer ${key}` } })
  ).json()) as { status: string; backends: unknown };

test("/health and /api/status: degraded for the admin, ok for a key that cannot see the failed backend", async () => {
  expect((await read("/health", ADMIN)).status).toBe("degraded");
  expect((await read("/api/status", ADMIN)).status).toBe("degraded");
  const health = await read("/health", SCOPED);
  expect(Object.keys(health.backends as object)).toEqual(["fx"]);
  expect(health.status).toBe("ok");
  expect((await read("/api/status", SCOPED)).status).toBe("ok");
});
