/**
 * Attack: a scoped key reading another backend's resources and prompts through the merged
 * catalog on /mcp (resources, templates, prompts, completion), where no tool scope is named.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { hashKey } from "../../src/security/keys.ts";
import { type ConnectedClient, EVERYTHING, MEMORY, startGateway, waitFor } from "../helpers.ts";
import { connectWithKey } from "./_helpers.ts";

setDefaultTimeout(30_000);

const MEMONLY = "memonly-key-0123456789abcdef";
const FULL = "full-key-0123456789abcdef";
let gateway: Awaited<ReturnType<typeof startGateway>>;
let memonly: ConnectedClient;
let full: ConnectedClient;

beforeAll(async () => {
  gateway = await startGateway(`
capabilities: { enabled: false }
auth:
  enabled: true
  api_keys:
    - name: memonly
      key: "${hashKey(MEMONLY)}"
      backends: [memory]
    - name: full
      key: "${hashKey(FULL)}"
backends:
  memory:
    command: node
    args: ["${MEMORY}"]
  everything:
    command: node
    args: ["${EVERYTHING}", "stdio"]
`);
  await waitFor(() => gateway.gateway.index.tools("everything").length > 0);
  memonly = await connectWithKey(gateway.url, MEMONLY);
  full = await connectWithKey(gateway.url, FULL);
});

afterAll(async () => {
  await memonly?.close();
  await full?.close();
  await gateway?.stop();
});

describe("resources and prompts follow the key's scopes", () => {
  test("a key for one backend does not see another backend's resources, templates or prompts", async () => {
    const all = await full.client.listResources();
    expect(all.resources.some((r) => r.uri.startsWith("demo://"))).toBe(true);
    const mine = await memonly.client.listResources();
    expect(mine.resources.some((r) => r.uri.startsWith("demo://"))).toBe(false);
    const templates = await memonly.client.listResourceTemplates();
    expect(templates.resourceTemplates).toEqual([]);
    const prompts = await memonly.client.listPrompts();
    expect(prompts.prompts.map((p) => p.name)).not.toContain("simple-prompt");
  });

  test("nor read, get or complete them by name", async () => {
    const uri = (await full.client.listResources()).resources.find((r) =>
      r.uri.startsWith("demo://"),
    )!.uri;
    await expect(memonly.client.readResource({ uri })).rejects.toThrow(/not found/i);
    await expect(
      memonly.client.readResource({ uri: "demo://resource/dynamic/text/1" }),
    ).rejects.toThrow(/not found/i);
    await expect(memonly.client.getPrompt({ name: "simple-prompt" })).rejects.toThrow(/not found/i);
    await expect(
      memonly.client.complete({
        ref: { type: "ref/prompt", name: "completable-prompt" },
        argument: { name: "department", value: "E" },
      }),
    ).rejects.toThrow(/not found/i);
    await expect(memonly.client.subscribeResource({ uri })).rejects.toThrow(/not found/i);
  });
});
