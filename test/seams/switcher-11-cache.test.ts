/**
 * A warm tool-list cache (a lazy stdio backend's list from an earlier run, up to a day old) is
 * served without starting the backend. The original gateway keeps no list across restarts and
 * lists a server it is asked about; here the answers say which lists come from the cache and how
 * old they are, and gateway_list_tools with the server's name lists it live first.
 */
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { type RunningGateway, runGateway } from "../../src/gateway/run.ts";
import { BUN, connectHttp, FIXTURES, tempDir, waitFor } from "../helpers.ts";
import { homeIn } from "../security/_helpers.ts";

setDefaultTimeout(60_000);

type Running = RunningGateway & { url: string };
const open: { close(): Promise<void> | void }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

const tool = (name: string) => ({ name, description: `The ${name} tool.` });

describe("tools served from the cache of an earlier run", () => {
  test("are said to be cached in gateway_list_servers and /health; gateway_list_tools {server} lists them live", async () => {
    const dir = tempDir("mcpgw-sw11-cache-");
    const toolsFile = join(dir, "tools.json");
    const file = join(dir, "gateway.yaml");
    const env = homeIn(dir);
    writeFileSync(toolsFile, JSON.stringify([tool("get_time")]));
    writeFileSync(
      file,
      `state_dir: ./state
capabilities: { enabled: false }
backends:
  lazy:
    command: ${BUN}
    args: ["${join(FIXTURES, "poisoned/server.ts")}"]
    env: { TOOLS_FILE: "${toolsFile}" }
`,
    );
    const start = async (): Promise<Running> => {
      const config = loadConfig({ path: file, env: { ...process.env, ...env } });
      const running = (await runGateway({ config, port: 0, env })) as Running;
      open.push({ close: () => running.stop() });
      return running;
    };
    const first = await start();
    await waitFor(() => first.gateway.index.tools("lazy").length > 0);
    await first.stop();
    // The backend gains a tool while the gateway is down.
    writeFileSync(toolsFile, JSON.stringify([tool("get_time"), tool("get_date")]));

    const running = await start();
    await waitFor(() => running.gateway.index.tools("lazy").length > 0);
    const session = await connectHttp(running.url);
    open.push(session);
    const call = async (name: string, args: Record<string, unknown> = {}) =>
      (await session.client.callTool({ name, arguments: args })).structuredContent as {
        servers: { name: string; cached?: string; state: string }[];
        tools: { name: string }[];
        cached?: string;
      };

    const before = (await call("gateway_list_servers")).servers.find((s) => s.name === "lazy")!;
    expect(before.state).toBe("idle");
    expect(before.cached).toMatch(/^tools as listed \d+s ago \(cached/);
    const health = (await (await fetch(`${running.url}/health`)).json()) as {
      backends: Record<string, { toolsCachedAt?: string }>;
    };
    expect(Date.parse(health.backends.lazy!.toolsCachedAt!)).toBeLessThanOrEqual(Date.now());

    const listed = await call("gateway_list_tools", { server: "lazy" });
    expect(listed.tools.map((t) => t.name).sort()).toEqual(["get_date", "get_time"]);
    expect(listed.cached).toBeUndefined();
    const after = (await call("gateway_list_servers")).servers.find((s) => s.name === "lazy")!;
    expect(after.cached).toBeUndefined();
    const healthAfter = (await (await fetch(`${running.url}/health`)).json()) as {
      backends: Record<string, { toolsCachedAt?: string }>;
    };
    expect(healthAfter.backends.lazy!.toolsCachedAt).toBeUndefined();
  });
});
