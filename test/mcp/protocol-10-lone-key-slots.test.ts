/**
 * The per-key share of a backend's call slots (src/resilience/policy.ts): with auth on, a key
 * held at most half of them even when it was the only key using the backend, so a single-tenant
 * gateway ran half the calls it was configured for and refused the rest. A key alone may now use
 * every slot but one (the one left is another key's at once, as before); once another key has
 * calls there, each is held to half again.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { hashKey } from "../../src/security/keys.ts";
import {
  BUN,
  cleanupsAfterAll,
  FIXTURE_SERVER,
  firstText,
  startGateway,
  waitFor,
} from "../helpers.ts";

setDefaultTimeout(30_000);
const cleanups = cleanupsAfterAll();

const ALICE = "alice-key-0123456789abcdef";
const BOB = "bob-key-0123456789abcdef";

async function keyClient(url: string, key: string): Promise<Client> {
  const client = new Client({ name: "slots", version: "1" }, { capabilities: {} });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${key}` } },
    }),
  );
  cleanups.push(() => client.close());
  return client;
}

describe("a key's share of a backend's call slots", () => {
  test("alone, it may hold all but one; with another key there, half", async () => {
    const gateway = await startGateway(`
capabilities: { enabled: false }
failsafe: { concurrency: { queue_timeout: 1s } }
auth:
  enabled: true
  api_keys:
    - { name: alice, key: "${hashKey(ALICE)}", backends: [fixture] }
    - { name: bob, key: "${hashKey(BOB)}", backends: [fixture] }
backends:
  fixture: { command: ${BUN}, args: ["${FIXTURE_SERVER}"], max_concurrency: 4, timeout: 10s }
`);
    cleanups.push(() => gateway.stop());
    await waitFor(() => gateway.gateway.index.tools("fixture").length > 0);
    const bob = await keyClient(gateway.url, BOB);
    const stop = new AbortController();
    const wait = () =>
      bob
        .callTool(
          { name: "gateway_invoke", arguments: { server: "fixture", tool: "wait" } },
          { signal: stop.signal },
        )
        .then(firstText, (error: Error) => error.message);
    try {
      // Bob alone: three calls run (before, the third was refused at half of four).
      const held = [wait(), wait(), wait()];
      await waitFor(() => gateway.gateway.pool.inFlight() >= 3, 15_000);
      // The fourth would take the last slot: refused at once, naming the rule.
      const fourth = await wait();
      expect(fourth).toStartWith("[BACKEND_BUSY]");
      expect(fourth).toContain("all but one of the 4 call slots");
      // Alice gets the slot left: answered, so neither refused nor left in the queue past its
      // 1 s queue_timeout (Bob's calls never end). A 900 ms bound on top failed under load.
      const alice = await keyClient(gateway.url, ALICE);
      const pid = await alice.callTool({
        name: "gateway_invoke",
        arguments: { server: "fixture", tool: "pid" },
      });
      expect(firstText(pid)).toMatch(/^\d+$/);
      // While Alice has a call there, each key is held to half: Bob (three) gets no more.
      const aliceWaits = alice
        .callTool(
          { name: "gateway_invoke", arguments: { server: "fixture", tool: "wait" } },
          { signal: stop.signal },
        )
        .then(firstText, (error: Error) => error.message);
      await waitFor(() => gateway.gateway.pool.inFlight() >= 4, 15_000);
      const shared = await wait();
      expect(shared).toStartWith("[BACKEND_BUSY]");
      expect(shared).toContain("half of the 4 call slots");
      held.push(aliceWaits);
      stop.abort();
      await Promise.all(held);
    } finally {
      stop.abort();
    }
  });
});
