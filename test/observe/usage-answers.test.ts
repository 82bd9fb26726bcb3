import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { loadConfig } from "../../src/config/load.ts";
import { runGateway } from "../../src/gateway/run.ts";
import { hashKey } from "../../src/security/keys.ts";
import { FIXTURE_SERVER, tempDir, waitFor, writeConfig } from "../helpers.ts";
import { connectWithKey, meta } from "../security/_helpers.ts";

const OPS = "ops-key-0123456789abcdef";
const CI = "ci-key-0123456789abcdef";

let running: Awaited<ReturnType<typeof runGateway>> & { url: string };

// On the SQLite state store: the answers come from its hourly sums and rows.
beforeAll(async () => {
  const file = writeConfig(`capabilities: { enabled: false }
state_dir: ${join(tempDir(), "state")}
auth:
  enabled: true
  api_keys:
    - { name: ops, key: "${hashKey(OPS)}", admin: true }
    - { name: ci, key: "${hashKey(CI)}" }
backends:
  fixture:
    command: ${process.execPath}
    args: ["${FIXTURE_SERVER}"]
`);
  const config = loadConfig({ path: file });
  running = (await runGateway({ config, port: 0, watch: false })) as typeof running;
  await waitFor(() => running.gateway.index.tools("fixture").length > 0);
});
afterAll(() => running?.stop());

interface Answers {
  keys: {
    caller: string;
    calls: number;
    errors: number;
    byCalls: { tool: string; calls: number }[];
    byErrors: { tool: string; errors: number }[];
    byLatency: { tool: string; meanMs: number }[];
  }[];
  emptySearches: { query: string; count: number; lastAt: number; callers: string[] }[];
  tokensSaved: {
    lists: number;
    metaTokens: number;
    flatTokens: number;
    flatTools: number;
    saved: number;
  };
}

async function insights(key: string, window = "24h"): Promise<Answers> {
  const response = await fetch(`${running.url}/api/insights?window=${window}`, {
    headers: { Authorization: `Bearer ${key}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Answers;
}

test("top tools per key by calls, errors and latency; searches that found nothing; tokens saved from the lists sent", async () => {
  const ci = await connectWithKey(running.url, CI);
  const invoke = (tool: string, args: Record<string, unknown> = {}) =>
    meta(ci.client, "gateway_invoke", { server: "fixture", tool, arguments: args });
  for (let i = 0; i < 3; i++) await invoke("echo", { message: "hi" });
  await invoke("fail");
  await invoke("fail");
  await invoke("slow", { steps: 3, delayMs: 40 });
  await meta(ci.client, "gateway_search_tools", { query: "translate klingon poetry" });
  await meta(ci.client, "gateway_search_tools", { query: "Translate Klingon poetry!" });
  await meta(ci.client, "gateway_search_tools", { query: "echo a message" });
  // Two tools/list on this session (the client lists once more on its own is fine: counted).
  await ci.client.listTools();
  await ci.client.listTools();
  await ci.close();
  const ops = await connectWithKey(running.url, OPS);
  await meta(ops.client, "gateway_invoke", { server: "fixture", tool: "pid" });
  await ops.close();

  const mine = await insights(CI);
  expect(mine.keys.map((key) => key.caller)).toEqual(["key:ci"]);
  const [ciKey] = mine.keys;
  expect(ciKey).toMatchObject({ calls: 6, errors: 2 });
  expect(ciKey!.byCalls[0]).toMatchObject({ tool: "echo", calls: 3 });
  expect(ciKey!.byErrors).toEqual([expect.objectContaining({ tool: "fail", errors: 2 })]);
  expect(ciKey!.byLatency[0]!.tool).toBe("slow");
  expect(ciKey!.byLatency[0]!.meanMs).toBeGreaterThanOrEqual(100);
  // Both wordings are one query (content words); the search that found something is not listed.
  expect(mine.emptySearches).toEqual([
    {
      query: "klingon poetry translate",
      count: 2,
      lastAt: expect.any(Number),
      callers: ["key:ci"],
    },
  ]);
  // Counted, not estimated: the lists this key was sent, and the o200k tokens of both lists.
  const saved = mine.tokensSaved;
  expect(saved.lists).toBeGreaterThanOrEqual(2);
  const flat = await connectWithKey(`${running.url}`, CI, "/mcp?surface=flat");
  const flatList = await flat.client.listTools();
  await flat.close();
  expect(saved.flatTools).toBe(flatList.tools.length);
  expect(saved.flatTokens).toBe(countTokens(JSON.stringify(flatList.tools)));
  expect(saved.saved).toBe((saved.flatTokens - saved.metaTokens) * saved.lists);

  // What a meta tool calls (gateway_get_stats): the same answers.
  const { answerUsageOf } = await import("../../src/observe/usage-answers.ts");
  const { LOCAL_ADMIN } = await import("../../src/gateway/caller.ts");
  const direct = await answerUsageOf(running.gateway, { window: "30d", caller: LOCAL_ADMIN });
  expect(direct?.keys.map((key) => key.caller).sort()).toEqual(["key:ci", "key:ops"]);

  const all = await insights(OPS, "7d");
  expect(all.keys.map((key) => key.caller).sort()).toEqual(["key:ci", "key:ops"]);
});

test("a window other than 24h, 7d or 30d is refused, naming the choices", async () => {
  const response = await fetch(`${running.url}/api/insights?window=1y`, {
    headers: { Authorization: `Bearer ${OPS}` },
  });
  expect(response.status).toBe(400);
  expect(await response.text()).toContain("24h, 7d or 30d");
});
