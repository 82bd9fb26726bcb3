import type { BackendPool } from "../backends/pool.ts";
import type { JsonObject } from "../backends/types.ts";
import { ProtocolError, ProtocolErrorCode } from "../mcp/sdk.ts";
import type { Gateway, TaskOwner } from "./gateway.ts";
import type { TaskTable } from "./task-table.ts";

const RELATED_TASK = "io.modelcontextprotocol/related-task";

/**
 * Sends `tasks/get|result|cancel` for task `id` on with `forward`, unless the task was lost: made
 * on a connection of its backend that has since ended (a crash, a hang, an idle stop, a reload).
 * A stdio process's tasks end with it, so its successor is not asked (it could hold another task
 * of the same id); an HTTP server may keep tasks across sessions, so it is asked, and its error
 * is read as the loss. A lost task is `failed`, saying so: the client hears why, not "Unknown
 * task", which reads as its own mistake.
 */
export async function forwardTask(
  gateway: Gateway,
  owner: TaskOwner,
  id: string,
  method: string,
  forward: () => Promise<JsonObject>,
): Promise<JsonObject> {
  const now = gateway.pool.generation(owner.server, owner.session);
  const moved = owner.generation !== undefined && now !== owner.generation;
  if (moved && gateway.pool.status(owner.server)?.transport === "stdio") {
    return lost(owner, id, method);
  }
  try {
    const answer = await forward();
    const status = (answer as { status?: unknown }).status;
    if (method === "tasks/result" || TERMINAL.has(String(status))) owner.ended = true;
    return answer;
  } catch (error) {
    const fromBackend = typeof (error as { code?: unknown }).code === "number";
    if (moved && fromBackend) return lost(owner, id, method);
    throw error;
  }
}

const TERMINAL = new Set(["completed", "failed", "cancelled"]);

/**
 * Whether a task made through the gateway may still run on backend `server` (on session
 * `session`'s own connection, when given): made on the connection open now, and no answer has
 * shown it ended. Tasks expire with the task table's entries.
 */
export function tasksRunning(
  tasks: TaskTable,
  pool: BackendPool,
  server: string,
  session?: string,
): boolean {
  for (const owner of tasks.live()) {
    if (owner.server !== server || owner.ended || owner.generation === undefined) continue;
    if (session !== undefined && owner.session !== session) continue;
    if (owner.generation === pool.generation(server, owner.session)) return true;
  }
  return false;
}

function lost(owner: TaskOwner, id: string, method: string): JsonObject {
  const why = `[backend:${owner.server}] task ${id} was lost: the backend's connection ended after the task was made (it restarted or stopped), and the task with it; call the tool again`;
  if (method === "tasks/cancel") {
    throw new ProtocolError(ProtocolErrorCode.InvalidParams, `${why} (it has ended already)`);
  }
  if (method === "tasks/result") {
    return {
      content: [{ type: "text", text: why }],
      isError: true,
      _meta: { [RELATED_TASK]: { taskId: id } },
    };
  }
  const at = new Date().toISOString();
  return {
    taskId: id,
    status: "failed",
    statusMessage: why,
    createdAt: at,
    lastUpdatedAt: at,
    ttl: owner.ttl ?? null,
  };
}
