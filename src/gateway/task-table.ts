import { randomUUID } from "node:crypto";
import type { TaskOwner } from "./gateway.ts";

/** Past this many tasks the least recently used go first, whatever their age. */
const MAX_TASKS = 50_000;
/** Expired entries are looked for once every this many additions. */
const PRUNE_EVERY = 256;

/**
 * The tasks made through the gateway, by id, for routing `tasks/*` to the backend that owns
 * each. An entry lives `retainMs()` (the session TTL, as the cluster keeps them in Redis) after
 * it was made or last asked for, or the task's own `ttl` when the backend gave a longer one;
 * a long-running gateway would otherwise keep every task it ever saw.
 */
export class TaskTable extends Map<string, TaskOwner> {
  readonly #expires = new Map<string, number>();
  /** The gateway ids handed out in a clash, by backend, session and the backend's own id. */
  readonly #aliases = new Map<string, string>();
  /** Writes of entries elsewhere (the cluster's Redis) not yet landed, by task (`track`, `settled`). */
  readonly #writes = new Map<string, Set<Promise<unknown>>>();
  #added = 0;

  constructor(
    private readonly retainMs: () => number,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  override set(id: string, owner: TaskOwner): this {
    this.#unalias(id);
    super.delete(id);
    super.set(id, owner);
    if (owner.backendId !== undefined) this.#aliases.set(aliasKey(owner, owner.backendId), id);
    this.#touch(id, owner);
    if (++this.#added % PRUNE_EVERY === 0 || this.size > MAX_TASKS) this.prune();
    return this;
  }

  /**
   * Records `owner`'s new task, which its backend calls `id`, and returns the id its client is
   * to use: `id` itself, unless another caller's task or another backend's holds it now (two
   * servers numbering their tasks alike, or a backend answering with another's id on purpose).
   * Then the newcomer gets a gateway id of its own (`id~<random>`), and the task that held `id`
   * stays where it was: the newcomer can neither take it over (its tasks/get and tasks/result
   * answered by another backend, in its name) nor be refused for it. The same session's same
   * backend may give an id again; another session's may not take it over, even the same
   * caller's (with `isolation: session` each session's process numbers its tasks alike).
   */
  claim(id: string, owner: TaskOwner): string {
    const held = this.get(id);
    const same =
      held?.caller === owner.caller &&
      held.server === owner.server &&
      held.session === owner.session;
    if (!held || same) {
      this.set(id, owner);
      return id;
    }
    const alias = `${id.slice(0, 80)}~${randomUUID()}`;
    this.set(alias, { ...owner, backendId: id });
    return alias;
  }

  /**
   * The id session `session`'s client knows the task by that backend `server` calls `backendId`
   * (its notifications name that one): the gateway id it got in a clash, or `backendId` itself;
   * undefined when that session made no such task there.
   */
  clientId(server: string, session: string, backendId: string): string | undefined {
    const alias = this.#aliases.get(aliasKey({ server, session }, backendId));
    if (alias !== undefined && this.get(alias)) return alias;
    const owner = this.get(backendId);
    const same = owner?.server === server && owner.session === session && !owner.backendId;
    return same ? backendId : undefined;
  }

  /** Keeps a write of task `id`'s entry elsewhere (the cluster's Redis) until it lands or fails. */
  track(id: string, write: Promise<unknown>): void {
    const pending = this.#writes.get(id) ?? new Set();
    this.#writes.set(id, pending);
    const kept: Promise<unknown> = write
      .catch(() => {})
      .finally(() => {
        pending.delete(kept);
        if (!pending.size && this.#writes.get(id) === pending) this.#writes.delete(id);
      });
    pending.add(kept);
  }

  /**
   * Resolves once every write `track` was given for task `id` has landed or failed: its answer
   * waits for them, so a client polling the task through another instance right away finds it
   * there. Other tasks' writes (a slow Redis round trip of another session's) do not hold it.
   */
  async settled(id: string | undefined): Promise<void> {
    const pending = id === undefined ? undefined : this.#writes.get(id);
    if (pending?.size) await Promise.all(pending);
  }

  override get(id: string): TaskOwner | undefined {
    const owner = super.get(id);
    if (!owner) return undefined;
    if ((this.#expires.get(id) ?? 0) <= this.now()) {
      this.delete(id);
      return undefined;
    }
    // Asked for: kept as long again, and moved to the back of the eviction order.
    super.delete(id);
    super.set(id, owner);
    this.#touch(id, owner);
    return owner;
  }

  override delete(id: string): boolean {
    this.#unalias(id);
    this.#expires.delete(id);
    return super.delete(id);
  }

  override clear(): void {
    this.#expires.clear();
    this.#aliases.clear();
    super.clear();
  }

  /** Drops expired entries, then the least recently used past `MAX_TASKS`. */
  /** The owners of the tasks not yet expired (none is touched: their time is not extended). */
  *live(): Generator<TaskOwner> {
    const now = this.now();
    for (const [id, owner] of super.entries()) {
      if ((this.#expires.get(id) ?? 0) > now) yield owner;
    }
  }

  prune(): void {
    const now = this.now();
    for (const [id, expires] of this.#expires) {
      if (expires <= now || this.size > MAX_TASKS) this.delete(id);
    }
  }

  #unalias(id: string): void {
    const owner = super.get(id);
    if (owner?.backendId === undefined) return;
    const key = aliasKey(owner, owner.backendId);
    if (this.#aliases.get(key) === id) this.#aliases.delete(key);
  }

  #touch(id: string, owner: TaskOwner): void {
    const keep = Math.max(this.retainMs(), owner.ttl ?? 0);
    this.#expires.delete(id);
    this.#expires.set(id, this.now() + keep);
  }
}

function aliasKey(owner: { server: string; session: string }, backendId: string): string {
  return JSON.stringify([owner.server, owner.session, backendId]);
}

const RELATED_TASK = "io.modelcontextprotocol/related-task";

/**
 * Records the task a task-augmented call answered with (`result.task`) as `owner`'s, and
 * returns the result under the id its client is to use (see `TaskTable.claim`).
 */
export function recordTask<T extends object>(
  tasks: TaskTable,
  result: T,
  owner: Omit<TaskOwner, "ttl" | "backendId">,
): T {
  const made = (result as { task?: { taskId?: unknown; ttl?: unknown } }).task;
  if (typeof made?.taskId !== "string") return result;
  const full = { ...owner, ...(typeof made.ttl === "number" && { ttl: made.ttl }) };
  const id = tasks.claim(made.taskId, full);
  return id === made.taskId ? result : clientTask(result, id, { ...full, backendId: made.taskId });
}

/** The id the backend knows task `id` by (a gateway id stands for the backend's own). */
export function backendTaskId(id: string, owner: TaskOwner): string {
  return owner.backendId ?? id;
}

/**
 * `answer` (a task, a CreateTaskResult, a task's result) with the backend's id of the task
 * replaced by `id`, the one its client knows, where it names the task.
 */
export function clientTask<T extends object>(answer: T, id: string, owner: TaskOwner): T {
  const theirs = owner.backendId;
  if (theirs === undefined) return answer;
  const named = answer as {
    taskId?: unknown;
    task?: { taskId?: unknown };
    _meta?: Record<string, { taskId?: unknown } | undefined>;
  };
  const related = named._meta?.[RELATED_TASK];
  return {
    ...answer,
    ...(named.taskId === theirs && { taskId: id }),
    ...(named.task?.taskId === theirs && { task: { ...named.task, taskId: id } }),
    ...(related?.taskId === theirs && {
      _meta: { ...named._meta, [RELATED_TASK]: { ...related, taskId: id } },
    }),
  };
}

/**
 * The tasks a backend's `tasks/list` answered that are among `mine` (id and owner, of `server`),
 * each under the id its client knows.
 */
export function listedTasks(
  tasks: { taskId: string }[],
  server: string,
  mine: [string, TaskOwner][],
): { taskId: string }[] {
  const ids = new Map(
    mine
      .filter(([, owner]) => owner.server === server)
      .map(([id, owner]) => [backendTaskId(id, owner), [id, owner] as const]),
  );
  return tasks.flatMap((task) => {
    const known = ids.get(task.taskId);
    return known ? [clientTask(task, known[0], known[1])] : [];
  });
}

/**
 * A backend's `notifications/tasks/status` as session `session` is to get it: under the id its
 * client knows the task by (a gateway id after a clash), or undefined when it is not about a task
 * this session made on `server`. `from` names the connection it came on when that is one
 * session's or caller's own (`isolation: session`, `per_caller`): another's task of the same id
 * is not this one.
 */
export function taskStatusFor<T extends object>(
  tasks: TaskTable,
  server: string,
  session: string,
  params: T | undefined,
  from?: string,
): T | undefined {
  const backendId = (params as { taskId?: unknown } | undefined)?.taskId;
  if (!params || typeof backendId !== "string" || !session) return undefined;
  const id = tasks.clientId(server, session, backendId);
  const owner = id === undefined ? undefined : tasks.get(id);
  if (!owner || id === undefined) return undefined;
  if (from !== undefined && from !== owner.session && from !== `caller:${owner.caller}`) {
    return undefined;
  }
  return clientTask(params, id, owner);
}
