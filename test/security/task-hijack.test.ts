/**
 * Attack: another key listing, reading and cancelling an admin's task through
 * `/mcp/{backend}`, where tasks/* were forwarded to the backend without asking who made the task.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { hashKey } from "../../src/security/keys.ts";
import { EVERYTHING, startGateway, waitFor } from "../helpers.ts";
import { MCP_HEADERS } from "./_helpers.ts";

setDefaultTimeout(30_000);

const ADMIN = "admin-key-0123456789abcdef";
const OTHER = "other-key-0123456789abcdef";
const PATH = "/mcp/everything";
let gateway: Awaited<ReturnType<typeof startGateway>>;

beforeAll(async () => {
  gateway = await startGateway(`
capabilities: { enabled: false }
auth:
  enabled: true
  api_keys:
    - name: admin
      key: "${hashKey(ADMIN)}"
      admin: true
    - name: other
      key: "${hashKey(OTHER)}"
      backends: [everything]
backends:
  everything:
    command: node
    args: ["${EVERYTHING}", "stdio"]
`);
  await waitFor(() => gateway.gateway.index.tools("everything").length > 0);
});

afterAll(async () => {
  await gateway?.stop();
});

/** A raw session on `/mcp/everything` for `key`: `send` posts one request, returns its answer. */
async function session(key: string) {
  let id = "";
  const send = async (method: string, params: Record<string, unknown> = {}) => {
    const response = await fetch(`${gateway.url}${PATH}`, {
      method: "POST",
      headers: {
        ...MCP_HEADERS,
        authorization: `Bearer ${key}`,
        "mcp-protocol-version": "2025-11-25",
        ...(id ? { "mcp-session-id": id } : {}),
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 7, method, params }),
    });
    id ||= response.headers.get("mcp-session-id") ?? "";
    const text = await response.text();
    const line = text.split("\n").find((l) => l.includes('"id":7'));
    return JSON.parse((line ?? "{}").replace(/^data: /, "")) as {
      result?: Record<string, unknown>;
      error?: { message: string };
    };
  };
  await send("initialize", {
    protocolVersion: "2025-11-25",
    capabilities: {},
    clientInfo: { name: "tasks", version: "1" },
  });
  return send;
}

function taskIds(result: Record<string, unknown> | undefined): string[] {
  return ((result?.tasks ?? []) as { taskId: string }[]).map((task) => task.taskId);
}

describe("tasks on /mcp/{backend} belong to the caller that made them", () => {
  test("another key cannot list, get, read the result of, or cancel an admin's task", async () => {
    const admin = await session(ADMIN);
    const created = await admin("tools/call", {
      name: "simulate-research-query",
      arguments: { topic: "secret" },
      task: { ttl: 60000 },
    });
    const taskId = (created.result?.task as { taskId?: string } | undefined)?.taskId;
    expect(taskId).toBeString();

    const other = await session(OTHER);
    const listed = await other("tasks/list");
    expect(taskIds(listed.result)).not.toContain(taskId);
    for (const method of ["tasks/get", "tasks/result", "tasks/cancel"]) {
      const answer = await other(method, { taskId });
      expect(answer.result).toBeUndefined();
      expect(answer.error?.message).toContain("Unknown task");
    }

    // The admin's task is untouched, and still the admin's to see and cancel.
    const got = await admin("tasks/get", { taskId });
    expect(got.result?.status).not.toBe("cancelled");
    const mine = await admin("tasks/list");
    expect(taskIds(mine.result)).toContain(taskId!);
    const cancelled = await admin("tasks/cancel", { taskId });
    expect(cancelled.result?.status).toBe("cancelled");
  });
});
