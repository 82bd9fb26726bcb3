/**
 * `notifications/tools/list_changed` goes to the sessions whose scope sees what changed. Before,
 * every session heard every backend's change (and every hot-reloaded backend): on `/mcp`, flat
 * or meta, a key scoped to one backend re-listed for changes it cannot see (and learned when an
 * unseen backend changed), and a `/mcp/{backend}` session heard other backends' changes too.
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { startFromFile, waitFor, writeConfig } from "../helpers.ts";
import { PROTO_KEYS, protoConfig } from "./_proto-12-config.ts";

setDefaultTimeout(60_000);

const ADMIN = PROTO_KEYS.admin;
const ALPHA = PROTO_KEYS.alpha;
const BETA = PROTO_KEYS.beta;
const config = (names: string[]) => protoConfig(names, ["alpha", "beta"]);

const file = writeConfig(config(["alpha", "beta"]));
let gateway: Awaited<ReturnType<typeof startFromFile>>;
const clients: Client[] = [];

beforeAll(async () => {
  gateway = await startFromFile(file);
  for (const name of ["alpha", "beta"]) {
    await waitFor(() => gateway.gateway.index.tools(name).length > 0);
  }
});
afterAll(async () => {
  for (const client of clients) await client.close().catch(() => {});
  await gateway?.stop();
});

/** A session with `key` on `path`, counting the list_changed notifications it hears. */
async function listening(
  key: string,
  path: string,
): Promise<{ client: Client; heard: () => number }> {
  let heard = 0;
  const client = new Client({ name: "proto-12", version: "1" }, { capabilities: {} });
  client.setNotificationHandler("notifications/tools/list_changed", async () => {
    heard++;
  });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${gateway.url}${path}`), {
      requestInit: { headers: { authorization: `Bearer ${key}` } },
    }),
  );
  clients.push(client);
  await client.listTools();
  return { client, heard: () => heard };
}

async function grow(key: string, server: string): Promise<void> {
  const { client } = await listening(key, "/mcp");
  await client.callTool({ name: "gateway_invoke", arguments: { server, tool: "grow" } });
}

test("a backend's own change reaches the sessions that see it, and no other", async () => {
  const alphaMeta = await listening(ALPHA, "/mcp");
  const betaMeta = await listening(BETA, "/mcp");
  const betaFlat = await listening(BETA, "/mcp?surface=flat");
  const betaOwn = await listening(BETA, "/mcp/beta");
  const admin = await listening(ADMIN, "/mcp");

  await grow(ALPHA, "alpha");
  await waitFor(() => alphaMeta.heard() >= 1 && admin.heard() >= 1);
  // Then a change they do see: each hears that one alone.
  await grow(BETA, "beta");
  await waitFor(() => betaMeta.heard() >= 1 && betaFlat.heard() >= 1 && betaOwn.heard() >= 1);
  await waitFor(() => admin.heard() >= 2);
  await Bun.sleep(300);
  expect(betaMeta.heard()).toBe(1);
  expect(betaFlat.heard()).toBe(1);
  expect(betaOwn.heard()).toBe(1);
  expect(alphaMeta.heard()).toBe(1);
});

test("a backend added by a hot reload is announced to the sessions that may reach it", async () => {
  const alphaMeta = await listening(ALPHA, "/mcp");
  const betaOwn = await listening(BETA, "/mcp/beta");
  const admin = await listening(ADMIN, "/mcp");
  writeFileSync(file, config(["alpha", "beta", "gamma"]));
  await gateway.reload();
  await waitFor(() => gateway.gateway.index.tools("gamma").length > 0);
  await waitFor(() => admin.heard() >= 1);
  // A change alpha's key sees, as the sync point.
  await grow(ALPHA, "alpha");
  await waitFor(() => alphaMeta.heard() >= 1);
  await Bun.sleep(300);
  expect(alphaMeta.heard()).toBe(1);
  expect(betaOwn.heard()).toBe(0);
});
