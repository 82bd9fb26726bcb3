/**
 * Tasks (2025-11-25) × `isolation: session`. A task made through `gateway_invoke` lives in the
 * session's own backend process: tasks/get, tasks/list and tasks/cancel must reach that process,
 * not the shared connection where the task does not exist.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { cleanupsAfterAll, EVERYTHING, startGateway, waitFor } from "../helpers.ts";

const cleanups = cleanupsAfterAll();
let gateway: Awaited<ReturnType<typeof startGateway>>;
let session = "";
const HEADERS = {
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
  "mcp-protocol-version": "2025-11-25",
};

async function post(body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const response = await fetch(`${gateway.url}/mcp`, {
    method: "POST",
    headers: session ? { ...HEADERS, "mcp-session-id": session } : HEADERS,
    body: JSON.stringify(body),
  });
  session ||= response.headers.get("mcp-session-id") ?? "";
  const text = await response.text();
  const messages = text
    .split("\n")
    .filter((line) => line.startsWith("data: {") || line.startsWith("{"))
    .map((line) => JSON.parse(line.replace(/^data: /, "")) as Record<string, unknown>);
  return messages.find((m) => m.id === body.id) ?? {};
}

beforeAll(async () => {
  gateway = await startGateway(`
capabilities: { enabled: false }
backends:
  everything:
    command: node
    args: ["${EVERYTHING}", "stdio"]
    isolation: session
`);
  cleanups.push(() => gateway.stop());
  await waitFor(() => gateway.gateway.index.tools("everything").length > 0);
  await post({
    jsonrpc: "2.0",
    id: 0,
    method: "initialize",
    params: {
      protocolVersion: "2025-11-25",
      capabilities: {},
      clientInfo: { name: "t", version: "1" },
    },
  });
  await fetch(`${gateway.url}/mcp`, {
    method: "POST",
    headers: { ...HEADERS, "mcp-session-id": session },
    body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
  });
}, 30_000);

describe("a task on an isolation: session backend", () => {
  test("is found by tasks/get and tasks/list, and cancelled, in the session's own process", async () => {
    const created = await post({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: {
        name: "gateway_invoke",
        arguments: {
          server: "everything",
          tool: "simulate-research-query",
          arguments: { topic: "x" },
        },
        task: { ttl: 60000 },
      },
    });
    const task = (created.result as { task?: { taskId: string } }).task;
    expect(task?.taskId).toBeString();
    const got = await post({
      jsonrpc: "2.0",
      id: 2,
      method: "tasks/get",
      params: { taskId: task!.taskId },
    });
    expect((got.result as { taskId: string }).taskId).toBe(task!.taskId);
    const listed = await post({ jsonrpc: "2.0", id: 3, method: "tasks/list", params: {} });
    const ids = (listed.result as { tasks: { taskId: string }[] }).tasks.map((t) => t.taskId);
    expect(ids).toContain(task!.taskId);
    const cancelled = await post({
      jsonrpc: "2.0",
      id: 4,
      method: "tasks/cancel",
      params: { taskId: task!.taskId },
    });
    expect((cancelled.result as { status?: string }).status).toBe("cancelled");
  }, 30_000);
});
