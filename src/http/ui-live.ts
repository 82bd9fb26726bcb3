import type { Caller } from "../gateway/caller.ts";
import type { GatewayHookable, GatewayHooks } from "../hooks.ts";
import { outcomeOf, type RecentCall } from "../observe/observer.ts";
import { LOGIN_COOKIE } from "../security/auth.ts";
import { redactText } from "../security/redact.ts";

type CallAfter = Parameters<GatewayHooks["tool:call:after"]>[0];

/** One event of `/ui/api/live`: its SSE `event:` name and its JSON. */
export type LiveEvent =
  | { type: "call"; data: LiveCall }
  | { type: "backend"; data: { name: string; state: string; error?: string; at: number } }
  | { type: "tools"; data: { server: string; tools: number; at: number } }
  /** A tool of `server` was quarantined or released (lock re-read, trusted_tools, a scan). */
  | { type: "quarantine"; data: { server: string; at: number } }
  /** The config was reloaded: scopes, tools and the config shown may all have changed. */
  | { type: "reload"; data: { at: number } };

/** A finished call as the dashboard's activity view shows it (the shape of `/api/calls`). */
export type LiveCall = RecentCall;

export interface LiveFeedOptions {
  hooks: GatewayHookable;
  /**
   * Asks again who the subscriber is (each keep-alive): a Response (logged out, key revoked)
   * ends its stream.
   */
  reauthenticate: (request: Request) => Promise<Caller | Response>;
  /** Between keep-alive comments (default 15 s: under any `server.read_timeout`). */
  keepAliveMs?: number;
  /** Events one subscriber may have waiting (default 256); past it events are dropped. */
  buffer?: number;
}

/**
 * Server-sent events for the dashboard: calls, backend states, tool counts and quarantines as
 * they happen.
 */
export interface LiveFeed {
  /** The `text/event-stream` response for one authenticated subscriber. */
  subscribe(request: Request, caller: Caller): Response;
  /** Ends the streams of the login this logout request carries. */
  logout(request: Request): void;
  /** Subscribers now (tests, metrics). */
  size(): number;
  /** Ends every stream and unhooks (shutdown). */
  close(): void;
}

interface Subscriber {
  caller: Caller;
  login?: string;
  controller: ReadableStreamDefaultController<Uint8Array>;
  dropped: number;
  close(): void;
}

/** Events waiting to be fanned out, at most; past it the oldest wait is cut short. */
const MAX_PENDING = 5000;

/**
 * Hooks only queue events; a timer task fans them out, so a call never waits on a subscriber.
 * Each subscriber's queue is bounded: a reader that falls behind misses events and is told how
 * many (`event: dropped`), and its memory stays the same.
 */
