/**
 * A backend's elicitation while calls of two sessions are in flight on it. On a shared stdio
 * connection nothing on the wire says which call asked, so the gateway refuses rather than guess
 * (never broadcast, never the wrong user). The refusal reached the model as `[INTERNAL]`, the
 * gateway's own failure, saying "set isolation: session for this backend" without naming it;
 * now it is `[BACKEND_ERROR]` naming the backend and the setting. With that setting each
 * session is asked about its own call alone.
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { BUN, FIXTURES, startGateway, waitFor } from "../helpers.ts";

setDefaultTimeout(30_000);

const FEATUREFUL = join(FIXTURES, "servers/featureful-11-server.ts");
let gateway: Awaited<ReturnType<typeof startGateway>>;
const clients: Client[] = [];

beforeAll(async () => {
  gateway = await startGateway(`
capabilities: { enabled: false }
backends:
  shared:
    command: ${BUN}
    args: ["${FEATUREFUL}"]
  own:
    command: ${BUN}
    args: ["${FEATUREFUL}"]
    isolation: session
`);
  await waitFor(() => gateway.gateway.index.tools("shared").length > 0);
  await waitFor(() => gateway.gateway.index.tools("own").length > 0);
});
afterAll(async () => {
  for (const client of clients) await client.close().catch(() => {});
  await gateway?.stop();
});

/** A session that answers elicitations with its own name, noting each it was asked. */
async function user(name: string, asked: string[]): Promise<Client> {
  const client = new Client(
    { name: "proto-12", version: "1" },
    { capabilities: { elicitation: { form: {} } } },
  );
  client.setRequestHandler("elicitation/create", async () => {
    asked.push(name);
    // Held, so that both sessions' calls are in flight together.
    await Bun.sleep(200);
    return { action: "accept", content: { name } };
  });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp`)));
  clients.push(client);
  return client;
}

const text = (result: { content?: unknown }) =>
  ((result.content ?? []) as { text?: string }[]).map((block) => block.text ?? "").join("\n");

const ask = (client: Client, server: string) =>
  client.callTool({ name: "gateway_invoke", arguments: { server, tool: "ask" } });

test("two sessions' calls in flight on a shared backend: a refusal naming the backend and the fix", async () => {
  const asked: string[] = [];
  const [alice, bob] = [await user("alice", asked), await user("bob", asked)];
  const results = await Promise.all([ask(alice, "shared"), ask(bob, "shared")]);
  const refused = results.filter((result) => result.isError);
  expect(refused.length).toBeGreaterThan(0);
  for (const result of refused) {
    expect(text(result)).toMatch(/^\[BACKEND_ERROR\]/);
    expect(text(result)).toContain("backends.shared.isolation: session");
  }
  // Whoever was asked was asked about a call of their own: each answer went back to its asker.
  for (const [client, result] of [
    [alice, results[0]],
    [bob, results[1]],
  ] as const) {
    if (!result.isError) expect(text(result)).toContain(client === alice ? "alice" : "bob");
  }
});

test("with isolation: session each session is asked about its own call, and no other", async () => {
  const asked: string[] = [];
  const [alice, bob] = [await user("alice", asked), await user("bob", asked)];
  const [forAlice, forBob] = await Promise.all([ask(alice, "own"), ask(bob, "own")]);
  expect(text(forAlice)).toContain('"name":"alice"');
  expect(text(forBob)).toContain('"name":"bob"');
  expect(asked.sort()).toEqual(["alice", "bob"]);
});
