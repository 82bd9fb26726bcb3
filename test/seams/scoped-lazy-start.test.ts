/**
 * Per-key scopes × lazy start. A key that may not use a backend at all must not be able to
 * start it (its process, its breaker's failures) by naming it in gateway_invoke: the call is
 * refused before the backend is woken.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { hashKey } from "../../src/security/keys.ts";
import {
  BUN,
  cleanupsAfterAll,
  FIXTURE_SERVER,
  firstText,
  startGateway,
  waitFor,
} from "../helpers.ts";
import { connectWithKey } from "../security/_helpers.ts";

const USER = "user-key-0123456789abcdef";
const ADMIN = "admin-key-0123456789abcdef";
const cleanups = cleanupsAfterAll();
let gateway: Awaited<ReturnType<typeof startGateway>>;

beforeAll(async () => {
  gateway = await startGateway(`
capabilities: { enabled: false }
auth:
  enabled: true
  api_keys:
    - { name: admin, key: "${hashKey(ADMIN)}", admin: true }
    - { name: user, key: "${hashKey(USER)}", backends: [open] }
backends:
  open:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
  private:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
    idle_stop: 200ms
`);
  cleanups.push(() => gateway.stop());
  await waitFor(() => gateway.gateway.index.tools("private").length > 0);
  await waitFor(() => gateway.gateway.pool.status("private")?.state === "idle", 15_000);
}, 30_000);

describe("a backend outside a key's scopes", () => {
  test("is not started by that key's calls", async () => {
    const user = await connectWithKey(gateway.url, USER);
    cleanups.push(user.close);
    for (let i = 0; i < 3; i++) {
      const refused = await user.client.callTool({
        name: "gateway_invoke",
        arguments: { server: "private", tool: "echo", arguments: { message: "x" } },
      });
      // Unknown to that key, as a server that does not exist (docs/security.md).
      expect(firstText(refused)).toStartWith("[SERVER_NOT_FOUND]");
    }
    expect(gateway.gateway.pool.status("private")?.state).toBe("idle");
    const admin = await connectWithKey(gateway.url, ADMIN);
    cleanups.push(admin.close);
    const allowed = await admin.client.callTool({
      name: "gateway_invoke",
      arguments: { server: "private", tool: "echo", arguments: { message: "ok" } },
    });
    expect(firstText(allowed)).toBe("ok");
  }, 30_000);
});
