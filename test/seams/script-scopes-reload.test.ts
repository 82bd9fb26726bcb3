/**
 * Hot reload of `auth` × a request that outlives it: a code-mode script (one `gateway_execute`
 * making several calls) or a playbook keeps running while its key's scopes shrink or the key is
 * revoked. Scopes apply at once: the script's calls after the reload get the new scopes.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
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

const ADMIN = "admin-key-0123456789abcdef";
const USER = "user-key-0123456789abcdef";
const cleanups = cleanupsAfterAll();
let gateway: Awaited<ReturnType<typeof startGateway>>;

const config = (userKey: string) => `
capabilities: { enabled: false }
code_mode: { enabled: true }
auth:
  enabled: true
  api_keys:
    - { name: admin, key: "${hashKey(ADMIN)}", admin: true }
${userKey}
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
`;
const userWith = (allowed: string) =>
  `    - { name: user, key: "${hashKey(USER)}", allowed_tools: ${allowed} }`;

beforeAll(async () => {
  gateway = await startGateway(config(userWith(`["fixture:*"]`)));
  cleanups.push(() => gateway.stop());
  await waitFor(() => gateway.gateway.index.tools("fixture").length > 0);
}, 30_000);

async function reloadWith(text: string) {
  writeFileSync(gateway.gateway.config.file!, text);
  const response = await fetch(`${gateway.url}/api/reload`, {
    method: "POST",
    headers: { Authorization: `Bearer ${ADMIN}` },
  });
  expect(response.status).toBe(200);
}

// 4 s of slow calls: a loaded machine reloads within them (800 ms and a fixed 300 ms sleep
// before the reload left it the echo to make first).
const SCRIPT = `await tools.fixture.slow({ steps: 8, delayMs: 500 });
return await tools.fixture.echo({ message: "after the reload" });`;

describe("a running script gets the scopes of the reloaded config", () => {
  test("a tool taken out of the key's scopes mid-script is refused", async () => {
    const user = await connectWithKey(gateway.url, USER);
    cleanups.push(user.close);
    const running = user.client.callTool({ name: "gateway_execute", arguments: { code: SCRIPT } });
    await waitFor(() => gateway.gateway.pool.inFlight() >= 1);
    await reloadWith(config(userWith(`["fixture:slow"]`)));
    const text = firstText(await running);
    expect(text).not.toContain("after the reload");
    expect(text).toContain("POLICY_DENIED");
  }, 30_000);

  test("a key revoked mid-script can call nothing more", async () => {
    await reloadWith(config(userWith(`["fixture:*"]`)));
    const user = await connectWithKey(gateway.url, USER);
    cleanups.push(user.close);
    const running = user.client.callTool({ name: "gateway_execute", arguments: { code: SCRIPT } });
    await waitFor(() => gateway.gateway.pool.inFlight() >= 1);
    await reloadWith(config(""));
    const text = firstText(await running);
    expect(text).not.toContain("after the reload");
  }, 30_000);
});
