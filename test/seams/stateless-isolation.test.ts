/**
 * `isolation: session` × stateless (2026-07-28) clients × several keys. Stateless requests have
 * no session of their own; a backend whose state is per client must still never be shared
 * between two keys: each caller's stateless requests get a connection (process) of their own.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import type { Client } from "@modelcontextprotocol/client";
import { hashKey } from "../../src/security/keys.ts";
import {
  BUN,
  cleanupsAfterAll,
  connectStateless,
  FIXTURE_SERVER,
  firstText,
  startGateway,
  waitFor,
} from "../helpers.ts";

const ALICE = "alice-key-0123456789abcdef";
const BOB = "bob-key-0123456789abcdef";
const cleanups = cleanupsAfterAll();
let gateway: Awaited<ReturnType<typeof startGateway>>;

beforeAll(async () => {
  gateway = await startGateway(`
capabilities: { enabled: false }
auth:
  enabled: true
  api_keys:
    - { name: alice, key: "${hashKey(ALICE)}" }
    - { name: bob, key: "${hashKey(BOB)}" }
backends:
  scratch:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
    isolation: session
`);
  cleanups.push(() => gateway.stop());
  await waitFor(() => gateway.gateway.index.tools("scratch").length > 0);
}, 30_000);

async function statelessClient(key: string, path = "/mcp"): Promise<Client> {
  const client = await connectStateless(gateway.url, { key, path });
  cleanups.push(() => client.close());
  return client;
}

describe("isolation: session for stateless clients", () => {
  test("two keys never share the backend's per-client process", async () => {
    const alice = await statelessClient(ALICE);
    const bob = await statelessClient(BOB);
    const pid = async (client: Client) =>
      firstText(
        await client.callTool({
          name: "gateway_invoke",
          arguments: { server: "scratch", tool: "pid", arguments: {} },
        }),
      );
    const alicePid = await pid(alice);
    expect(await pid(alice)).toBe(alicePid);
    expect(await pid(bob)).not.toBe(alicePid);
    const bobDirect = await statelessClient(BOB, "/mcp/scratch");
    const direct = await bobDirect.callTool({ name: "pid", arguments: {} });
    expect(firstText(direct)).not.toBe(alicePid);
  }, 30_000);
});
