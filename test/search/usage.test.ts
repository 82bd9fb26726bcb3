import { describe, expect, test } from "bun:test";
import { UsageStats } from "../../src/observe/usage.ts";
import { ToolIndex } from "../../src/search/index.ts";
import { createMemoryUsage, recordUsage, usageFor } from "../../src/search/usage.ts";
import { openStateStore } from "../../src/state/store.ts";
import { tempDir } from "../helpers.ts";

const call = { server: "chat", tool: "send_message", caller: "alice", durationMs: 3 };
const row = (counts: { calls: number; errors: number }) => ({
  server: "chat",
  tool: "send_message",
  caller: "alice",
  totalMs: 3,
  lastAt: Date.now(),
  ...counts,
});

describe("usage stores", () => {
  test("memory: counts per caller and tool", () => {
    const store = createMemoryUsage();
    store.record("alice", "chat", "send_message");
    store.record("alice", "chat", "send_message");
    store.record("bob", "chat", "post_message");
    expect(store.count("alice", "chat", "send_message")).toBe(2);
    expect(store.count("alice", "chat", "post_message")).toBe(0);
    expect(usageFor(store, "bob")("chat", "post_message")).toBe(1);
  });

  test("the state database keeps successful calls across a restart (the observer's call stats)", async () => {
    const dir = tempDir();
    const first = new UsageStats(await openStateStore(dir), 60_000);
    first.record(row({ calls: 3, errors: 1 }));
    expect(first.successes("alice", "chat", "send_message")).toBe(2);
    first.flush();
    const second = new UsageStats(await openStateStore(dir), 60_000);
    expect(second.successes("alice", "chat", "send_message")).toBe(2);
    expect(second.successes("bob", "chat", "send_message")).toBe(0);
  });

  test("the tool:call:after hook records only successful calls", () => {
    const store = createMemoryUsage();
    const hook = recordUsage(store);
    hook({ ...call, result: { content: [] } });
    hook({ ...call, result: { content: [], isError: true } });
    hook({ ...call, error: new Error("timeout") });
    expect(store.count("alice", "chat", "send_message")).toBe(1);
  });

  test("a restart keeps the caller's ranking: used tools first among equals", async () => {
    const dir = tempDir();
    const index = new ToolIndex();
    const send = {
      description: "Send a message to a channel",
      inputSchema: { type: "object" as const },
    };
    index.upsert("chat", [
      { name: "post_message", ...send },
      { name: "send_message", ...send },
    ]);
    const before = new UsageStats(await openStateStore(dir), 60_000);
    before.record(row({ calls: 1, errors: 0 }));
    before.flush();
    const after = new UsageStats(await openStateStore(dir), 60_000);
    const usage = (caller: string) => (server: string, tool: string) =>
      after.successes(caller, server, tool);
    expect(index.search("message", { usage: usage("alice") })[0]!.tool.name).toBe("send_message");
    expect(index.search("message", { usage: usage("bob") })[0]!.tool.name).toBe("post_message");
  });
});
