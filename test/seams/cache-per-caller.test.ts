/**
 * The response cache × backends whose answers depend on who asks. A read-only tool of a
 * `per_caller` backend (each caller's own credentials) or an `isolation: session` backend (each
 * session's own process and roots) answers each caller with its own data: a cached answer of one
 * caller is never served to another.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { hashKey } from "../../src/security/keys.ts";
import { cleanupsAfterAll, EVERYTHING, firstText, startGateway } from "../helpers.ts";
import { connectWithKey } from "../security/_helpers.ts";

const ALICE = "alice-key-0123456789abcdef";
const BOB = "bob-key-0123456789abcdef";
const cleanups = cleanupsAfterAll();
let gateway: Awaited<ReturnType<typeof startGateway>>;

beforeAll(async () => {
  gateway = await startGateway(`
server: { shutdown_timeout: 1s }
auth:
  enabled: true
  api_keys:
    - { name: alice, key: "${hashKey(ALICE)}", credentials: { token: tok-alice } }
    - { name: bob, key: "${hashKey(BOB)}", credentials: { token: tok-bob } }
backends:
  mine:
    command: node
    args: ["${EVERYTHING}", "stdio"]
    per_caller:
      env: { SERVICE_TOKEN: "{caller.token}" }
  isolated:
    command: node
    args: ["${EVERYTHING}", "stdio"]
    isolation: session
`);
  cleanups.push(() => gateway.stop());
}, 30_000);

const invoke = (client: Client, server: string, tool: string) =>
  client.callTool({ name: "gateway_invoke", arguments: { server, tool, arguments: {} } });

describe("a cached read-only answer stays with the caller it belongs to", () => {
  test("per_caller: bob's get-env shows bob's token, not alice's cached one", async () => {
    const alice = await connectWithKey(gateway.url, ALICE);
    const bob = await connectWithKey(gateway.url, BOB);
    cleanups.push(alice.close, bob.close);
    const seenByAlice = firstText(await invoke(alice.client, "mine", "get-env"));
    expect(seenByAlice).toContain("tok-alice");
    const seenByBob = firstText(await invoke(bob.client, "mine", "get-env"));
    expect(seenByBob).toContain("tok-bob");
    expect(seenByBob).not.toContain("tok-alice");
  }, 30_000);

  test("isolation: session: each session's get-roots-list lists its own roots", async () => {
    const connect = async (name: string) => {
      const client = new Client(
        { name, version: "1" },
        { capabilities: { roots: { listChanged: true } } },
      );
      client.setRequestHandler("roots/list", async () => ({
        roots: [{ uri: `file:///${name}`, name }],
      }));
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp`), {
          requestInit: { headers: { Authorization: `Bearer ${ALICE}` } },
        }),
      );
      cleanups.push(() => client.close());
      return client;
    };
    const a = await connect("session-a");
    const b = await connect("session-b");
    expect(JSON.stringify((await invoke(a, "isolated", "get-roots-list")).content)).toContain(
      "file:///session-a",
    );
    const rootsOfB = JSON.stringify((await invoke(b, "isolated", "get-roots-list")).content);
    expect(rootsOfB).toContain("file:///session-b");
    expect(rootsOfB).not.toContain("file:///session-a");
  }, 30_000);
});
