/**
 * A sandbox worker: runs one script at a time, asking the gateway (its parent) for every tool
 * call. Off the gateway's thread so that a script stuck in a native QuickJS builtin (which the
 * interrupt handler cannot stop) stalls only this worker, which the gateway then terminates.
 */
import { runScript } from "./sandbox.ts";
import { stripTypes } from "./strip-types.ts";
import { type FromWorker, fromWire, type ToWorker, toWire } from "./wire.ts";

const port = globalThis as unknown as {
  postMessage(message: FromWorker): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
};
const waiting = new Map<number, { resolve(text: string): void; reject(error: Error): void }>();
let nextId = 0;
let cancel: AbortController | undefined;

/** Asks the gateway; the answer comes back as a `reply` with the same id. */
function ask(message: FromWorker & { id: number }): Promise<string> {
  return new Promise((resolve, reject) => {
    waiting.set(message.id, { resolve, reject });
    port.postMessage(message);
    idleSoon();
  });
}

/**
 * Tells the gateway, once the script's synchronous part is over (a task runs only then), that it
 * still waits on replies: it computes nothing until one comes, and its turn may go to another.
 * Asked after each call and each reply (a reply that crossed an `idle` makes that one stale).
 */
function idleSoon(): void {
  if (idleScheduled) return;
  idleScheduled = true;
  setTimeout(() => {
    idleScheduled = false;
    if (waiting.size) port.postMessage({ type: "idle", replies });
  }, 0);
}
let idleScheduled = false;
/** Replies received since the worker started: the gateway tells a stale `idle` by it. */
let replies = 0;

port.onmessage = (event) => {
  const message = event.data;
  if (message.type === "reply") {
    replies++;
    const entry = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.error) entry?.reject(fromWire(message.error));
    else entry?.resolve(message.text ?? "null");
    idleSoon();
  } else if (message.type === "cancel") {
    cancel?.abort();
  } else if (message.type === "run") {
    waiting.clear(); // answers the last script never got, after it ended
    cancel = new AbortController();
    runScript(
      message.code,
      message.limits,
      {
        call: async (server, tool, args) =>
          JSON.parse(await ask({ type: "call", id: nextId++, server, tool, args })),
        readResult: (uri) => ask({ type: "read", id: nextId++, uri }),
        stripTypes,
      },
      cancel.signal,
    ).then(
      (outcome) => port.postMessage({ type: "done", outcome }),
      (error: unknown) => port.postMessage({ type: "failed", error: toWire(error) }),
    );
  }
};
