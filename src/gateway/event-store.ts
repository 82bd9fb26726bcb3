import type { EventId, EventStore, JSONRPCMessage, StreamId } from "../mcp/sdk.ts";

/**
 * One session's SSE events, kept so a client that lost its stream can resume with
 * `Last-Event-ID` and get what it missed. Bounded by count and by bytes (a tool result can be
 * large): the oldest events go first. Events are kept serialized, so the budget is what they
 * really hold and no result object stays referenced. Event ids encode their stream
 * (`<stream>:<n>`), so a replay never mixes streams.
 *
 * With a shared `EventBudget` the bytes of every session's store count against one total too
 * (`server.event_buffer_bytes`), so a thousand sessions cannot pin a gigabyte between them.
 */
export class SessionEventStore implements EventStore {
  private readonly events: { id: EventId; stream: StreamId; text: string }[] = [];
  private counter = 0;
  private bytes = 0;
  private closed = false;

  constructor(
    private readonly limit = 1000,
    private readonly budgetBytes = 1024 * 1024,
    private readonly shared?: { budget: EventBudget; lastActive: () => number },
  ) {}

  /** Bytes held now. */
  get size(): number {
    return this.bytes;
  }

  /** When the session last did anything (the shared budget trims the idlest first). */
  lastActive(): number {
    return this.shared?.lastActive() ?? 0;
  }

  async storeEvent(stream: StreamId, message: JSONRPCMessage): Promise<EventId> {
    const id = `${stream}:${++this.counter}`;
    // An event sent after the session ended has nobody to resume it.
    if (this.closed) return id;
    const text = JSON.stringify(message);
    this.events.push({ id, stream, text });
    this.bytes += text.length;
    this.shared?.budget.grew(this, text.length);
    while (
      this.events.length > this.limit ||
      (this.bytes > this.budgetBytes && this.events.length > 1)
    ) {
      this.dropOldest();
    }
    return id;
  }

  /** Drops the oldest event; returns the bytes freed (0 when empty). */
  dropOldest(): number {
    const event = this.events.shift();
    if (!event) return 0;
    this.bytes -= event.text.length;
    this.shared?.budget.shrank(this, event.text.length);
    return event.text.length;
  }

  /** The session ended: every event goes (its bytes leave the shared budget), none is kept after. */
  clear(): void {
    this.closed = true;
    while (this.events.length) this.dropOldest();
  }

  async getStreamIdForEventId(id: EventId): Promise<StreamId | undefined> {
    return streamOf(id);
  }

  async replayEventsAfter(
    lastEventId: EventId,
    { send }: { send: (id: EventId, message: JSONRPCMessage) => Promise<void> },
  ): Promise<StreamId> {
    const seen = sequenceOf(lastEventId);
    return replayAfter(
      this.events,
      lastEventId,
      send,
      (event) => JSON.parse(event.text) as JSONRPCMessage,
      (id) => sequenceOf(id) > seen,
    );
  }
}

/**
 * The bytes buffered by every session's event store, together (`server.event_buffer_bytes`).
 * Past the total, the oldest events of the idlest sessions go first: a session that is being
 * used keeps what it may still need to resume, one nobody has touched for a while loses its
 * backlog. Trimming goes down to 90% of the total, so it runs once per tenth of the budget
 * rather than on every event.
 */
/** A store whose bytes an `EventBudget` counts (and trims, oldest first). */
export interface BudgetedStore {
  readonly size: number;
  lastActive(): number;
  /** Drops the oldest event; the bytes freed (0 when empty). */
  dropOldest(): number;
}

export class EventBudget {
  private readonly stores = new Set<BudgetedStore>();
  private total = 0;

  constructor(readonly maxBytes: number) {}

  /** Bytes buffered across sessions now. */
  get bytes(): number {
    return this.total;
  }

  grew(store: BudgetedStore, bytes: number): void {
    this.stores.add(store);
    this.total += bytes;
    if (this.total > this.maxBytes) this.trim();
  }

  shrank(store: BudgetedStore, bytes: number): void {
    this.total -= bytes;
    if (store.size === 0) this.stores.delete(store);
  }

  private trim(): void {
    const target = Math.floor(this.maxBytes * 0.9);
    const idlestFirst = [...this.stores].sort((a, b) => a.lastActive() - b.lastActive());
    for (const store of idlestFirst) {
      while (this.total > target && store.dropOldest() > 0) {}
      if (this.total <= target) return;
    }
  }
}

/** The stream an event id (`<stream>:<n>`) belongs to. */
export function streamOf(id: EventId): StreamId | undefined {
  const split = id.lastIndexOf(":");
  return split > 0 ? id.slice(0, split) : undefined;
}

/** The number of a local store's event id (`<stream>:<n>`); NaN for another form. */
function sequenceOf(id: EventId): number {
  return Number(id.slice(id.lastIndexOf(":") + 1));
}

/**
 * Sends, in order, the events after `lastEventId` that belong to its stream (spec: Resumability
 * and Redelivery). Returns that stream. An id no longer held (a bigger event, or the shared
 * budget, pushed it out) is placed by `later`, which tells an event sent after it: those of its
 * stream still held are sent (a call's result that outgrew the buffer is the one event left of
 * it, and the client that resumes is waiting for exactly that).
 */
export async function replayAfter<Event extends { id: EventId; stream: StreamId }>(
  events: readonly Event[],
  lastEventId: EventId,
  send: (id: EventId, message: JSONRPCMessage) => Promise<void>,
  read: (event: Event) => JSONRPCMessage,
  later: (id: EventId) => boolean,
): Promise<StreamId> {
  const stream = streamOf(lastEventId) ?? "";
  const start = events.findIndex((event) => event.id === lastEventId);
  const after = start < 0 ? events.filter((event) => later(event.id)) : events.slice(start + 1);
  for (const event of after) {
    if (event.stream === stream) await send(event.id, read(event));
  }
  return stream;
}
