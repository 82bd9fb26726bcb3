/**
 * `logging/setLevel` is per session, also for the log messages a backend sends during the
 * session's own call. A shared backend logs at the most verbose level any session asked for, so
 * each session must filter by its own: before, a session that asked for `error` got the `info`
 * lines of its own calls (those outside a call were filtered already), on `/mcp` and
 * `/mcp/{backend}` alike.
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
  feat:
    command: ${BUN}
    args: ["${FEATUREFUL}"]
`);
  await waitFor(() => gateway.gateway.index.tools("feat").length > 0);
});
afterAll(async () => {
  for (const client of clients) await client.close().catch(() => {});
  await gateway?.stop();
});

/** A session on `path` at `level` (none: never set), with the log lines it heard. */
async function session(path: string, level?: "debug" | "error") {
  const heard: string[] = [];
  const client = new Client({ name: "proto-12", version: "1" }, { capabilities: {} });
  client.setNotificationHandler("notifications/message", async (notification) => {
    heard.push(String(notification.params.data));
  });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${gateway.url}${path}`)));
  clients.push(client);
  if (level) await client.setLoggingLevel(level);
  return { client, heard };
}

/** `report` logs `text` at info during the call. */
const report = (path: string, text: string) =>
  path === "/mcp"
    ? { name: "gateway_invoke", arguments: { server: "feat", tool: "report", arguments: { text } } }
    : { name: "report", arguments: { text } };

for (const path of ["/mcp", "/mcp/feat"]) {
  test(`${path}: a session at error hears no info line of its own call; one at debug does`, async () => {
    const verbose = await session(path, "debug");
    const quiet = await session(path, "error");
    const unset = await session(path);
    await quiet.client.callTool(report(path, `quiet-${path}`));
    await verbose.client.callTool(report(path, `verbose-${path}`));
    await unset.client.callTool(report(path, `unset-${path}`));
    expect(verbose.heard).toContain(`verbose-${path}`);
    // A client that set no level gets what the server sends (the spec leaves it to the server).
    expect(unset.heard).toContain(`unset-${path}`);
    expect(quiet.heard).toEqual([]);
  });
}
