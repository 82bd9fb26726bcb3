/**
 * Hot reload × what a session hears from backends: a session opened before a reload keeps
 * hearing a backend the reload replaced (its subscriptions' updates, on /mcp and
 * /mcp/{backend}) and starts hearing a backend the reload added (its log lines with no call in
 * flight).
 */
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import {
  BUN,
  cleanupsAfterAll,
  FIXTURES,
  firstText,
  startFromFile,
  tempDir,
  waitFor,
} from "../helpers.ts";

const SERVER = join(FIXTURES, "servers/featureful-11-server.ts");
const cleanups = cleanupsAfterAll();

const backend = (name: string, round: string) =>
  `  ${name}:\n    command: ${JSON.stringify(BUN)}\n    args: [${JSON.stringify(SERVER)}]\n    env: { ROUND: "${round}" }\n`;

async function connect(url: string, path: string) {
  const client = new Client({ name: "featureful", version: "1" }, { capabilities: {} });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${url}${path}`)));
  cleanups.push(() => client.close());
  const updated: string[] = [];
  const logs: unknown[] = [];
  client.setNotificationHandler("notifications/resources/updated", async (n) => {
    updated.push(n.params.uri);
  });
  client.setNotificationHandler("notifications/message", async (n) => {
    logs.push(n.params.data);
  });
  return { client, updated, logs };
}

describe("a session opened before a reload", () => {
  test("hears the replaced backend's updates and the added backend's log lines", async () => {
    const file = join(tempDir(), "gateway.yaml");
    writeFileSync(file, `capabilities: { enabled: false }\nbackends:\n${backend("feat", "1")}`);
    const gateway = await startFromFile(file);
    cleanups.push(() => gateway.stop());
    const meta = await connect(gateway.url, "/mcp");
    const direct = await connect(gateway.url, "/mcp/feat");
    await meta.client.listResources();
    await meta.client.subscribeResource({ uri: "note://plain" });
    await direct.client.subscribeResource({ uri: "note://plain" });
    await meta.client.setLoggingLevel("info");
    const invoke = async (server: string, tool: string, args: Record<string, unknown>) =>
      firstText(
        await meta.client.callTool({
          name: "gateway_invoke",
          arguments: { server, tool, arguments: args },
        }),
      );
    expect(await invoke("feat", "touch", { uri: "note://plain" })).toBe("touched");
    await waitFor(() => meta.updated.length === 1 && direct.updated.length === 1);

    // feat's env changes (a new process) and feat2 arrives.
    writeFileSync(
      file,
      `capabilities: { enabled: false }\nbackends:\n${backend("feat", "2")}${backend("feat2", "2")}`,
    );
    const summary = await gateway.reload();
    expect(summary.changed).toEqual(["feat"]);
    expect(summary.added).toEqual(["feat2"]);
    await waitFor(() => gateway.gateway.index.tools("feat2").length > 0);
    await waitFor(
      async () => (await invoke("feat", "touch", { uri: "note://plain" })) === "touched",
    );
    await waitFor(() => meta.updated.length >= 2 && direct.updated.length >= 2);

    expect(await invoke("feat2", "later", { text: "feat2 is up" })).toBe("later");
    await waitFor(() => meta.logs.includes("feat2 is up"));
  }, 60_000);
});

describe("a session's log level", () => {
  test("is set again on a backend that restarted after a crash", async () => {
    const file = join(tempDir(), "gateway.yaml");
    writeFileSync(file, `capabilities: { enabled: false }\nbackends:\n${backend("feat", "1")}`);
    const gateway = await startFromFile(file);
    cleanups.push(() => gateway.stop());
    const meta = await connect(gateway.url, "/mcp");
    await waitFor(() => gateway.gateway.pool.status("feat")?.state === "ready");
    await meta.client.setLoggingLevel("info");
    const invoke = async (tool: string, args: Record<string, unknown>) =>
      firstText(
        await meta.client.callTool({
          name: "gateway_invoke",
          arguments: { server: "feat", tool, arguments: args },
        }),
      );
    await invoke("later", { text: "before" });
    await waitFor(() => meta.logs.includes("before"));
    await invoke("crash", {});
    await waitFor(() => gateway.gateway.pool.status("feat")?.state !== "ready");
    // The call starts it again, at the backend's own default level (warning) until told.
    await invoke("later", { text: "after" });
    await invoke("later", { text: "after again" });
    await waitFor(() => meta.logs.includes("after again"));
  }, 60_000);
});
