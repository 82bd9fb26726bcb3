import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { ToolIndex } from "../../src/search/index.ts";
import { createMemoryUsage, recordUsage, usageFor } from "../../src/search/usage.ts";
import { openSqliteUsage } from "../../src/search/usage-sqlite.ts";
import { tempDir } from "../helpers.ts";

const call = { server: "chat", tool: "send_message", caller: "alice", durationMs: 3 };

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

  test("sqlite: counts survive a restart", () => {
    const path = join(tempDir(), "state.db");
    const first = openSqliteUsage(path);
    first.record("alice", "chat", "send_message");
    first.record("alice", "chat", "send_message");
    expect(first.count("alice", "chat", "send_message")).toBe(2);
    first.close();
    const second = openSqliteUsage(path);
    expect(second.count("alice", "chat", "send_message")).toBe(2);
    second.record("alice", "chat", "send_message");
    expect(second.count("alice", "chat", "send_message")).toBe(3);
    expect(second.count("bob", "chat", "send_message")).toBe(0);
    second.close();
  });

  test("the tool:call:after hook records only successful calls", () => {
    const store = createMemoryUsage();
    const hook = recordUsage(store);
    hook({ ...call, result: { content: [] } });
    hook({ ...call, result: { content: [], isError: true } });
    hook({ ...call, error: new Error("timeout") });
    expect(store.count("alice", "chat", "send_message")).toBe(1);
  });

  test("a restart keeps the caller's ranking: used tools first among equals", () => {
    const path = join(tempDir(), "state.db");
    const index = new ToolIndex();
    const send = {
      description: "Send a message to a channel",
      inputSchema: { type: "object" as const },
    };
    index.upsert("chat", [
      { name: "post_message", ...send },
      { name: "send_message", ...send },
    ]);
    const before = openSqliteUsage(path);
    recordUsage(before)({ ...call, result: { content: [] } });
    before.close();
    const after = openSqliteUsage(path);
    expect(index.search("message", { usage: usageFor(after, "alice") })[0]!.tool.name).toBe(
      "send_message",
    );
    expect(index.search("message", { usage: usageFor(after, "bob") })[0]!.tool.name).toBe(
      "post_message",
    );
    after.close();
  });
});
