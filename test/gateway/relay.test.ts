import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { OrderedClient } from "../../src/mcp/sdk.ts";
import { BUN, FIXTURE_SERVER, firstText, startGateway, tempDir, waitFor } from "../helpers.ts";

const log = join(tempDir(), "fixture.log");
let gateway: Awaited<ReturnType<typeof startGateway>>;
let client: OrderedClient;

function invoke(tool: string, args: Record<string, unknown> = {}, options = {}) {
  return client.callTool(
    { name: "gateway_invoke", arguments: { server: "fixture", tool, arguments: args } },
    options,
  );
}

beforeAll(async () => {
  writeFileSync(log, "");
  gateway = await startGateway(
    `
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
    env: { FIXTURE_LOG: "${log}" }
`,
  );
  // The ordered client: the SDK's stock client can drop the last progress notification when it
  // arrives in the same read as the result; this test checks what the gateway sends.
  client = new OrderedClient({ name: "relay-test", version: "1" }, { capabilities: {} });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp`)));
  await waitFor(() => gateway.gateway.index.tools("fixture").length > 0);
});

afterAll(async () => {
  await client?.close();
  await gateway?.stop();
});

describe("relaying a backend through gateway_invoke", () => {
  test("drains every page of a backend's paginated tool list", () => {
    const names = gateway.gateway.index.tools("fixture").map((t) => t.name);
    expect(names).toEqual([
      "echo",
      "slow",
      "wait",
      "add_tool",
      "crash",
      "pid",
      "fail",
      "rich",
      "roots",
      "counter",
      "hang_once",
      "hang_write",
      "garbage",
      "freeze",
      "flood",
      "exit_mid_call",
    ]);
  });

  test("every progress notification reaches the client on its own token, before the result", async () => {
    for (let round = 0; round < 3; round++) {
      const seen: { progress: number; total?: number; message?: string }[] = [];
      const result = await invoke(
        "slow",
        { steps: 5, delayMs: 2 },
        {
          onprogress: (p: { progress: number; total?: number; message?: string }) => seen.push(p),
        },
      );
      expect(firstText(result)).toBe("done 5");
      expect(seen.map((p) => p.progress)).toEqual([1, 2, 3, 4, 5]);
      expect(seen[4]).toMatchObject({ total: 5, message: "step 5" });
    }
  });

  test("the backend's log messages during a call reach the calling client", async () => {
    const messages: unknown[] = [];
    client.setNotificationHandler("notifications/message", async (notification) => {
      messages.push(notification.params.data);
    });
    expect(firstText(await invoke("flood", { count: 5 }))).toBe("flooded 5");
    await waitFor(() => messages.length === 5);
    expect(messages).toEqual(["flood 0", "flood 1", "flood 2", "flood 3", "flood 4"]);
  });

  test("cancelling the call cancels it at the backend", async () => {
    const controller = new AbortController();
    const waits = () => readFileSync(log, "utf8").split("wait called").length;
    const before = waits();
    const call = invoke("wait", {}, { signal: controller.signal });
    // The call reached the backend (was: a fixed 200 ms, which a loaded machine can outlast).
    await waitFor(() => waits() > before);
    controller.abort("user changed their mind");
    await expect(call).rejects.toThrow();
    await waitFor(() => readFileSync(log, "utf8").includes("cancelled"));
  });

  test("every content type, structuredContent and isError pass through untouched", async () => {
    const rich = await invoke("rich");
    expect(rich.content).toEqual([
      { type: "text", text: "text" },
      { type: "image", data: "iVBORw0KGgo=", mimeType: "image/png" },
      { type: "audio", data: "UklGRg==", mimeType: "audio/wav" },
      { type: "resource", resource: { uri: "test://r", text: "embedded", mimeType: "text/plain" } },
      { type: "resource_link", uri: "test://link", name: "link" },
    ]);
    expect(rich.structuredContent).toEqual({ ok: true, n: 1 });
    const failed = await invoke("fail");
    expect(failed.isError).toBe(true);
    expect(firstText(failed)).toBe("it went wrong");
  });

  test("a backend's tools/list_changed refreshes the index", async () => {
    await invoke("add_tool", { name: "brand_new" });
    await waitFor(() => gateway.gateway.index.get("fixture", "brand_new"));
    const found = await client.callTool({
      name: "gateway_search_tools",
      arguments: { query: "brand new", server: "fixture" },
    });
    const matches = (found.structuredContent as { matches: { tool: string }[] }).matches;
    expect(matches[0]!.tool).toBe("brand_new");
  });

  test("a dead stdio process is restarted on next use", async () => {
    const before = firstText(await invoke("pid"));
    const crashed = await invoke("crash");
    expect(crashed.isError).toBe(true);
    await waitFor(() => gateway.gateway.pool.status("fixture")!.state === "idle");
    const after = firstText(await invoke("pid"));
    expect(after).not.toBe(before);
    expect(Number(after)).toBeGreaterThan(0);
  });
});

describe("telling clients what changed", () => {
  test("a backend's tool change reaches the client as tools/list_changed", async () => {
    let notified = 0;
    client.setNotificationHandler("notifications/tools/list_changed", async () => {
      notified++;
    });
    await invoke("add_tool", { name: "another_new_one" });
    await waitFor(() => notified > 0);
  });
});
