import { afterAll, beforeAll, expect, test } from "bun:test";
import { BUN, FIXTURE_SERVER, startGateway, waitFor } from "../helpers.ts";

// Two operators on the dashboard at once: one restarts a backend that takes a while to start,
// the other disables it meanwhile. The restarting operator must be told what happened (another
// operator disabled it), not sent to the stderr tail and `doctor` for a start that never failed.
const ALICE = "mgw_alice-ui11-operators-key-0123456789abcdefghijk";
const BOB = "mgw_bob-ui11-operators-key-0123456789abcdefghijklmn";

let gateway: Awaited<ReturnType<typeof startGateway>>;
beforeAll(async () => {
  gateway = await startGateway(`
capabilities: { enabled: false }
auth:
  enabled: true
  api_keys:
    - { name: alice, key: "${ALICE}", admin: true }
    - { name: bob, key: "${BOB}", admin: true }
backends:
  slow: { command: sh, args: ["-c", "sleep 1; exec ${BUN} ${FIXTURE_SERVER}"] }
`);
  await waitFor(() => gateway.gateway.index.tools("slow").length, 30_000);
});
afterAll(() => gateway.stop());

const post = async (path: string, key: string) => {
  const response = await fetch(`${gateway.url}${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${key}` },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

test("a restart that another operator's disable cut short says who disabled it", async () => {
  const restart = post("/api/backends/slow/restart", ALICE);
  await waitFor(() => gateway.gateway.pool.status("slow")?.state === "starting");
  const disable = await post("/api/backends/slow/disable", BOB);
  expect(disable).toMatchObject({ status: 200, body: { disabled: true } });
  const restarted = await restart;
  expect(restarted.status).toBe(409);
  expect(String(restarted.body.error)).toContain("disabled from the dashboard by key:bob");
  expect(String(restarted.body.error)).toContain("POST /api/backends/slow/enable");
  expect(String(restarted.body.error)).not.toContain("doctor");

  // Restarting a disabled backend says so too, and how to enable it.
  const again = await post("/api/backends/slow/restart", ALICE);
  expect(again.status).toBe(409);
  expect(String(again.body.error)).toContain("disabled from the dashboard by key:bob");
  expect(String(again.body.error)).toContain("POST /api/backends/slow/enable");

  const enabled = await post("/api/backends/slow/enable", ALICE);
  expect(enabled).toMatchObject({ status: 200, body: { revived: true, state: "ready" } });
});
