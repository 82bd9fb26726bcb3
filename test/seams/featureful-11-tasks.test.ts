/**
 * A task (2025-11-25) made on a stdio backend that then crashes lives in the dead process only:
 * the client polling it through the gateway is told it failed, and why, instead of "Unknown
 * task" (which reads as its own mistake), on /mcp and /mcp/{backend}.
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { z } from "zod";
import { BUN, cleanupsAfterAll, FIXTURES, firstText, startGateway, waitFor } from "../helpers.ts";

const SERVER = join(FIXTURES, "servers/featureful-11-server.ts");
const Any = z.looseObject({});
const cleanups = cleanupsAfterAll();

describe("a task whose backend crashed", () => {
  for (const path of ["/mcp", "/mcp/feat"]) {
    test(`is failed, saying why, on ${path}`, async () => {
      const gateway = await startGateway(
        `capabilities: { enabled: false }\nbackends:\n  feat:\n    command: ${JSON.stringify(BUN)}\n    args: [${JSON.stringify(SERVER)}]\n`,
      );
      cleanups.push(() => gateway.stop());
      const client = new Client({ name: "featureful", version: "1" }, { capabilities: {} });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${gateway.url}${path}`)));
      cleanups.push(() => client.close());
      const call = (tool: string, extra: Record<string, unknown> = {}) =>
        path === "/mcp"
          ? { name: "gateway_invoke", arguments: { server: "feat", tool, arguments: {} }, ...extra }
          : { name: tool, arguments: {}, ...extra };
      const made = await client.request(
        { method: "tools/call", params: call("job", { task: { ttl: 60_000 } }) },
        Any,
      );
      const taskId = (made.task as { taskId: string }).taskId;
      const get = () => client.request({ method: "tasks/get", params: { taskId } }, Any);
      expect((await get()).status).toBe("working");

      await client.callTool(call("crash")).catch(() => {});
      await waitFor(() => gateway.gateway.pool.status("feat")?.state !== "ready");
      const lost = await get();
      expect(lost).toMatchObject({ taskId, status: "failed" });
      expect(String(lost.statusMessage)).toContain("feat");
      expect(String(lost.statusMessage)).toContain("call the tool again");
      const result = await client.request({ method: "tasks/result", params: { taskId } }, Any);
      expect(result.isError).toBe(true);
      expect(firstText(result)).toContain("lost");
      // The backend is up again and answers for tasks it did make.
      const again = await client.request(
        { method: "tools/call", params: call("job", { task: { ttl: 60_000 } }) },
        Any,
      );
      const next = (again.task as { taskId: string }).taskId;
      const fresh = await client.request({ method: "tasks/get", params: { taskId: next } }, Any);
      expect(fresh.status).toBe("working");
    }, 60_000);
  }
});

describe("a task on a backend with idle_stop", () => {
  test("keeps the backend running until the task ends", async () => {
    const gateway = await startGateway(
      `capabilities: { enabled: false }\nbackends:\n  feat:\n    command: ${JSON.stringify(BUN)}\n    args: [${JSON.stringify(SERVER)}]\n    idle_stop: 200ms\n`,
    );
    cleanups.push(() => gateway.stop());
    const state = () => gateway.gateway.pool.status("feat")?.state;
    await waitFor(() => gateway.gateway.index.tools("feat").length > 0 && state() === "idle");
    const client = new Client({ name: "featureful", version: "1" }, { capabilities: {} });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp/feat`)));
    cleanups.push(() => client.close());
    const made = await client.request(
      { method: "tools/call", params: { name: "job", arguments: {}, task: { ttl: 60_000 } } },
      Any,
    );
    const taskId = (made.task as { taskId: string }).taskId;
    // Ten idle periods with the task working and no call in flight.
    await Bun.sleep(2000);
    expect(state()).toBe("ready");
    const working = await client.request({ method: "tasks/get", params: { taskId } }, Any);
    expect(working.status).toBe("working");
    const cancelled = await client.request({ method: "tasks/cancel", params: { taskId } }, Any);
    expect(cancelled.status).toBe("cancelled");
    await waitFor(() => state() === "idle", 10_000);
  }, 60_000);
});
