import { GatewayError } from "../errors.ts";
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
  #added = 0;

  constructor(
    private readonly retainMs: () => number,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  override set(id: string, owner: TaskOwner): this {
    super.delete(id);
    super.set(id, owner);
    this.#touch(id, owner);
    if (++this.#added % PRUNE_EVERY === 0 || this.size > MAX_TASKS) this.prune();
    return this;
  }

  /**
   * Records `owner` for task `id` unless another caller's task holds that id now: a backend
   * answering with another caller's task id would otherwise take the task over (its owner
   * refused, its requests routed to that backend). False then, and nothing changes. The same
   * caller's task of another backend with the same id (two servers numbering tasks alike) is
   * replaced, as before: ids are the backends' own, and the gateway does not rename them.
   */
  claim(id: string, owner: TaskOwner): boolean {
    const held = this.get(id);
    if (held && held.caller !== owner.caller) return false;
    this.set(id, owner);
    return true;
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
    this.#expires.delete(id);
    return super.delete(id);
  }

  override clear(): void {
    this.#expires.clear();
    super.clear();
  }

  /** Drops expired entries, then the least recently used past `MAX_TASKS`. */
  prune(): void {
    const now = this.now();
    for (const [id, expires] of this.#expires) {
      if (expires <= now || this.size > MAX_TASKS) this.delete(id);
    }
  }

  #touch(id: string, owner: TaskOwner): void {
    const keep = Math.max(this.retainMs(), owner.ttl ?? 0);
    this.#expires.delete(id);
    this.#expires.set(id, this.now() + keep);
  }
}

/** The refusal of a task whose id another caller's task holds. */
export function heldTaskId(server: string, id: string): GatewayError {
  return new GatewayError(
    "BACKEND_ERROR",
    `[backend:${server}] answered with task id ${JSON.stringify(id.slice(0, 80))}, which another caller's task holds; refused (a backend must not reuse another task's id)`,
  );
}
