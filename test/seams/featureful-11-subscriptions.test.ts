/**
 * A resource subscription held through the gateway outlives the backend's crash: the gateway
 * starts the backend again, subscribes again for the sessions that hold subscriptions, and
 * tells them the resource may have changed. On /mcp and /mcp/{backend}; a session subscribed
 * to another URI hears nothing of this one.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import {
  BUN,
  cleanupsAfterAll,
  FIXTURES,
  firstText,
  startGateway,
  tempDir,
  waitFor,
} from "../helpers.ts";

const SERVER = join(FIXTURES, "servers/featureful-11-server.ts");
const cleanups = cleanupsAfterAll();

async function connect(url: string, path: string) {
  const client = new Client({ name: "featureful", version: "1" }, { capabilities: {} });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${url}${path}`)));
  cleanups.push(() => client.close());
  const updated: string[] = [];
  client.setNotificationHandler("notifications/resources/updated", async (n) => {
    updated.push(n.params.uri);
  });
  return { client, updated };
}

describe("a subscription across a backend crash", () => {
  test("is made again on the restarted backend, and its sessions are told", async () => {
    const log = join(tempDir(), "fixture.log");
    writeFileSync(log, "");
    const gateway = await startGateway(
      `backends:\n  feat:\n    command: ${JSON.stringify(BUN)}\n    args: [${JSON.stringify(SERVER)}]\n    env: { FIXTURE_LOG: ${JSON.stringify(log)} }\n`,
    );
    cleanups.push(() => gateway.stop());
    const meta = await connect(gateway.url, "/mcp");
    const direct = await connect(gateway.url, "/mcp/feat");
    const other = await connect(gateway.url, "/mcp/feat");
    await meta.client.listResources();
    await meta.client.subscribeResource({ uri: "note://plain" });
    await direct.client.subscribeResource({ uri: "note://plain" });
    await other.client.subscribeResource({ uri: "note://other" });
    const touch = async () =>
      firstText(
        await direct.client.callTool({ name: "touch", arguments: { uri: "note://plain" } }),
      );
    expect(await touch()).toBe("touched");
    await waitFor(() => meta.updated.length === 1 && direct.updated.length === 1);

    const pidOf = async () =>
      Number(firstText(await direct.client.callTool({ name: "pid", arguments: {} })));
    const before = await pidOf();
    await direct.client.callTool({ name: "crash", arguments: {} }).catch(() => {});
    // Restarted without waiting for a call, and subscribed again there.
    const again = () =>
      [...readFileSync(log, "utf8").matchAll(/^subscribe note:\/\/plain (\d+)$/gm)].some(
        (line) => Number(line[1]) !== before,
      );
    await waitFor(again, 20_000);
    const after = await pidOf();
    expect(after).not.toBe(before);
    const lines = readFileSync(log, "utf8").trim().split("\n");
    expect(lines).toContain(`subscribe note://plain ${after}`);
    expect(lines).toContain(`subscribe note://other ${after}`);
    // Told: the resource may have changed while the backend was down.
    await waitFor(() => meta.updated.length === 2 && direct.updated.length === 2);
    expect(other.updated.every((uri) => uri === "note://other")).toBe(true);

    // And the updates flow again.
    expect(await touch()).toBe("touched");
    await waitFor(() => meta.updated.length === 3 && direct.updated.length === 3);
    expect(meta.updated).toEqual(["note://plain", "note://plain", "note://plain"]);
  }, 60_000);
});

describe("a subscription on a backend with idle_stop", () => {
  test("keeps the backend running while it is held, and lets it stop after", async () => {
    const gateway = await startGateway(
      `backends:\n  feat:\n    command: ${JSON.stringify(BUN)}\n    args: [${JSON.stringify(SERVER)}]\n    idle_stop: 200ms\n`,
    );
    cleanups.push(() => gateway.stop());
    const state = () => gateway.gateway.pool.status("feat")?.state;
    await waitFor(() => gateway.gateway.index.tools("feat").length > 0 && state() === "idle");
    const direct = await connect(gateway.url, "/mcp/feat");
    await direct.client.subscribeResource({ uri: "note://plain" });
    const pid = firstText(await direct.client.callTool({ name: "pid", arguments: {} }));
    // Ten idle periods: stopped, it would hear of no change to tell.
    await Bun.sleep(2000);
    expect(state()).toBe("ready");
    expect(firstText(await direct.client.callTool({ name: "pid", arguments: {} }))).toBe(pid);
    expect(
      firstText(
        await direct.client.callTool({ name: "touch", arguments: { uri: "note://plain" } }),
      ),
    ).toBe("touched");
    await waitFor(() => direct.updated.length === 1);
    await direct.client.unsubscribeResource({ uri: "note://plain" });
    await waitFor(() => state() === "idle", 10_000);
  }, 60_000);
});

describe("a subscription on a session's own connection (isolation: session)", () => {
  for (const path of ["/mcp", "/mcp/feat"]) {
    test(`is made again when that connection's process restarts, on ${path}`, async () => {
      const gateway = await startGateway(
        `capabilities: { enabled: false }\nbackends:\n  feat:\n    command: ${JSON.stringify(BUN)}\n    args: [${JSON.stringify(SERVER)}]\n    isolation: session\n`,
      );
      cleanups.push(() => gateway.stop());
      const session = await connect(gateway.url, path);
      const other = await connect(gateway.url, path);
      const call = (s: typeof session, tool: string, args: Record<string, unknown> = {}) =>
        s.client.callTool(
          path === "/mcp"
            ? { name: "gateway_invoke", arguments: { server: "feat", tool, arguments: args } }
            : { name: tool, arguments: args },
        );
      if (path === "/mcp") await session.client.listResources();
      if (path === "/mcp") await other.client.listResources();
      await session.client.subscribeResource({ uri: "note://plain" });
      // Another session subscribed to the same URI on its own process hears only its own.
      await other.client.subscribeResource({ uri: "note://plain" });
      expect(firstText(await call(session, "touch", { uri: "note://plain" }))).toBe("touched");
      await waitFor(() => session.updated.length === 1);
      await call(session, "crash").catch(() => {});
      // Started again with the subscription made again there, and told.
      await waitFor(() => session.updated.length === 2, 20_000);
      expect(firstText(await call(session, "touch", { uri: "note://plain" }))).toBe("touched");
      await waitFor(() => session.updated.length === 3);
      expect(other.updated).toEqual([]);
    }, 60_000);
  }
});
