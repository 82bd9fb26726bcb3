import { describe, expect, test } from "bun:test";
import { TaskTable } from "../../src/gateway/task-table.ts";

const owner = { server: "everything", caller: "alice", session: "s1" };

describe("the task table forgets tasks", () => {
  test("an entry expires after the session TTL unless it is asked for", () => {
    let now = 0;
    const tasks = new TaskTable(
      () => 1_000,
      () => now,
    );
    tasks.set("a", owner);
    tasks.set("b", owner);
    now = 900;
    expect(tasks.get("a")).toEqual(owner); // asked for: kept another 1,000 ms
    now = 1_500;
    expect(tasks.get("a")).toEqual(owner);
    expect(tasks.get("b")).toBeUndefined();
    expect(tasks.has("b")).toBe(false);
    now = 2_600;
    expect(tasks.get("a")).toBeUndefined();
  });

  test("a backend's longer ttl is kept", () => {
    let now = 0;
    const tasks = new TaskTable(
      () => 1_000,
      () => now,
    );
    tasks.set("long", { ...owner, ttl: 60_000 });
    now = 30_000;
    expect(tasks.get("long")?.server).toBe("everything");
  });

  test("entries nobody asks for again are pruned as new ones come", () => {
    let now = 0;
    const tasks = new TaskTable(
      () => 1_000,
      () => now,
    );
    for (let i = 0; i < 300; i++) tasks.set(`old${i}`, owner);
    now = 5_000;
    for (let i = 0; i < 256; i++) tasks.set(`new${i}`, owner);
    expect(tasks.size).toBeLessThanOrEqual(256);
    expect([...tasks.keys()].every((id) => id.startsWith("new"))).toBe(true);
  });
});

describe("a task id another task holds", () => {
  test("gives the newcomer a gateway id of its own; the holder keeps the backend's", () => {
    const tasks = new TaskTable(() => 60_000);
    expect(tasks.claim("task-1", owner)).toBe("task-1");
    // The same session's same backend may give an id again; another session's may not take it
    // (with `isolation: session`, each session's process numbers its tasks alike).
    expect(tasks.claim("task-1", owner)).toBe("task-1");
    const twin = tasks.claim("task-1", { ...owner, session: "s2" });
    expect(twin).toStartWith("task-1~");
    expect(tasks.get("task-1")?.session).toBe(owner.session);
    const other = { ...owner, server: "leaky" };
    const alias = tasks.claim("task-1", other);
    expect(alias).toStartWith("task-1~");
    expect(tasks.get(alias)).toEqual({ ...other, backendId: "task-1" });
    expect(tasks.get("task-1")?.server).toBe("everything");
    const bobs = tasks.claim("task-1", { ...owner, caller: "bob" });
    expect(bobs).not.toBe(alias);
    expect(tasks.get(bobs)?.caller).toBe("bob");
  });
});
