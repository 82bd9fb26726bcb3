import {
  type BudgetedStore,
  type EventBudget,
  replayAfter,
  streamOf,
} from "../gateway/event-store.ts";
import type { EventId, EventStore, JSONRPCMessage, StreamId } from "../mcp/sdk.ts";
import type { ClusterLink } from "./link.ts";

/** The stream (no client's) under which requests taken in are noted, and the marker's key. */
const STARTED = "mcp-gateway.started";

interface StartedMarker {
  [STARTED]: string | number;
  /** The instance that took the request in. */
  owner: string;
}

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
    if (!this.closed) await this.keep(JSON.stringify([id, stream, message]));
    return id;
  }

  /**
   * Notes that the client's request `id` was taken in by this instance (`owner`), in the same
   * list, under a stream no client has: an instance that adopts the session after this one died
   * answers it with an error if no answer to it was stored (see `replayEventsAfter`).
   */
  noteRequest(id: string | number, owner: string): void {
    if (this.closed) return;
    const marker: StartedMarker = { [STARTED]: id, owner };
    const entry = JSON.stringify([`${STARTED}:${this.epoch}.${++this.counter}`, STARTED, marker]);
    void this.keep(entry);
  }

  /** Appends `entry` in Redis, else here (bounded, and counted in the instance's budget). */
  private async keep(entry: string): Promise<void> {
    if (await this.link.append(this.key(), entry, this.limit, this.ttlMs, this.limitBytes)) return;
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
    const stream = await replayAfter(
      entries,
      lastEventId,
      send,
      (event) => event.message,
      (id) => this.orderOf(id) > lastOrder,
    );
    // The requests an earlier owner took in and never answered died with it (or it was cut off
    // and this instance adopted the session): their client would wait for good. Each gets an
    // error answer, stored too, so the next replay does not answer it again.
    const answered = new Set<string>();
    for (const { message } of entries) {
      const { id, method } = message as { id?: unknown; method?: unknown };
      if (id !== undefined && method === undefined) answered.add(JSON.stringify(id));
    }
    for (const { stream: of, message, order } of entries) {
      if (of !== STARTED || order >= 0) continue;
      const marker = message as unknown as StartedMarker;
      const id = marker[STARTED];
      if (answered.has(JSON.stringify(id))) continue;
      answered.add(JSON.stringify(id));
      const answer = {
        jsonrpc: "2.0" as const,
        id,
        error: {
          code: -32603,
          message: `the gateway instance that held this session (${marker.owner}) went away before it answered this request; it may or may not have run: retry only if that is safe (the session goes on, on ${this.link.url})`,
        },
      };
      await send(await this.storeEvent(stream, answer), answer);
    }
    return stream;
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
