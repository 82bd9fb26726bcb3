import type { Gateway } from "./gateway.ts";

/**
 * Which client sessions subscribe to each backend resource, across `/mcp` and `/mcp/{backend}`.
 * A backend shared by several sessions holds one subscription per URI for all of them: one
 * session's `resources/unsubscribe` must not end another's (another key's updates would stop),
 * so the backend is told to unsubscribe only when the last session that subscribed lets go, or
 * ends. A backend with `isolation: session` serves each session on its own connection, and hears
 * each session's requests as they are.
 */
interface Subscribers {
  /** `backend\nuri` -> the sessions subscribed to it. */
  readonly sessions: Map<string, Set<string>>;
}

const registries = new WeakMap<Gateway, Subscribers>();

function subscribersOf(gateway: Gateway): Subscribers {
  let registry = registries.get(gateway);
  if (registry) return registry;
  registry = { sessions: new Map() };
  const held = registry;
  registries.set(gateway, held);
  // A session that ends lets go of what it subscribed to.
  gateway.hooks.hook("session:close", async (sessionId) => {
    for (const [key, sessions] of held.sessions) {
      if (!sessions.delete(sessionId) || sessions.size) continue;
      held.sessions.delete(key);
      const [backend, uri] = splitKey(key);
      if (!gateway.pool.has(backend) || ownConnection(gateway, backend)) continue;
      await gateway.pool.request(backend, "resources/unsubscribe", { uri }, {}).catch(() => {});
    }
  });
  // Stopped idle, a backend would hear of no change to tell its subscribers. (Subscriptions on
  // a session's own connection are not counted here; that connection stops as it did.)
  const before = gateway.pool.held;
  gateway.pool.held = (backend, session) =>
    (!session && [...held.sessions.keys()].some((key) => splitKey(key)[0] === backend)) ||
    (before?.(backend, session) ?? false);
  gateway.hooks.hook("backend:state", (backend, state, error) => {
    if (!gateway.pool.has(backend) || ownConnection(gateway, backend)) return;
    const uris = [...held.sessions.keys()].flatMap((key) => {
      const [server, uri] = splitKey(key);
      return server === backend ? [uri] : [];
    });
    if (!uris.length) return;
    // A backend that went down with subscriptions held (a crash, a hang) is started again at
    // once: its next use could be long after the updates its sessions wait for. (One stopped
    // on purpose, idle or disabled, has no error and waits for its next use.)
    if (state === "idle" && error) {
      void gateway.pool.open(backend).catch(() => {});
      return;
    }
    if (state !== "ready") return;
    // A new process (or connection) holds none of the subscriptions: made again for the
    // sessions that hold them, which are then told the resources may have changed meanwhile.
    void Promise.all(
      uris.map((uri) =>
        gateway.pool
          .request(backend, "resources/subscribe", { uri }, {})
          .then(() => gateway.pool.announce(backend, "notifications/resources/updated", { uri }))
          .catch(() => {}),
      ),
    );
  });
  return held;
}

const keyOf = (backend: string, uri: string) => `${backend}\n${uri}`;

function splitKey(key: string): [string, string] {
  const cut = key.indexOf("\n");
  return [key.slice(0, cut), key.slice(cut + 1)];
}

/** Whether each session has a connection of its own to `backend` (`isolation: session`). */
function ownConnection(gateway: Gateway, backend: string): boolean {
  return gateway.config.backends.some((b) => b.name === backend && b.isolation === "session");
}

/** Records that `session` subscribed to `backend`'s `uri`. */
export function subscribed(gateway: Gateway, backend: string, uri: string, session: string): void {
  if (!session || ownConnection(gateway, backend)) return;
  const { sessions } = subscribersOf(gateway);
  const key = keyOf(backend, uri);
  const held = sessions.get(key) ?? new Set<string>();
  sessions.set(key, held.add(session));
}

/**
 * Lets go of `session`'s subscription to `backend`'s `uri`; whether the backend is to hear the
 * unsubscribe (no other session still subscribes, or the session has a connection of its own).
 * A session that never subscribed on a shared backend has nothing to let go of.
 */
export function unsubscribed(
  gateway: Gateway,
  backend: string,
  uri: string,
  session: string,
): boolean {
  if (ownConnection(gateway, backend)) return true;
  const { sessions } = subscribersOf(gateway);
  const key = keyOf(backend, uri);
  const held = sessions.get(key);
  if (!session || !held?.delete(session)) return false;
  if (held.size) return false;
  sessions.delete(key);
  return true;
}
