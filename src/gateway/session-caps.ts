import type { Caller } from "./caller.ts";

/** What the caps need to know of an open session. */
export interface CappedSession {
  /** Whose cap it counts against (`capKeyOf`). */
  capKey: string;
  lastSeen: number;
  /** Client requests not answered yet. */
  inFlight: { size: number };
}

export interface SessionCapsOptions {
  /** `server.max_sessions`: open sessions in all. */
  maxSessions: number;
  /** `server.max_sessions_per_caller`: open sessions per cap key. */
  maxPerCaller: number;
  /** `server.session_active_window` (ms): a session used more recently than this is active. */
  activeWindow: number;
}

/** Sessions being initialized, counted against the caps before they exist. */
export interface Opening {
  total: number;
  byKey: ReadonlyMap<string, number>;
}

export type RoomPlan<S> = { ok: true; evict: S[] } | { ok: false; reason: string };

/**
 * Whose per-caller cap a new session counts against. A key (or token) is one caller. With auth
 * off every local client is the same caller, so there the client's name (`clientInfo.name`) and
 * address tell clients apart: a tool that leaks sessions fills its own cap, not Claude's.
 */
export function capKeyOf(caller: Caller, initialize: unknown, address?: string): string {
  if (caller.id !== "local") return caller.id;
  const messages = Array.isArray(initialize) ? initialize : [initialize];
  const params = messages.find(
    (message) => (message as { method?: unknown } | null)?.method === "initialize",
  )?.params as { clientInfo?: { name?: unknown } } | undefined;
  const name = params?.clientInfo?.name;
  const client = typeof name === "string" && name ? name.slice(0, 100) : "unnamed client";
  return `local:${client}@${address ?? "unknown"}`;
}

/**
 * Decides how a new session for `key` fits under the caps. Only idle sessions may be closed to
 * make room, the idlest first: one with a request in flight, or used within `activeWindow`, is
 * never touched. When the idle ones are not enough, the new session is refused (with the
 * setting to raise) rather than an active one killed: clients do not re-initialize after
 * "Session not found", so killing a working session breaks a working client.
 */
export function planRoom<S extends CappedSession>(
  sessions: Iterable<S>,
  key: string,
  opening: Opening,
  options: SessionCapsOptions,
  now: number,
): RoomPlan<S> {
  const all = [...sessions];
  const idle = (session: S) =>
    session.inFlight.size === 0 && now - session.lastSeen >= options.activeWindow;
  const evict = new Set<S>();
  const idlestFirst = (list: S[]) =>
    list.filter((session) => idle(session)).sort((a, b) => a.lastSeen - b.lastSeen);

  const mine = all.filter((session) => session.capKey === key);
  const mineExcess = mine.length + (opening.byKey.get(key) ?? 0) + 1 - options.maxPerCaller;
  if (mineExcess > 0) {
    const victims = idlestFirst(mine).slice(0, mineExcess);
    if (victims.length < mineExcess) {
      return {
        ok: false,
        reason: `too many sessions: ${key} has ${mine.length} open (server.max_sessions_per_caller is ${options.maxPerCaller}) and none is idle; close one, or raise server.max_sessions_per_caller`,
      };
    }
    for (const victim of victims) evict.add(victim);
  }
  const totalExcess = all.length - evict.size + opening.total + 1 - options.maxSessions;
  if (totalExcess > 0) {
    const victims = idlestFirst(all.filter((session) => !evict.has(session))).slice(0, totalExcess);
    if (victims.length < totalExcess) {
      return {
        ok: false,
        reason: `too many sessions: ${all.length} open (server.max_sessions is ${options.maxSessions}) and none is idle; try again later, or raise server.max_sessions`,
      };
    }
    for (const victim of victims) evict.add(victim);
  }
  return { ok: true, evict: [...evict] };
}
