/**
 * Hot reload × connected sessions' tool lists. A reload that changes what a session's
 * `tools/list` holds without touching a backend (surfaced tools, code mode, a key's scopes)
 * tells the connected sessions (`notifications/tools/list_changed`), so that no client keeps
 * serving its model a list the gateway no longer has.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { hashKey } from "../../src/security/keys.ts";
import {
  BUN,
  cleanupsAfterAll,
  FIXTURE_SERVER,
  startFromFile,
  waitFor,
  writeConfig,
} from "../helpers.ts";
import { connectWithKey } from "../security/_helpers.ts";

const KEY = "user-key-0123456789abcdef";
const cleanups = cleanupsAfterAll();
let file: string;
let gateway: Awaited<ReturnType<typeof startFromFile>>;

const config = (extra: string, allowed = `["fixture:*"]`) => `
capabilities: { enabled: false }
auth:
  enabled: true
  api_keys:
    - { name: user, key: "${hashKey(KEY)}", allowed_tools: ${allowed} }
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
${extra}`;

beforeAll(async () => {
  file = writeConfig(config(""));
  gateway = await startFromFile(file);
  cleanups.push(() => gateway.stop());
  await waitFor(() => gateway.gateway.index.tools("fixture").length > 0);
}, 30_000);

async function reload(text: string) {
  writeFileSync(file, text);
  // Auth is on and the request comes from loopback without a key: reload as an admin key would.
  await gateway.gateway.reload(
    (await import("../../src/config/load.ts")).loadConfig({ path: file }),
  );
}

describe("a reload that changes a session's tool list", () => {
  test("sends tools/list_changed, and the next tools/list is the new one", async () => {
    const session = await connectWithKey(gateway.url, KEY);
    cleanups.push(session.close);
    let changed = 0;
    session.client.setNotificationHandler("notifications/tools/list_changed", async () => {
      changed++;
    });
    const names = async () => (await session.client.listTools()).tools.map((t) => t.name);
    expect(await names()).not.toContain("fixture__echo");

    await reload(config(`meta_mcp: { surfaced_tools: ["fixture:echo"] }`));
    await waitFor(() => changed === 1, 15_000);
    expect(await names()).toContain("fixture__echo");

    await reload(config(`meta_mcp: { surfaced_tools: ["fixture:echo"] }`, `["fixture:pid"]`));
    await waitFor(() => changed === 2, 15_000);
    expect(await names()).not.toContain("fixture__echo");
  }, 30_000);

  test("reaches a session on /mcp/{backend} too when the key's scopes narrow", async () => {
    await reload(config(""));
    const session = await connectWithKey(gateway.url, KEY, "/mcp/fixture");
    cleanups.push(session.close);
    let changed = 0;
    session.client.setNotificationHandler("notifications/tools/list_changed", async () => {
      changed++;
    });
    const names = async () => (await session.client.listTools()).tools.map((t) => t.name);
    expect(await names()).toContain("pid");
    await reload(config("", `["fixture:echo"]`));
    await waitFor(() => changed > 0, 15_000);
    expect(await names()).toEqual(["echo"]);
  }, 30_000);
});
