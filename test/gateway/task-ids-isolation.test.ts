/**
 * Tasks × `isolation: session`: each session's backend process numbers its tasks alike
 * (`task-1`). The same caller's second session used to take the first one's entry over in the
 * task table (same caller, same server: "the same backend giving an id again"), so the first
 * session's tasks/result reached the second session's process and read its result. A clash
 * across sessions now gets a gateway id of its own, as one across callers does.
 */
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { BUN, cleanupsAfterAll, FIXTURES, startGateway, waitFor } from "../helpers.ts";
import { type Message, openSession, request } from "../mcp/_protocol-10.ts";

setDefaultTimeout(40_000);
const cleanups = cleanupsAfterAll();
const VERSION = "2025-11-25";
let gateway: Awaited<ReturnType<typeof startGateway>>;

beforeAll(async () => {
  gateway = await startGateway(`
capabilities: { enabled: false }
backends:
  jobs:
    command: ${BUN}
    args: ["${join(FIXTURES, "servers/task-status.ts")}"]
    isolation: session
`);
  cleanups.push(() => gateway.stop());
  await waitFor(() => gateway.gateway.index.tools("jobs").length > 0);
});

const textOf = (messages: Message[], id: string) =>
  JSON.stringify(messages.find((m) => m.id === id)?.result?.content ?? messages);

describe("two sessions of one caller whose backend processes number tasks alike", () => {
  test.each(["/mcp", "/mcp/jobs"])(
    "%s: each session's task answers from its own process",
    async (path) => {
      const call = (label: string) =>
        path === "/mcp"
          ? request("job", "tools/call", {
              name: "gateway_invoke",
              arguments: { server: "jobs", tool: "job", arguments: { label } },
              task: { ttl: 60_000 },
            })
          : request("job", "tools/call", {
              name: "job",
              arguments: { label },
              task: { ttl: 60_000 },
            });
      const sessions = [
        await openSession(gateway.url, VERSION, path),
        await openSession(gateway.url, VERSION, path),
      ];
      const ids: string[] = [];
      for (const [index, session] of sessions.entries()) {
        const made = await session.post(call(`session ${index}`));
        const task = made.messages.find((m) => m.id === "job")?.result?.task as { taskId?: string };
        expect(task?.taskId).toBeString();
        ids.push(task.taskId as string);
      }
      expect(ids[1]).not.toBe(ids[0]);
      for (const [index, session] of sessions.entries()) {
        const read = await session.post(request("r", "tasks/result", { taskId: ids[index] }));
        expect(textOf(read.messages, "r")).toContain(`job done: session ${index}`);
      }
    },
  );
});
