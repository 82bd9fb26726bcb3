/**
 * URL-mode elicitation (SEP-1036) × a shared backend × several sessions: a call that fails with
 * -32042 names a URL flow that the user ends later, in a browser; the backend then sends
 * `notifications/elicitation/complete`, which must reach the session that was asked (so its
 * client retries), and no other. Before, with no call in flight by then, it reached no one.
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { BUN, cleanupsAfterAll, FIXTURES, startGateway, waitFor } from "../helpers.ts";

const SERVER = join(FIXTURES, "servers/featureful-11-server.ts");
const cleanups = cleanupsAfterAll();

async function connect(url: string) {
  const client = new Client(
    { name: "featureful", version: "1" },
    { capabilities: { elicitation: { form: {}, url: {} } } },
  );
  const completed: unknown[] = [];
  client.setNotificationHandler("notifications/elicitation/complete", async (n) => {
    completed.push(n.params.elicitationId);
  });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  cleanups.push(() => client.close());
  return { client, completed };
}

describe("a URL elicitation's completion after the call ended", () => {
  for (const path of ["/mcp", "/mcp/feat"]) {
    test(`reaches the session that was asked, and only it, on ${path}`, async () => {
      const gateway = await startGateway(
        `capabilities: { enabled: false }\nbackends:\n  feat:\n    command: ${JSON.stringify(BUN)}\n    args: [${JSON.stringify(SERVER)}]\n`,
      );
      cleanups.push(() => gateway.stop());
      const asked = await connect(`${gateway.url}${path}`);
      const other = await connect(`${gateway.url}${path}`);
      const call =
        path === "/mcp"
          ? {
              name: "gateway_invoke",
              arguments: { server: "feat", tool: "sign_in", arguments: {} },
            }
          : { name: "sign_in", arguments: {} };
      const refused = await asked.client.callTool(call).then(
        () => undefined,
        (error: { code?: number; data?: { elicitations?: { elicitationId: string }[] } }) => error,
      );
      expect(refused?.code).toBe(-32042);
      const id = refused?.data?.elicitations?.[0]?.elicitationId;
      expect(id).toStartWith("e-");
      await waitFor(() => asked.completed.length === 1);
      expect(asked.completed).toEqual([id]);
      // The other session, listening on the same backend, hears nothing of it.
      await other.client.ping();
      expect(other.completed).toEqual([]);
    }, 60_000);
  }
});
