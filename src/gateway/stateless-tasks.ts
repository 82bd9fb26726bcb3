import { z } from "zod";
import type { CallerChannel, JsonObject } from "../backends/types.ts";
import { ProtocolError, ProtocolErrorCode, type Server, type ServerContext } from "../mcp/sdk.ts";
import type { Caller } from "./caller.ts";
import { identityOf } from "./channel.ts";
import type { Gateway, TaskOwner } from "./gateway.ts";
import { ownsTask, screenTaskResult } from "./task-result.ts";
import { backendTaskId, clientTask, listedTasks } from "./task-table.ts";

const byId = { params: z.looseObject({ taskId: z.string() }) };

/** Whether a 2026-07-28 request body is a task-augmented `tools/call` (the tasks extension). */
export function isTaskCall(body: unknown): boolean {
  const { method, params } = (body ?? {}) as { method?: unknown; params?: { task?: unknown } };
  return method === "tools/call" && !!params?.task && typeof params.task === "object";
}

/**
 * Serves `tasks/get` and `tasks/cancel` on a 2026-07-28 server: the tasks extension (SEP-2663)
 * re-defines them for that era, and the SDK dispatches them only when registered with a schema.
 * `route` answers them as the session path does.
 */
export function serveStatelessTasks(
  server: Server,
  route: (method: string, params: JsonObject, ctx: ServerContext) => Promise<JsonObject>,
): void {
  for (const method of ["tasks/get", "tasks/cancel"] as const) {
    server.setRequestHandler(method, byId, (params, ctx) =>
      route(method, params as JsonObject, ctx as ServerContext),
    );
  }
}

/** The task methods the gateway answers itself on a 2026-07-28 request (see below). */
const OWN_METHODS = new Set(["tasks/result", "tasks/list"]);

/**
 * `tasks/result` and `tasks/list` on a 2026-07-28 request. The SDK refuses both on that era
 * (they left the core protocol, and SEP-2663's tasks extension re-defines only `tasks/get`,
 * `tasks/update` and `tasks/cancel`), before any handler runs; a 2025-11-25 backend still
 * serves them, so the gateway answers them here, bound to the caller as on the session path:
 * only tasks `caller` made (through `backend` when given, else through any), anyone else's is
 * unknown. `undefined` for any other request.
 */
export async function answerStatelessTask(
  gateway: Gateway,
  body: unknown,
  caller: Caller,
  backend: string | undefined,
  signal: AbortSignal,
  /** `tasks/list`: this caller's tasks other instances of a cluster hold. */
  elsewhere: () => Promise<unknown[]> = async () => [],
): Promise<Response | undefined> {
  if (!body || typeof body !== "object" || Array.isArray(body)) return undefined;
  const { id, method, params } = body as { id?: unknown; method?: unknown; params?: JsonObject };
  if (typeof method !== "string" || !OWN_METHODS.has(method)) return undefined;
  const answer = (payload: JsonObject) =>
    Response.json({ jsonrpc: "2.0", id: id ?? null, ...payload });
  const mine = (owner: TaskOwner | undefined): owner is TaskOwner =>
    ownsTask(owner, caller) && (!backend || owner.server === backend);
  const channel = (session: string): CallerChannel => ({
    sessionId: session,
    identity: identityOf(caller),
    // A 2026-07-28 client cannot be asked anything outside a call (input_required is a call's).
    request: () => Promise.reject(new Error("no client to ask outside a call")),
    notify: async () => {},
  });
  try {
    if (method === "tasks/list") {
      const owned = [...gateway.tasks].filter(([, owner]) => mine(owner));
      const bySession = new Map(
        owned.map(([, owner]) => [`${owner.server}\n${owner.session}`, owner]),
      );
      const remote = elsewhere().catch(() => []);
      const lists = await Promise.all(
        [...bySession.values()].map((owner) =>
          gateway.pool
            .request(owner.server, "tasks/list", {}, { signal }, channel(owner.session))
            .then((result) => (result.tasks as { taskId: string }[] | undefined) ?? [])
            .then((tasks) => listedTasks(tasks, owner.server, owned))
            .catch(() => []),
        ),
      );
      const seen = new Set<string>();
      const tasks = lists.flat().filter((task) => {
        if (seen.has(task.taskId)) return false;
        seen.add(task.taskId);
        return true;
      });
      return answer({ result: { tasks: [...tasks, ...(await remote)] } });
    }
    const taskId = params?.taskId;
    const owner = typeof taskId === "string" ? gateway.tasks.get(taskId) : undefined;
    if (!mine(owner)) {
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown task ${String(taskId)}`);
    }
    const result = clientTask(
      await gateway.pool.request(
        owner.server,
        method,
        { taskId: backendTaskId(taskId as string, owner) },
        { signal },
        channel(owner.session),
      ),
      taskId as string,
      owner,
    );
    return answer({
      result: method === "tasks/result" ? screenTaskResult(gateway, owner, result) : result,
    });
  } catch (error) {
    const code =
      typeof (error as { code?: unknown }).code === "number"
        ? (error as { code: number }).code
        : -32603;
    const message = error instanceof Error ? error.message : String(error);
    return answer({ error: { code, message } });
  }
}
