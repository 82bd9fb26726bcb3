import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startEverythingGateway, type startGateway } from "../helpers.ts";

// Experimental tasks (2025-11-25) through /mcp/{backend}: task-augmented tools/call and tasks/*.
let gateway: Awaited<ReturnType<typeof startGateway>>;
let session = "";
let path = "/mcp/everything";
const HEADERS = {
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
  "mcp-protocol-version": "2025-11-25",
};

async function post(body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const response = await fetch(`${gateway.url}${path}`, {
    method: "POST",
    headers: session ? { ...HEADERS, "mcp-session-id": session } : HEADERS,
    body: JSON.stringify(body),
  });
  session ||= response.headers.get("mcp-session-id") ?? "";
  const text = await response.text();
  // The answer is the SSE event (or JSON body) carrying this request's id.
  const messages = text
    .split("\n")
    .filter((line) => line.startsWith("data: {") || line.startsWith("{"))
    .map((line) => JSON.parse(line.replace(/^data: /, "")) as Record<string, unknown>);
  return messages.find((m) => m.id === body.id) ?? {};
}

async function open(to: string): Promise<void> {
  path = to;
  session = "";
  await post({
    jsonrpc: "2.0",
    id: 0,
    method: "initialize",
    params: {
      protocolVersion: "2025-11-25",
      capabilities: {},
      clientInfo: { name: "tasks", version: "1" },
    },
  });
  await fetch(`${gateway.url}${path}`, {
    method: "POST",
    headers: { ...HEADERS, "mcp-session-id": session },
    body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
  });
}

beforeAll(async () => {
  gateway = await startEverythingGateway();
});

afterAll(async () => {
  await gateway?.stop();
});

describe("tasks through /mcp/{backend}", () => {
  test("a task-augmented call returns a task that tasks/get and tasks/list find at the backend", async () => {
    await open("/mcp/everything");
    const created = await post({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: {
        name: "simulate-research-query",
        arguments: { topic: "gateways" },
        task: { ttl: 60000 },
      },
    });
    const task = (created.result as { task?: { taskId: string; status: string } }).task;
    expect(task?.taskId).toBeString();
    expect(task?.status).toBe("working");
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
    expect((cancelled.result as { status?: string } | undefined)?.status ?? "").toBe("cancelled");
  });
});

describe("tasks through /mcp", () => {
  test("a task-augmented gateway_invoke returns the backend's task; tasks/* are routed by its id", async () => {
    await open("/mcp");
    const created = await post({
      jsonrpc: "2.0",
      id: 11,
      method: "tools/call",
      params: {
        name: "gateway_invoke",
        arguments: {
          server: "everything",
          tool: "simulate-research-query",
          arguments: { topic: "meta" },
        },
        task: { ttl: 60000 },
      },
    });
    const task = (created.result as { task?: { taskId: string; status: string } }).task;
    expect(task?.taskId).toBeString();
    const got = await post({
      jsonrpc: "2.0",
      id: 12,
      method: "tasks/get",
      params: { taskId: task!.taskId },
    });
    expect((got.result as { taskId: string }).taskId).toBe(task!.taskId);
    const listed = await post({ jsonrpc: "2.0", id: 13, method: "tasks/list", params: {} });
    // The caller's tasks on every backend: this one, and the one made on /mcp/everything above.
    const ids = (listed.result as { tasks: { taskId: string }[] }).tasks.map((t) => t.taskId);
    expect(ids).toContain(task!.taskId);
    const cancelled = await post({
      jsonrpc: "2.0",
      id: 14,
      method: "tasks/cancel",
      params: { taskId: task!.taskId },
    });
    expect((cancelled.result as { status?: string }).status).toBe("cancelled");
    const unknown = await post({
      jsonrpc: "2.0",
      id: 15,
      method: "tasks/get",
      params: { taskId: "nope" },
    });
    expect((unknown.error as { message: string }).message).toContain("Unknown task");
  });
});