export function createLiveFeed(options: LiveFeedOptions): LiveFeed {
  const keepAliveMs = options.keepAliveMs ?? 15_000;
  const buffer = options.buffer ?? 256;
  const subscribers = new Set<Subscriber>();
  const encoder = new TextEncoder();
  /** A call is kept as the hook gave it: its outcome is worked out at fan-out. */
  let pending: (LiveEvent | { type: "finished"; at: number; call: CallAfter })[] = [];
  let scheduled: ReturnType<typeof setTimeout> | undefined;
  let lost = 0;

  const queue = (event: (typeof pending)[number]) => {
    if (!subscribers.size) return;
    if (pending.length >= MAX_PENDING) {
      lost++;
      return;
    }
    pending.push(event);
    scheduled ??= setTimeout(fanOut, 0);
  };

  function fanOut(): void {
    scheduled = undefined;
    const events = pending.map(toEvent);
    pending = [];
    const missed = lost;
    lost = 0;
    for (const subscriber of subscribers) {
      subscriber.dropped += missed;
      try {
        for (const event of events) {
          if (sees(subscriber.caller, event)) send(subscriber, event.type, event.data);
        }
      } catch {
        // Its stream closed under it (the browser went away): the others still get theirs.
        subscriber.close();
      }
    }
  }

  function send(subscriber: Subscriber, type: string, data: unknown): void {
    const { controller } = subscriber;
    // Room for this event and, when some were dropped, the line that says how many.
    if ((controller.desiredSize ?? 0) < (subscriber.dropped ? 2 : 1)) {
      subscriber.dropped++;
      return;
    }
    if (subscriber.dropped) {
      const text = `event: dropped\ndata: ${JSON.stringify({ count: subscriber.dropped })}\n\n`;
      controller.enqueue(encoder.encode(text));
      subscriber.dropped = 0;
    }
    controller.enqueue(encoder.encode(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`));
  }

  const unhooks = [
    options.hooks.hook("tool:call:after", (call) => {
      if (subscribers.size) queue({ type: "finished", at: Date.now(), call });
    }),
    options.hooks.hook("backend:state", (name, state, error) =>
      queue({
        type: "backend",
        data: { name, state, ...(error ? { error: redactText(error) } : {}), at: Date.now() },
      }),
    ),
    options.hooks.hook("tools:changed", (server, tools) =>
      queue({ type: "tools", data: { server, tools: tools.length, at: Date.now() } }),
    ),
    // Another operator's approve or release changes no tool list, but every open Tools tab.
    options.hooks.hook("tools:quarantine", (servers) => {
      for (const server of servers) queue({ type: "quarantine", data: { server, at: Date.now() } });
    }),
    // A key's grant may have moved to another backend with as many tools: no count changes.
    options.hooks.hook("config:reload", () => queue({ type: "reload", data: { at: Date.now() } })),
  ];

  return {
    subscribe(request, caller) {
      let subscriber: Subscriber | undefined;
      let timer: ReturnType<typeof setInterval> | undefined;
      const end = () => {
        clearInterval(timer);
        if (subscriber) subscribers.delete(subscriber);
      };
      const body = new ReadableStream<Uint8Array>(
        {
          start(controller) {
            const current: Subscriber = {
              caller,
              login: loginOf(request),
              controller,
              dropped: 0,
              close() {
                end();
                try {
                  controller.close();
                } catch {
                  // Already closed or cancelled.
                }
              },
            };
            subscriber = current;
            subscribers.add(current);
            // `retry`: how long the browser waits before it reconnects.
            const hello = { caller: caller.id, admin: caller.admin, keepAliveMs, buffer };
            controller.enqueue(
              encoder.encode(`retry: 3000\nevent: hello\ndata: ${JSON.stringify(hello)}\n\n`),
            );
            timer = setInterval(async () => {
              const again = await options.reauthenticate(request).catch(() => undefined);
              if (!again || again instanceof Response || again.id !== caller.id) {
                current.close();
                return;
              }
              try {
                controller.enqueue(encoder.encode(": keep-alive\n\n"));
              } catch {
                end();
              }
            }, keepAliveMs);
            timer.unref?.();
          },
          cancel: end,
        },
        new CountQueuingStrategy({ highWaterMark: buffer }),
      );
      return new Response(body, {
        headers: {
          "Content-Type": "text/event-stream; charset=utf-8",
          "Cache-Control": "no-store",
          "X-Content-Type-Options": "nosniff",
          // Proxies such as nginx would otherwise hold events back.
          "X-Accel-Buffering": "no",
        },
      });
    },
    logout(request) {
      const login = loginOf(request);
      if (!login) return;
      for (const subscriber of subscribers) if (subscriber.login === login) subscriber.close();
    },
    size: () => subscribers.size,
    close() {
      for (const unhook of unhooks) unhook();
      clearTimeout(scheduled);
      for (const subscriber of subscribers) subscriber.close();
    },
  };
}

/** Who may see an event: a backend's news with its grant, a call of one's own (admins: all). */
function sees(caller: Caller, event: LiveEvent): boolean {
  if (event.type === "call") {
    const { server, tool } = event.data;
    if (!caller.allows(server, tool)) return false;
    return caller.admin || event.data.caller === caller.id;
  }
  if (event.type === "reload") return true;
  const server = event.type === "backend" ? event.data.name : event.data.server;
  return caller.allows(server, "*");
}

function toEvent(entry: LiveEvent | { type: "finished"; at: number; call: CallAfter }): LiveEvent {
  if (entry.type !== "finished") return entry;
  const { at, call } = entry;
  const durationMs = Math.round(call.durationMs * 10) / 10;
  const data = { at, server: call.server, tool: call.tool, caller: call.caller, durationMs };
  return { type: "call", data: { ...data, ...outcomeOf(call) } };
}

function loginOf(request: Request): string | undefined {
  const cookies = request.headers.get("cookie") ?? "";
  for (const part of cookies.split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === LOGIN_COOKIE) return value.join("=");
  }
  return undefined;
}
