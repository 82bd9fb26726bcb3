import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { runGateway } from "../../src/gateway/run.ts";
import { BUN, connectHttp, FIXTURE_SERVER, tempDir, waitFor } from "../helpers.ts";

// Starts gateways with two stdio backends and a state database on disk: slow on a loaded machine.
setDefaultTimeout(60_000);

/**
 * The original gateway keeps how often each tool was invoked in ~/.mcp-gateway/usage.json
 * (`[{server, tool, count}]`, its SearchRanker::save) and ranks search results by it. A user who
 * switched lost that history: nothing here read the file. Now the first start with a state
 * folder imports it into the usage store (the capabilities backend's `gateway` is this gateway's
 * capabilities backend), once: a second start does not count it again.
 */
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function setUp(): { file: string; env: Record<string, string | undefined> } {
  const home = tempDir("mcpgw-sw12-home-");
  mkdirSync(join(home, ".mcp-gateway"));
  writeFileSync(
    join(home, ".mcp-gateway", "usage.json"),
    JSON.stringify(
      [
        { server: "beta", tool: "echo", count: 40 },
        { server: "gateway", tool: "uuid_new", count: 7 },
        { server: "gone", tool: "old_tool", count: 3 },
      ],
      null,
      2,
    ),
  );
  const dir = tempDir("mcpgw-sw12-usage-");
  const caps = join(dir, "capabilities");
  mkdirSync(caps);
  writeFileSync(
    join(caps, "uuid_new.yaml"),
    `fulcrum: "1.0"
name: uuid_new
description: A fresh random UUID from a UUID service.
schema: { input: { type: object, properties: {} } }
providers:
  primary: { service: rest, config: { endpoint: "https://uuid.example.org/v4" } }
`,
  );
  const file = join(dir, "gateway.yaml");
  writeFileSync(
    file,
    `state_dir: ./state
capabilities: { builtin: false, directories: [./capabilities] }
backends:
  alpha:
    command: ${BUN} ${FIXTURE_SERVER}
  beta:
    command: ${BUN} ${FIXTURE_SERVER}
`,
  );
  return { file, env: { ...process.env, HOME: home } };
}

async function start(file: string, env: Record<string, string | undefined>) {
  const running = await runGateway({
    config: loadConfig({ path: file, env }),
    port: 0,
    env,
    watch: false,
  });
  cleanups.push(() => running.stop());
  await waitFor(
    () =>
      running.gateway.index.tools("alpha").length > 0 &&
      running.gateway.index.tools("beta").length > 0,
  );
  return running as typeof running & { url: string };
}

type Usage = { usage: { server: string; tool: string; calls: number }[] };

async function callsOf(url: string): Promise<Record<string, number>> {
  const { usage } = (await (await fetch(`${url}/api/usage`)).json()) as Usage;
  return Object.fromEntries(usage.map((row) => [`${row.server}:${row.tool}`, row.calls]));
}

describe("the original gateway's usage.json", () => {
  test("is imported once into the usage store, under this gateway's names", async () => {
    const { file, env } = setUp();
    const first = await start(file, env);
    expect(await callsOf(first.url)).toMatchObject({
      "beta:echo": 40,
      "capabilities:uuid_new": 7,
      "gone:old_tool": 3,
    });
    await first.stop();
    const second = await start(file, env);
    expect(await callsOf(second.url)).toMatchObject({
      "beta:echo": 40,
      "capabilities:uuid_new": 7,
    });
  });

  test("ranks the tools it names first, as the original did", async () => {
    const { file, env } = setUp();
    const running = await start(file, env);
    const session = await connectHttp(running.url);
    cleanups.push(session.close);
    const result = await session.client.callTool({
      name: "gateway_search_tools",
      arguments: { query: "echo a message back" },
    });
    const matches = (result.structuredContent as { matches: { server: string; tool: string }[] })
      .matches;
    expect(matches[0]).toMatchObject({ server: "beta", tool: "echo" });
  });
});
