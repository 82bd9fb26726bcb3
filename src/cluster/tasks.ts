import type { TaskOwner } from "../gateway/gateway.ts";
import type { TaskTable } from "../gateway/task-table.ts";
import type { ClusterLink } from "./link.ts";
import { isRelayed, relayToOwner } from "./relay.ts";

/** What Redis holds for each task a backend made through this cluster. */
interface SharedTask {
  /** The URL of the instance whose backend runs it (`cluster.advertise_url`). */
  owner: string;
  caller: string;
}

export const taskKey = (id: string) => `task:${id}`;
/** The list of a caller's tasks across the cluster (`{id, owner}` each), for `tasks/list`. */
export const callerTasksKey = (caller: string) => `tasks-of:${caller}`;
/** How many of a caller's tasks Redis remembers for `tasks/list` (the oldest go first). */
const MAX_LISTED = 1000;

/**
 * Writes each task `tasks` learns (a task-augmented call answered with one) to Redis with its
 * instance, for `ttlMs`, so a 2026-07-28 `tasks/*` request that reaches another instance can be
 * relayed to it (`relayTask`). The table stays the one source the instance answers from.
 */
export function shareTasks(tasks: TaskTable, link: ClusterLink, ttlMs: number): void {
  const share = (id: string, owner: TaskOwner) => {
    const record: SharedTask = { owner: link.url, caller: owner.caller };
    // Tracked: the call's answer waits for them (`TaskTable.settled`), or a client polling the
    // task through another instance at once was told "Unknown task" (test/cluster/tls.test.ts).
    tasks.track(id, link.set(taskKey(id), JSON.stringify(record), ttlMs));
    tasks.track(
      id,
      link.append(
        callerTasksKey(owner.caller),
        JSON.stringify({ id, owner: link.url }),
        MAX_LISTED,
        ttlMs,
      ),
    );
  };
  const set = tasks.set.bind(tasks);
  tasks.set = (id, owner) => {
    share(id, owner);
    return set(id, owner);
  };
  // A Redis restarted empty has forgotten them: written again once it answers.
  link.onReconnect(() => {
    for (const [id, owner] of tasks) share(id, owner);
  });
}

/**
 * A stateless `tasks/get|result|cancel` for a task this instance does not hold: relayed to the
 * instance that made it, when Redis names one and the same caller made it. `undefined` to
 * answer here (a task of this instance, someone else's, unknown, or its owner unreachable).
 */
export async function relayTask(
  request: Request,
  body: unknown,
  callerId: string,
  tasks: Map<string, TaskOwner>,
  link: ClusterLink | undefined,
): Promise<Response | undefined> {
  if (!link || isRelayed(request, link) || !body || typeof body !== "object") return undefined;
  const { method, params } = body as { method?: unknown; params?: { taskId?: unknown } };
  if (typeof method !== "string" || !method.startsWith("tasks/") || method === "tasks/list") {
    return undefined;
  }
  const id = params?.taskId;
  if (typeof id !== "string" || tasks.has(id)) return undefined;
  const text = await link.get(taskKey(id));
  if (!text) return undefined;
  const record = JSON.parse(text) as SharedTask;
  if (record.caller !== callerId || record.owner === link.url) return undefined;
  return relayToOwner(record.owner, request, body, link);
}

/**
 * A stateless `tasks/list`'s share from the other instances: the same request relayed to each
 * instance Redis says holds one of this caller's tasks, their answers' tasks together. Empty
 * for a relayed request (the instance that relayed it asks the others), without a cluster, or
 * when Redis is down (each instance then lists its own).
 */
export async function otherInstancesTasks(
  request: Request,
  body: unknown,
  callerId: string,
  link: ClusterLink | undefined,
): Promise<unknown[]> {
  if (!link || isRelayed(request, link)) return [];
  const entries = (await link.list(callerTasksKey(callerId))) ?? [];
  const owners = new Set<string>();
  for (const entry of entries) {
    const { owner } = parseEntry(entry);
    if (typeof owner === "string" && owner !== link.url) owners.add(owner);
  }
  const lists = await Promise.all(
    [...owners].map(async (owner) => {
      const response = await relayToOwner(owner, request, body, link).catch(() => undefined);
      if (!response?.ok) return [];
      const answer = (await response.json().catch(() => undefined)) as
        | { result?: { tasks?: unknown[] } }
        | undefined;
      return answer?.result?.tasks ?? [];
    }),
  );
  return lists.flat();
}

function parseEntry(entry: string): { owner?: unknown } {
  try {
    return (JSON.parse(entry) as { owner?: unknown } | null) ?? {};
  } catch {
    return {};
  }
}
