/**
 * `per_caller` × the shared tool list. A backend may list different tools for different
 * credentials (a token with fewer scopes, a toolset header). Discovery lists with the backend's
 * own credentials; one caller's own connection must not replace the list every caller sees.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { Server } from "@modelcontextprotocol/server";
import { hashKey } from "../../src/security/keys.ts";
import { cleanupsAfterAll, firstText, serveMcpHttp, startGateway, waitFor } from "../helpers.ts";
import { connectWithKey } from "../security/_helpers.ts";

const ALICE = "alice-key-0123456789abcdef";
const MALLORY = "mallory-key-0123456789abcdef";
const cleanups = cleanupsAfterAll();

/** Lists `read` to every token, and `write` too to a token with "write" in it. */
function startScopedServer() {
  return serveMcpHttp((initialize) => {
    const token = initialize.headers.get("authorization") ?? "";
    const mcp = new Server({ name: "scoped", version: "1.0.0" }, { capabilities: { tools: {} } });
    const tool = (name: string) => ({
      name,
      description: `${name} a record`,
      inputSchema: { type: "object" as const },
    });
    mcp.setRequestHandler("tools/list", async () => ({
      tools: token.includes("write") ? [tool("read"), tool("write")] : [tool("read")],
    }));
    mcp.setRequestHandler("tools/call", async (call) => ({
      content: [{ type: "text", text: `${call.params.name} done` }],
    }));
    return mcp;
  });
}

let gateway: Awaited<ReturnType<typeof startGateway>>;

beforeAll(async () => {
  const backend = startScopedServer();
  cleanups.push(backend.stop);
  gateway = await startGateway(`
capabilities: { enabled: false }
auth:
  enabled: true
  api_keys:
    - { name: alice, key: "${hashKey(ALICE)}", credentials: { token: alice-write } }
    - { name: mallory, key: "${hashKey(MALLORY)}", credentials: { token: mallory-read } }
backends:
  records:
    url: ${backend.url}
    headers: { Authorization: "Bearer discovery-write" }
    per_caller:
      headers: { Authorization: "Bearer {caller.token}" }
`);
  cleanups.push(() => gateway.stop());
  await waitFor(() => gateway.gateway.index.tools("records").length === 2);
}, 30_000);

describe("a per_caller backend's tool list", () => {
  test("is the discovery's, whatever a caller's own connection lists", async () => {
    const alice = await connectWithKey(gateway.url, ALICE);
    const mallory = await connectWithKey(gateway.url, MALLORY);
    cleanups.push(alice.close, mallory.close);
    const invoke = (who: typeof alice, tool: string) =>
      who.client.callTool({
        name: "gateway_invoke",
        arguments: { server: "records", tool, arguments: {} },
      });
    expect(firstText(await invoke(mallory, "read"))).toBe("read done");
    await Bun.sleep(200);
    expect(gateway.gateway.index.tools("records").map((t) => t.name)).toEqual(["read", "write"]);
    expect(firstText(await invoke(alice, "write"))).toBe("write done");
  }, 30_000);
});
