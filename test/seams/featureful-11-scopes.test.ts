/**
 * A key scoped to some of a backend's tools × what the backend says to no call in particular
 * (a log message after its call ended): on /mcp such news needs a grant of the whole server;
 * /mcp/{backend} must hold the same line, or the scoped key reads there what /mcp withholds.
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { hashKey } from "../../src/security/keys.ts";
import { BUN, cleanupsAfterAll, FIXTURES, firstText, startGateway, waitFor } from "../helpers.ts";
import { connectWithKey } from "../security/_helpers.ts";

const SERVER = join(FIXTURES, "servers/featureful-11-server.ts");
const ADMIN = "admin-key-featureful-11-0123456789";
const USER = "user-key-featureful-11-0123456789";
const cleanups = cleanupsAfterAll();

describe("a backend's log message with no call in flight", () => {
  test("reaches a key granted the whole server, not one granted a tool of it, on either path", async () => {
    const gateway = await startGateway(`
capabilities: { enabled: false }
auth:
  enabled: true
  api_keys:
    - { name: admin, key: "${hashKey(ADMIN)}", admin: true }
    - { name: user, key: "${hashKey(USER)}", allowed_tools: ["feat:weather"] }
backends:
  feat:
    command: ${BUN}
    args: ["${SERVER}"]
`);
    cleanups.push(() => gateway.stop());
    const sessions = {
      admin: await connectWithKey(gateway.url, ADMIN, "/mcp/feat"),
      adminMeta: await connectWithKey(gateway.url, ADMIN),
      user: await connectWithKey(gateway.url, USER, "/mcp/feat"),
      userMeta: await connectWithKey(gateway.url, USER),
    };
    const heard: Record<string, unknown[]> = {};
    for (const [name, session] of Object.entries(sessions)) {
      cleanups.push(session.close);
      heard[name] = [];
      session.client.setNotificationHandler("notifications/message", async (n) => {
        heard[name]!.push(n.params.data);
      });
      await session.client.setLoggingLevel("info");
    }
    // The user's key may call its one tool here.
    const weather = await sessions.user.client.callTool({ name: "weather", arguments: {} });
    expect(weather.isError).toBeFalsy();
    const later = await sessions.admin.client.callTool({
      name: "later",
      arguments: { text: "the admin's report is ready" },
    });
    expect(firstText(later)).toBe("later");
    await waitFor(() => heard.admin!.length === 1 && heard.adminMeta!.length === 1);
    // A second message after it, so that the first has had every chance to arrive.
    await sessions.admin.client.callTool({ name: "later", arguments: { text: "second" } });
    await waitFor(() => heard.admin!.length === 2 && heard.adminMeta!.length === 2);
    expect({ user: heard.user, userMeta: heard.userMeta }).toEqual({ user: [], userMeta: [] });
  }, 60_000);
});
