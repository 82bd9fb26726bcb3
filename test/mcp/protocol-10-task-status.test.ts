/**
 * Two backends that number their tasks alike: the second one's task reaches the client under a
 * gateway id (`task-1~<random>`, see TaskTable.claim), and its `notifications/tasks/status`,
 * which names the backend's own id, was dropped (the gateway looked the backend's id up as if
 * the client knew it by that, and found the first backend's task). The status now reaches the
 * session that made the task, under the id that session knows, on `/mcp` and `/mcp/{backend}`
 * alike, and no other session.
 */
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { hashKey } from "../../src/security/keys.ts";
import { BUN, cleanupsAfterAll, FIXTURES, startGateway, waitFor } from "../helpers.ts";
import { listen, type Message, openSession, request } from "./_protocol-10.ts";

setDefaultTimeout(40_000);
const cleanups = cleanupsAfterAll();

const VERSION = "2025-11-25";
const TASKS = join(FIXTURES, "servers/task-status.ts");
let gateway: Awaited<ReturnType<typeof startGateway>>;

beforeAll(async () => {
  gateway = await startGateway(`
capabilities: { enabled: false }
backends:
  first:
    command: ${BUN}
    args: ["${TASKS}"]
  second:
    command: ${BUN}
    args: ["${TASKS}"]
`);
  cleanups.push(() => gateway.stop());
  await waitFor(
    () =>
      gateway.gateway.index.tools("first").length && gateway.gateway.index.tools("second").length,
  );
});

/** A session on `path` with its GET stream open. */
async function sessionWithStream(path: string, key?: string, on = gateway) {
  const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
  const session = await openSession(on.url, VERSION, path, headers);
  const stream = await listen(on.url, path, session.id(), VERSION, headers);
  cleanups.push(stream.close);
  return { ...session, stream };
}

/** The task id a task-augmented call's answer names. */
function taskIdOf(messages: Message[], id: number): string {
  const task = (messages.find((m) => m.id === id)?.result as { task?: { taskId?: string } })?.task;
  if (!task?.taskId) throw new Error(`no task in ${JSON.stringify(messages)}`);
  return task.taskId;
}

const statuses = (messages: Message[]) =>
  messages.filter((m) => m.method === "notifications/tasks/status").map((m) => m.params);

describe("notifications/tasks/status of a task known by a gateway id", () => {
  test("/mcp: each backend's status reaches the session under the id it knows", async () => {
    const { post, stream } = await sessionWithStream("/mcp");
    const invoke = (id: number, server: string) =>
      post(
        request(id, "tools/call", {
          name: "gateway_invoke",
          arguments: { server, tool: "job" },
          task: { ttl: 60_000 },
        }),
      );
    const first = taskIdOf((await invoke(1, "first")).messages, 1);
    const second = taskIdOf((await invoke(2, "second")).messages, 2);
    expect(first).toBe("task-1");
    expect(second).toStartWith("task-1~");
    await waitFor(() => statuses(stream.messages).some((s) => s?.taskId === second), 15_000);
    await waitFor(() => statuses(stream.messages).some((s) => s?.taskId === first), 15_000);
    const renamed = statuses(stream.messages).filter((s) => s?.taskId === second);
    expect(renamed).toHaveLength(1);
    expect(renamed[0]?.status).toBe("completed");
    // Each status once, under one id: the backend's own id went to the first task alone.
    expect(statuses(stream.messages)).toHaveLength(2);
  });

  test("/mcp/{backend}: the status reaches the session that made the task, and no other", async () => {
    const meta = await sessionWithStream("/mcp");
    const made = await meta.post(
      request(1, "tools/call", {
        name: "gateway_invoke",
        arguments: { server: "first", tool: "job" },
        task: { ttl: 60_000 },
      }),
    );
    // task-1 on `first` is the previous test's session's: this one's is renamed too.
    expect(taskIdOf(made.messages, 1)).toStartWith("task-1");
    const own = await sessionWithStream("/mcp/second");
    const bystander = await sessionWithStream("/mcp/second");
    const renamed = taskIdOf(
      (await own.post(request(1, "tools/call", { name: "job", task: { ttl: 60_000 } }))).messages,
      1,
    );
    expect(renamed).toStartWith("task-1~");
    await waitFor(() => statuses(own.stream.messages).some((s) => s?.taskId === renamed), 15_000);
    expect(statuses(own.stream.messages)[0]?.status).toBe("completed");
    await Bun.sleep(300);
    expect(statuses(bystander.stream.messages)).toEqual([]);
  });
});

describe("isolation: session, two keys, one task id", () => {
  test("each session gets its own process's status, never the other's", async () => {
    const [A, B] = ["key-a-0123456789abcdef", "key-b-0123456789abcdef"];
    const isolated = await startGateway(`
capabilities: { enabled: false }
auth:
  enabled: true
  api_keys:
    - { name: a, key: "${hashKey(A)}" }
    - { name: b, key: "${hashKey(B)}" }
backends:
  iso:
    command: ${BUN}
    args: ["${TASKS}"]
    isolation: session
`);
    cleanups.push(() => isolated.stop());
    await waitFor(() => isolated.gateway.index.tools("iso").length);
    const a = await sessionWithStream("/mcp/iso", A, isolated);
    const b = await sessionWithStream("/mcp/iso", B, isolated);
    const call = request(1, "tools/call", { name: "job", task: { ttl: 60_000 } });
    const ofA = taskIdOf((await a.post(call)).messages, 1);
    const ofB = taskIdOf((await b.post(call)).messages, 1);
    expect(ofA).toBe("task-1");
    expect(ofB).toStartWith("task-1~");
    await waitFor(() => statuses(a.stream.messages).length && statuses(b.stream.messages).length);
    await Bun.sleep(300);
    expect(statuses(a.stream.messages).map((s) => s?.taskId)).toEqual([ofA]);
    expect(statuses(b.stream.messages).map((s) => s?.taskId)).toEqual([ofB]);
  });
});
