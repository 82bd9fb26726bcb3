import type { EventId, EventStore, JSONRPCMessage, StreamId } from "../mcp/sdk.ts";

/**
 * One session's SSE events, kept so a client that lost its stream can resume with
 * `Last-Event-ID` and get what it missed. Bounded by count and by bytes (a tool result can be
 * large): the oldest events go first. Events are kept serialized, so the budget is what they
 * really hold and no result object stays referenced. Event ids encode their stream
 * (`<stream>:<n>`), so a replay never mixes streams.
 */
export class SessionEventStore implements EventStore {
  private readonly events: { id: EventId; stream: StreamId; text: string }[] = [];
  private counter = 0;
  private bytes = 0;

  constructor(
    private readonly limit = 1000,
    private readonly budgetBytes = 1024 * 1024,
  ) {}

  async storeEvent(stream: StreamId, message: JSONRPCMessage): Promise<EventId> {
    const id = `${stream}:${++this.counter}`;
    const text = JSON.stringify(message);
    this.events.push({ id, stream, text });
    this.bytes += text.length;
    while (
      this.events.length > this.limit ||
      (this.bytes > this.budgetBytes && this.events.length > 1)
    ) {
      this.bytes -= this.events.shift()!.text.length;
    }
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
      if (event.stream === stream) await send(event.id, JSON.parse(event.text) as JSONRPCMessage);
    }
    return stream;
  }
}
