/**
 * The session sandbox × stateless (2026-07-28) clients × several keys. Stateless requests have
 * no MCP session, so `security.sandbox` counts them per caller (docs/security.md): one key's
 * stateless calls must not use up another key's `max_calls`, on `/mcp` or `/mcp/{backend}`.
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
security:
  sandbox: { max_calls: 2 }
auth:
  enabled: true
  api_keys:
    - { name: alice, key: "${hashKey(ALICE)}" }
    - { name: bob, key: "${hashKey(BOB)}" }
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
`);
  cleanups.push(() => gateway.stop());
  await waitFor(() => gateway.gateway.index.tools("fixture").length > 0);
}, 30_000);

async function statelessClient(key: string, path = "/mcp"): Promise<Client> {
  const client = await connectStateless(gateway.url, { key, path });
  cleanups.push(() => client.close());
  return client;
}

describe("security.sandbox for stateless clients", () => {
  test("is counted per caller: alice's calls do not use up bob's max_calls", async () => {
    const alice = await statelessClient(ALICE);
    const bob = await statelessClient(BOB);
    const echo = (client: Client, message: string) =>
      client.callTool({
        name: "gateway_invoke",
        arguments: { server: "fixture", tool: "echo", arguments: { message } },
      });
    expect(firstText(await echo(alice, "a1"))).toBe("a1");
    expect(firstText(await echo(alice, "a2"))).toBe("a2");
    expect(firstText(await echo(alice, "a3"))).toStartWith("[SANDBOX_LIMIT] [sandbox.max_calls]");
    expect(firstText(await echo(bob, "b1"))).toBe("b1");
    const bobDirect = await statelessClient(BOB, "/mcp/fixture");
    const direct = await bobDirect.callTool({ name: "echo", arguments: { message: "b2" } });
    expect(firstText(direct)).toBe("b2");
    const over = await bobDirect.callTool({ name: "echo", arguments: { message: "b3" } });
    expect(firstText(over)).toStartWith("[SANDBOX_LIMIT] [sandbox.max_calls]");
  }, 30_000);
});

describe("security.sandbox for stateless clients, over time", () => {
  test("a caller's window starts again after server.session_ttl without calls", async () => {
    const idle = await startGateway(`
capabilities: { enabled: false }
server: { session_ttl: 1s }
security:
  sandbox: { max_calls: 1 }
auth:
  enabled: true
  api_keys:
    - { name: alice, key: "${hashKey(ALICE)}" }
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
`);
    cleanups.push(() => idle.stop());
    await waitFor(() => idle.gateway.index.tools("fixture").length > 0);
    const client = await connectStateless(idle.url, { key: ALICE });
    cleanups.push(() => client.close());
    const echo = (message: string) =>
      client.callTool({
        name: "gateway_invoke",
        arguments: { server: "fixture", tool: "echo", arguments: { message } },
      });
    expect(firstText(await echo("first"))).toBe("first");
    const over = firstText(await echo("second"));
    expect(over).toStartWith("[SANDBOX_LIMIT] [sandbox.max_calls]");
    expect(over).toContain("starts again after 1s without calls");
    // Refused calls count as activity: the window ends only after a quiet session_ttl.
    await Bun.sleep(1_300);
    expect(firstText(await echo("after a pause"))).toBe("after a pause");
  }, 30_000);
});
