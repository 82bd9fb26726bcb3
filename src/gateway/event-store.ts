import type { EventId, EventStore, JSONRPCMessage, StreamId } from "../mcp/sdk.ts";

/**
 * One session's SSE events, kept so a client that lost its stream can resume with
 * `Last-Event-ID` and get what it missed. Bounded: the oldest events go first. Event ids encode
 * their stream (`<stream>:<n>`), so a replay never mixes streams.
 */
export class SessionEventStore implements EventStore {
  private readonly events: { id: EventId; stream: StreamId; message: JSONRPCMessage }[] = [];
  private counter = 0;

  constructor(private readonly limit = 1000) {}

  async storeEvent(stream: StreamId, message: JSONRPCMessage): Promise<EventId> {
    const id = `${stream}:${++this.counter}`;
    this.events.push({ id, stream, message });
    if (this.events.length > this.limit) this.events.shift();
    return id;
  }

  async getStreamIdForEventId(id: EventId): Promise<StreamId | undefined> {
    const split = id.lastIndexOf(":");
    return split > 0 ? id.slice(0, split) : undefined;
  }

  async replayEventsAfter(
    lastEventId: EventId,
    { send }: { send: (id: EventId, message: JSONRPCMessage) => Promise<void> },
  ): Promise<StreamId> {
    const stream = (await this.getStreamIdForEventId(lastEventId)) ?? "";
    const start = this.events.findIndex((event) => event.id === lastEventId);
    if (start < 0) return stream;
    for (const event of this.events.slice(start + 1)) {
      if (event.stream === stream) await send(event.id, event.message);
    }
    return stream;
  }
}
