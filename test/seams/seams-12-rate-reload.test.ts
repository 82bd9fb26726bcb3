/**
 * A key's `rate_limit` × hot reload: the platform team edits the config (a new key for a new
 * engineer, a backend added) many times a day. A reload that leaves a key's limit as it was must
 * not hand that key a fresh minute's budget; one that lowers it counts what the key spent already.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { hashKey } from "../../src/security/keys.ts";
import { BUN, FIXTURE_SERVER, startGateway, waitFor } from "../helpers.ts";
import { MCP_HEADERS } from "../security/_helpers.ts";

const ADMIN = "admin-key-0123456789abcdef";
const USER = "user-key-0123456789abcdef";
let gateway: Awaited<ReturnType<typeof startGateway>>;

const config = (userLimit: number, more = "") => `
capabilities: { enabled: false }
auth:
  enabled: true
  api_keys:
    - { name: admin, key: "${hashKey(ADMIN)}", admin: true }
    - { name: user, key: "${hashKey(USER)}", rate_limit: ${userLimit} }
${more}
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
`;

beforeAll(async () => {
  gateway = await startGateway(config(4));
  await waitFor(() => gateway.gateway.index.tools("fixture").length > 0, 20_000);
}, 30_000);
afterAll(() => gateway?.stop());

async function reloadWith(text: string) {
  writeFileSync(gateway.gateway.config.file!, text);
  const response = await fetch(`${gateway.url}/api/reload`, {
    method: "POST",
    headers: { Authorization: `Bearer ${ADMIN}` },
  });
  expect(response.status).toBe(200);
}

/** One stateless-looking JSON-RPC POST with the user's key: its HTTP status. */
async function post(): Promise<number> {
  const response = await fetch(`${gateway.url}/mcp`, {
    method: "POST",
    headers: { ...MCP_HEADERS, Authorization: `Bearer ${USER}` },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
  });
  await response.text();
  return response.status;
}

/** Posts until the key is refused: how many passed. */
async function spend(): Promise<number> {
  let passed = 0;
  while ((await post()) !== 429) {
    passed++;
    if (passed > 200) throw new Error("never limited");
  }
  return passed;
}

describe("a key's rate_limit across a config reload", () => {
  test("a reload that does not touch the key's limit does not refill its minute", async () => {
    expect(await spend()).toBeGreaterThan(0);
    // An unrelated edit: a new engineer's key.
    await reloadWith(
      config(4, `    - { name: newcomer, key: "${hashKey("newcomer-key-0123456789")}" }`),
    );
    expect(await post()).toBe(429);
  }, 30_000);

  test("a lowered limit counts what the key spent under the old one", async () => {
    await reloadWith(config(120));
    // 120 a minute refills 2 a second: 100 spent stay more than the new limit's 10 for 45 s.
    let passed = 0;
    while (passed < 100 && (await post()) !== 429) passed++;
    expect(passed).toBe(100);
    await reloadWith(config(10));
    expect(await post()).toBe(429);
  }, 30_000);
});
