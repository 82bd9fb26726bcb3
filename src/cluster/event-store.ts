import {
  type BudgetedStore,
  type EventBudget,
  replayAfter,
  streamOf,
} from "../gateway/event-store.ts";
import type { EventId, EventStore, JSONRPCMessage, StreamId } from "../mcp/sdk.ts";
import type { ClusterLink } from "./link.ts";

/**
 * A session's resumability buffer in Redis, so that a client whose instance died resumes its
 * stream with `Last-Event-ID` on another one. Each event is written before it is sent (the SDK
 * awaits `storeEvent`), so no event the client could have missed is lost with the instance.
 * Ids carry a random epoch per store (`<stream>:<epoch>.<n>`): a session adopted by another
 * instance keeps numbering without colliding with the ids the dead one gave. Bounded like the
 * local store: the last 1,000 events and 1 MiB (Redis keeps the list's byte count beside it).
 * While Redis is down, events are kept here (as bounded) and replay merges both.
 */
export class SharedEventStore implements EventStore, BudgetedStore {
  private readonly epoch = crypto.randomUUID().slice(0, 8);
  private counter = 0;
  private readonly local: string[] = [];
  private localBytes = 0;
  private closed = false;

  constructor(
    private readonly link: ClusterLink,
    private readonly key: () => string,
    private readonly ttlMs: number,
    private readonly limit = 1000,
    /** Bytes of one session's events in Redis (as the local store's 1 MiB a session). */
    private readonly limitBytes = 1024 * 1024,
    /**
     * What an outage keeps here counts in the instance's `server.event_buffer_bytes` with the
     * sessions' (the idlest lose their oldest first), or every session could hold 1 MiB.
     */
    private readonly shared?: { budget: EventBudget; lastActive: () => number },
  ) {}

  /** Bytes kept here (not in Redis) now. */
  get size(): number {
    return this.localBytes;
  }

  lastActive(): number {
    return this.shared?.lastActive() ?? 0;
  }

  dropOldest(): number {
    const entry = this.local.shift();
    if (entry === undefined) return 0;
    this.localBytes -= entry.length;
    this.shared?.budget.shrank(this, entry.length);
    return entry.length;
  }

  async storeEvent(stream: StreamId, message: JSONRPCMessage): Promise<EventId> {
    const id = `${stream}:${this.epoch}.${++this.counter}`;
    if (this.closed) return id;
    const entry = JSON.stringify([id, stream, message]);
    if (!(await this.link.append(this.key(), entry, this.limit, this.ttlMs, this.limitBytes))) {
      this.local.push(entry);
      this.localBytes += entry.length;
      while (
        this.local.length > 1 &&
        (this.local.length > this.limit || this.localBytes > this.limitBytes)
      ) {
        this.dropOldest();
      }
      this.shared?.budget.grew(this, entry.length);
    }
    return id;
  }

  async getStreamIdForEventId(id: EventId): Promise<StreamId | undefined> {
    return streamOf(id);
  }

  async replayEventsAfter(
    lastEventId: EventId,
    { send }: { send: (id: EventId, message: JSONRPCMessage) => Promise<void> },
  ): Promise<StreamId> {
    const seen = new Set<EventId>();
    const entries = [...((await this.link.list(this.key())) ?? []), ...this.local]
      .map((entry) => {
        const [id, stream, message] = JSON.parse(entry) as [EventId, StreamId, JSONRPCMessage];
        return { id, stream, message, order: this.orderOf(id) };
      })
      // A command that timed out may still have been applied: an event both here and in Redis.
      .filter((event) => !seen.has(event.id) && seen.add(event.id));
    // In the order they were sent: the events an outage kept here came before those stored in
    // Redis since it answered again. A previous owner's (another epoch) come first, as listed.
    entries.sort((a, b) => a.order - b.order);
    // An id no longer held: this store's later events came after it if it is this store's own,
    // and this store's own if an earlier owner gave it (where its other events fall is unknown).
    const lastOrder = this.orderOf(lastEventId);
    return replayAfter(
      entries,
      lastEventId,
      send,
      (event) => event.message,
      (id) => this.orderOf(id) > lastOrder,
    );
  }

  /** Where an event falls: its number for this store's own, -1 for an earlier owner's. */
  private orderOf(id: EventId): number {
    const own = `:${this.epoch}.`;
    const at = id.lastIndexOf(own);
    return at < 0 ? -1 : Number(id.slice(at + own.length));
  }

  /**
   * The session ended: its events go, here and in Redis (there, with `keepShared`, they stay:
   * another instance adopted the session and keeps storing them).
   */
  clear(options?: { keepShared?: boolean }): void {
    this.closed = true;
    while (this.local.length) this.dropOldest();
    if (!options?.keepShared) void this.link.del(this.key());
  }
}
