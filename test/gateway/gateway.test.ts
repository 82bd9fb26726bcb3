import { afterAll, expect, test } from "bun:test";
import { loadConfig } from "../../src/config/load.ts";
import { createGateway } from "../../src/gateway/gateway.ts";
import { writeConfig } from "../helpers.ts";

const gateway = createGateway({
  config: loadConfig({ path: writeConfig("capabilities: { enabled: false }\nbackends: {}\n") }),
});
afterAll(() => gateway.close());

test("a server's tool list is remembered by digest, not as a JSON copy of the list", async () => {
  const tools = [{ name: "digest-marker-tool", description: "Echoes", inputSchema: {} }];
  await gateway.hooks.callHook("tools:changed", "marked", tools as never);
  expect(gateway.index.tools("marked")).toHaveLength(1);
  Bun.gc(true);
  // Every string the heap holds, by its text (the V8 format names a string node by its text).
  const { strings } = JSON.parse(Bun.generateHeapSnapshot("v8")) as { strings: string[] };
  expect(strings.filter((text) => text.startsWith('[{"name":"digest-marker-tool"'))).toEqual([]);
});
