/**
 * The response cache × hot reload × a call in flight. A read-only call still running on a
 * backend's old config when a reload replaces it must not leave its answer in the cache for
 * the new config's calls.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { Server } from "@modelcontextprotocol/server";
import {
  cleanupsAfterAll,
  connectHttp,
  firstText,
  serveMcpHttp,
  startFromFile,
  waitFor,
  writeConfig,
} from "../helpers.ts";

const cleanups = cleanupsAfterAll();

/** One read-only tool that answers, after `delayMs`, with the X-Mode header it was sent. */
function startModeServer() {
  return serveMcpHttp((initialize) => {
    const mode = initialize.headers.get("x-mode") ?? "none";
    const mcp = new Server({ name: "mode", version: "1.0.0" }, { capabilities: { tools: {} } });
    mcp.setRequestHandler("tools/list", async () => ({
      tools: [
        {
          name: "mode",
          description: "The mode this server was connected with",
          inputSchema: { type: "object" as const, properties: { delayMs: { type: "number" } } },
          annotations: { readOnlyHint: true },
        },
      ],
    }));
    mcp.setRequestHandler("tools/call", async (call) => {
      await Bun.sleep(Number(call.params.arguments?.delayMs ?? 0));
      return { content: [{ type: "text", text: mode }] };
    });
    return mcp;
  });
}

let file: string;
let gateway: Awaited<ReturnType<typeof startFromFile>>;
let url: string;
const config = (mode: string) =>
  `capabilities: { enabled: false }\nbackends:\n  svc:\n    url: ${url}\n    headers: { X-Mode: ${mode} }\n`;

beforeAll(async () => {
  const backend = startModeServer();
  cleanups.push(backend.stop);
  url = backend.url;
  file = writeConfig(config("old"));
  gateway = await startFromFile(file);
  cleanups.push(() => gateway.stop());
  await waitFor(() => gateway.gateway.index.tools("svc").length > 0);
}, 30_000);

describe("a read-only call that outlives a reload", () => {
  test("does not cache the old config's answer for the new one", async () => {
    const session = await connectHttp(gateway.url);
    cleanups.push(session.close);
    const mode = (delayMs: number) =>
      session.client.callTool({
        name: "gateway_invoke",
        arguments: { server: "svc", tool: "mode", arguments: { delayMs } },
      });
    const inFlight = mode(600);
    // In flight before the reload (was: a fixed 100 ms).
    await waitFor(() => gateway.gateway.pool.inFlight() >= 1);
    writeFileSync(file, config("new"));
    await fetch(`${gateway.url}/api/reload`, { method: "POST" });
    await waitFor(() => gateway.gateway.pool.status("svc")?.state === "ready");
    expect(firstText(await inFlight)).toBe("old");
    expect(firstText(await mode(600))).toBe("new");
  }, 30_000);
});
