/**
 * A backend that answers a call with a JSON-RPC error, or with a result that breaks the spec
 * (an image whose data is not base64). The call was sent, so it is one failed call: one audit
 * row (`failed`), no refusal row or refusal metric beside it; and the error names the backend
 * and says it is the backend's (`[BACKEND_ERROR] [backend:pa] ...`, 502 in the dashboard's try
 * it), not `[INTERNAL]`, which reads as the gateway's own bug.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Server } from "@modelcontextprotocol/server";
import type { RunningGateway } from "../../src/gateway/run.ts";
import {
  cleanupsAfterAll,
  connectHttp,
  firstText,
  serveMcpHttp,
  startGateway,
  waitFor,
} from "../helpers.ts";

const cleanups = cleanupsAfterAll();
let gateway: RunningGateway & { url: string };

beforeAll(async () => {
  const backend = serveMcpHttp(() => {
    const mcp = new Server({ name: "errs", version: "1.0.0" }, { capabilities: { tools: {} } });
    mcp.setRequestHandler("tools/list", async () => ({
      tools: ["throws", "malformed"].map((name) => ({
        name,
        inputSchema: { type: "object" as const },
      })),
    }));
    mcp.setRequestHandler("tools/call", async (request) => {
      if (request.params.name === "throws") throw new Error("the disk is full");
      return {
        content: [{ type: "image", data: "%%% not base64", mimeType: "image/png" }],
      } as never;
    });
    return mcp;
  });
  cleanups.push(backend.stop);
  gateway = await startGateway(
    `capabilities: { enabled: false }\nbackends:\n  pa:\n    url: ${backend.url}\n`,
  );
  await waitFor(() => gateway.gateway.index.tools("pa").length === 2);
}, 30_000);
afterAll(() => gateway?.stop());

const auditRows = async (tool: string) =>
  (
    (await (await fetch(`${gateway.url}/api/audit?tool=${tool}`)).json()) as {
      rows: { tool: string; outcome: string; code?: string }[];
    }
  ).rows.filter((row) => row.tool === tool);

const refusals = async () =>
  (await (await fetch(`${gateway.url}/metrics`)).text())
    .split("\n")
    .filter((line) => line.startsWith("mcp_gateway_tool_refusals_total") && line.includes('"pa"'));

describe("a backend's error on a call", () => {
  test.each([
    ["throws", "the disk is full"],
    ["malformed", "Invalid Base64"],
  ])("%s: one failed call, named the backend's", async (tool, said) => {
    const session = await connectHttp(gateway.url);
    cleanups.push(session.close);
    const result = await session.client.callTool({
      name: "gateway_invoke",
      arguments: { server: "pa", tool, arguments: {} },
    });
    expect(result.isError).toBe(true);
    expect(firstText(result)).toStartWith("[BACKEND_ERROR] [backend:pa] ");
    expect(firstText(result)).toContain(said);

    const tried = await fetch(`${gateway.url}/api/tool/invoke?server=pa&tool=${tool}`, {
      method: "POST",
      body: "{}",
    });
    expect(tried.status).toBe(502);
    expect(((await tried.json()) as { code: string }).code).toBe("BACKEND_ERROR");

    await waitFor(async () => (await auditRows(tool)).length >= 2);
    // Settled: nothing more is written for these two calls.
    await Bun.sleep(200);
    expect((await auditRows(tool)).map((row) => [row.outcome, row.code])).toEqual([
      ["failed", "BACKEND_ERROR"],
      ["failed", "BACKEND_ERROR"],
    ]);
    expect(await refusals()).toEqual([]);
  });
});
