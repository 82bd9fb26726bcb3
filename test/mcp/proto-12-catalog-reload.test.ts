/**
 * A hot reload that adds, replaces or removes a backend changes the resources and prompts `/mcp`
 * lists, and the gateway declares `listChanged` for both: its sessions must hear
 * `notifications/resources/list_changed` and `prompts/list_changed`. Before, they heard only
 * `tools/list_changed`, and a client holding the lists never learned of the added backend's
 * resources and prompts (nor that a removed one's were gone). Only sessions whose key may list
 * that backend's resources or prompts are told.
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { startFromFile, waitFor, writeConfig } from "../helpers.ts";
import { PROTO_KEYS, protoConfig } from "./_proto-12-config.ts";

setDefaultTimeout(60_000);

const ADMIN = PROTO_KEYS.admin;
const ALPHA = PROTO_KEYS.alpha;
const config = (names: string[]) => protoConfig(names, ["alpha"]);

const file = writeConfig(config(["alpha"]));
let gateway: Awaited<ReturnType<typeof startFromFile>>;
const clients: Client[] = [];

beforeAll(async () => {
  gateway = await startFromFile(file);
  await waitFor(() => gateway.gateway.index.tools("alpha").length > 0);
});
afterAll(async () => {
  for (const client of clients) await client.close().catch(() => {});
  await gateway?.stop();
});

const METHODS = [
  "notifications/tools/list_changed",
  "notifications/resources/list_changed",
  "notifications/prompts/list_changed",
] as const;

async function listening(key: string) {
  const heard: string[] = [];
  const client = new Client({ name: "proto-12", version: "1" }, { capabilities: {} });
  for (const method of METHODS) {
    client.setNotificationHandler(method, async () => {
      heard.push(method);
    });
  }
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${key}` } },
    }),
  );
  clients.push(client);
  await client.listResources();
  return { client, heard };
}

async function reloadWith(names: string[]): Promise<void> {
  writeFileSync(file, config(names));
  await gateway.reload();
}

test("an added and a removed backend: the sessions that may list its catalog are told", async () => {
  const admin = await listening(ADMIN);
  const scoped = await listening(ALPHA);
  await reloadWith(["alpha", "beta"]);
  await waitFor(() => gateway.gateway.index.tools("beta").length > 0);
  await waitFor(
    () =>
      admin.heard.includes("notifications/resources/list_changed") &&
      admin.heard.includes("notifications/prompts/list_changed"),
  );
  const { resources } = await admin.client.listResources();
  expect(resources.some((resource) => resource.uri.startsWith("p12://beta/"))).toBe(true);

  admin.heard.length = 0;
  await reloadWith(["alpha"]);
  await waitFor(() => admin.heard.includes("notifications/resources/list_changed"));
  expect(admin.heard).toContain("notifications/prompts/list_changed");
  // A change alpha's key sees, as the sync point: it heard of beta neither time.
  await scoped.client.callTool({
    name: "gateway_invoke",
    arguments: { server: "alpha", tool: "grow" },
  });
  await waitFor(() => scoped.heard.includes("notifications/tools/list_changed"));
  await Bun.sleep(300);
  expect(scoped.heard).toEqual(["notifications/tools/list_changed"]);
});
