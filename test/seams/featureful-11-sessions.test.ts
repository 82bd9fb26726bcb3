/**
 * Two clients on one gateway with auth off (both the local admin: the usual desktop setup, two
 * editors at once) call the same shared backend at the same time. Each call's progress reaches
 * its own client; a log message, which over stdio names no call, reaches neither rather than the
 * wrong one (it rode the first client's call stream, as if its own call had said it).
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { BUN, cleanupsAfterAll, FIXTURES, firstText, startGateway } from "../helpers.ts";

const SERVER = join(FIXTURES, "servers/featureful-11-server.ts");
const cleanups = cleanupsAfterAll();

describe("two sessions' overlapping calls on one shared backend", () => {
  for (const path of ["/mcp", "/mcp/feat"]) {
    test(`get no log line of the other's call, and each its own progress, on ${path}`, async () => {
      const gateway = await startGateway(
        `capabilities: { enabled: false }\nbackends:\n  feat:\n    command: ${JSON.stringify(BUN)}\n    args: [${JSON.stringify(SERVER)}]\n`,
      );
      cleanups.push(() => gateway.stop());
      const sessions = await Promise.all(
        ["A", "B"].map(async (name) => {
          const client = new Client({ name, version: "1" }, { capabilities: {} });
          const logs: unknown[] = [];
          const progress: unknown[] = [];
          client.setNotificationHandler("notifications/message", async (n) => {
            logs.push(n.params.data);
          });
          await client.connect(new StreamableHTTPClientTransport(new URL(`${gateway.url}${path}`)));
          cleanups.push(() => client.close());
          return { name, client, logs, progress };
        }),
      );
      const report = (s: (typeof sessions)[number]) => {
        const args = { text: `from ${s.name}`, delayMs: 500 };
        const call =
          path === "/mcp"
            ? {
                name: "gateway_invoke",
                arguments: { server: "feat", tool: "report", arguments: args },
              }
            : { name: "report", arguments: args };
        return s.client.callTool(call, { onprogress: (p) => void s.progress.push(p.message) });
      };
      const results = await Promise.all(sessions.map(report));
      expect(results.map(firstText)).toEqual(["reported", "reported"]);
      for (const s of sessions) {
        expect(s.progress).toEqual([`from ${s.name}`]);
        expect(s.logs.filter((line) => line !== `from ${s.name}`)).toEqual([]);
      }
    }, 60_000);
  }
});
