import { SharedEventStore } from "../cluster/event-store.ts";
import type { ClusterLink } from "../cluster/link.ts";
import {
  ADOPT_CLAIM_MS,
  adoptKey,
  eventsKey,
  isRelayed,
  relayToOwner,
  type SharedSession,
  sessionKey,
} from "../cluster/relay.ts";
import { logger } from "../logger.ts";
import { forTransport } from "../mcp/accept.ts";
import { batchesAllowed, batchRefusal, initializeWithoutBatches } from "../mcp/batches.ts";
import { negotiatedVersion, speakClientVersion } from "../mcp/content-versions.ts";
import {
  closeStream,
  isInitializeRequest,
  type JSONRPCMessage,
  type Server,
  STANDALONE_STREAM,
  WebStandardStreamableHTTPServerTransport,
} from "../mcp/sdk.ts";
import { type Caller, LOCAL_ADMIN, type ProfileBinding, toAuthInfo } from "./caller.ts";
import { EventBudget, SessionEventStore, streamOf } from "./event-store.ts";
import type { Gateway } from "./gateway.ts";
import { PROFILE_HEADER, requestedProfile, withProfile } from "./profiles.ts";
import { createSessionServer } from "./server.ts";
import { capKeyOf, planRoom } from "./session-caps.ts";
import { openedAtOnce } from "./sse-open.ts";

interface Session {
  id: string;
  /** Who opened the session; later requests on it must come from the same caller. */
  caller: Caller;
  /** Whose per-caller cap it counts against (see `capKeyOf`). */
  capKey: string;
  /** "" for the meta surface on /mcp, else the backend of /mcp/{backend}. */
  scope: string;
  transport: WebStandardStreamableHTTPServerTransport;
  server: Server;
  /** Its resumability buffer (counted in the manager's shared `EventBudget`; in Redis in a cluster). */
  events: SessionEventStore | SharedEventStore;
  /** In a cluster: its record in Redis, and when it was last written. */
  shared?: { record: SharedSession; at: number };
  lastSeen: number;
  /** Ids of client requests not answered yet: a session with one is never evicted. */
  inFlight: Set<string | number>;
  /** Those of them that came alone in their POST: their stream ends when they are cancelled. */
  alone: Set<string | number>;
  /** Ids of POSTs handed to the transport that it has not passed on yet (see `claimIds`). */
  claimed: Set<string | number>;
  /** The routing profile bound at initialize (switchable by gateway_set_profile). */
  profile: ProfileBinding;
  /** The protocol revision its initialize settled on. */
  version?: string;
}

export interface SessionManagerOptions {
  /** Sessions idle this long (ms) are closed. */
  ttl: number;
  /** Open sessions in all (`server.max_sessions`); past it an idle one is closed, or the new one refused. */
  maxSessions?: number;
  /** Open sessions per caller (`server.max_sessions_per_caller`). */
  maxSessionsPerCaller?: number;
  /** `server.session_active_window` (ms): sessions used within it are never closed to make room. */
  activeWindow?: number;
  /** Bytes of resumability buffers across sessions (`server.event_buffer_bytes`). */
  eventBufferBytes?: number;
  /**
   * A cluster (`cluster:`): sessions are recorded in Redis with their owner; a request for
   * another instance's session is relayed to it, or, when it is dead, the session is adopted
   * here (re-initialized with the client's stored `initialize`, its events read from Redis).
   */
  cluster?: ClusterLink;
}

/** How the caps have acted since start, for `/health`. */
export interface SessionStats {
  open: number;
  max: number;
  maxPerCaller: number;
  /** Idle sessions closed to make room for a new one. */
  evicted: number;
  /** `initialize` requests refused because every session in the way was active. */
  refused: number;
  /** Bytes held in resumability buffers across sessions, and their cap. */
  bufferedBytes: number;
  maxBufferedBytes: number;
}

const log = () => logger.withTag("sessions");
/** How long a revoked key's session waits for the answers of its cancelled requests. */
const REVOKED_DRAIN_MS = 5_000;

/** Builds the server for a new session in a scope; `sessionId` reads the id once assigned. */
export type SessionServerFactory = (
  scope: string,
  sessionId: () => string,
  caller: Caller,
) => Promise<Server>;

/** The 2025-11-25 sessions on `/mcp`: one SDK transport and one MCP server per client session. */
export class SessionManager {
  private readonly sessions = new Map<string, Session>();
  private readonly reaper: ReturnType<typeof setInterval>;
  /** Sessions being initialized, by cap key: counted against the caps before they exist. */
  private readonly opening = new Map<string, number>();
  private openingTotal = 0;
  private evicted = 0;
  private refused = 0;
  private lastRefusalLog = Number.NEGATIVE_INFINITY;
  private readonly eventBudget: EventBudget;
  private closing = false;
  private readonly adopting = new Map<string, Promise<Session | Response>>();
  /** Stops ending the sessions of keys a reload revokes (see the constructor). */
  private readonly unrevoked: () => void;

  constructor(
    private readonly gateway: Gateway,
    private readonly options: SessionManagerOptions,
    private readonly factory: SessionServerFactory = async (_scope, sessionId, caller) =>
      createSessionServer(gateway, { sessionId, caller, notifyListChanged: true }),
  ) {
    this.eventBudget = new EventBudget(options.eventBufferBytes ?? 64 * 1024 * 1024);
    this.reaper = setInterval(() => this.reap(), Math.min(options.ttl, 60_000));
    this.reaper.unref?.();
    // A key taken out by a reload: its sessions end at once (their streams, subscriptions and
    // `isolation: session` processes), not at `session_ttl`; their calls were cancelled.
    this.unrevoked = gateway.security.auth.onRevoked((id) => {
      for (const session of this.sessions.values()) {
        if (session.caller.id === id) void this.endRevoked(session);
      }
    });
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Client requests not answered yet, across sessions: a graceful shutdown waits for them. */
  busy(): number {
    let requests = 0;
    for (const session of this.sessions.values()) requests += session.inFlight.size;
    return requests;
  }

  stats(): SessionStats {
    return {
      open: this.sessions.size,
      max: this.maxSessions,
      maxPerCaller: this.maxPerCaller,
      evicted: this.evicted,
      refused: this.refused,
      bufferedBytes: this.eventBudget.bytes,
      maxBufferedBytes: this.eventBudget.maxBytes,
    };
  }

  private get maxSessions(): number {
    return this.options.maxSessions ?? Number.POSITIVE_INFINITY;
  }

  private get maxPerCaller(): number {
    return this.options.maxSessionsPerCaller ?? Number.POSITIVE_INFINITY;
  }

  async handle(
    request: Request,
    parsedBody: unknown,
    scope = "",
    caller: Caller = LOCAL_ADMIN,
    address?: string,
  ): Promise<Response> {
    const id = request.headers.get("mcp-session-id");
    if (id) {
      let session = this.sessions.get(id);
      if (!session && this.options.cluster) {
        const found = await this.elsewhere(request, parsedBody, id, scope, caller, address);
        if (found instanceof Response) return found;
        session = found;
      }
      if (!session || session.scope !== scope) {
        return Response.json(
          { jsonrpc: "2.0", error: { code: -32001, message: "Session not found" }, id: null },
          { status: 404 },
        );
      }
      if (session.caller.id !== caller.id) {
        return Response.json(
          {
            jsonrpc: "2.0",
            error: { code: -32001, message: "Session belongs to another client" },
            id: null,
          },
          { status: 403 },
        );
      }
      session.lastSeen = performance.now();
      this.touchShared(session);
      // A client opening a stream again has lost the one it had, though that connection may
      // still look open here (a laptop that slept, a proxy that dropped it): the newest wins,
      // instead of a 409 that leaves the session without notifications (the GET stream), or
      // loses a call's result (a POST stream resumed with Last-Event-ID), until TCP notices.
      if (request.method === "GET") {
        const resumed = request.headers.get("last-event-id");
        const stream = resumed ? streamOf(resumed) : undefined;
        if (stream && stream !== STANDALONE_STREAM) closeStream(session.transport, stream);
        else session.transport.closeStandaloneSSEStream();
      }
      // 2025-06-18 removed batches; the SDK's transport serves them whatever was negotiated.
      const version = session.version;
      if (request.method === "POST" && Array.isArray(parsedBody) && !batchesAllowed(version)) {
        return Response.json(batchRefusal(version ?? ""), { status: 400 });
      }
      const release = request.method === "POST" ? claimIds(session, parsedBody) : () => {};
      if (release instanceof Response) return release;
      if (request.method === "POST") noteSubscriptions(session, parsedBody);
      if (request.method === "POST" && isRequest(parsedBody)) session.alone.add(parsedBody.id);
      // Each request's handlers apply the scopes of the credential it carries.
      const response = await session.transport
        .handleRequest(forTransport(request), {
          parsedBody,
          authInfo: toAuthInfo(withProfile(caller, () => this.gateway.config, session.profile)),
        })
        .finally(release);
      // A gateway_set_profile answered in this request is recorded for an adoption.
      this.touchShared(session);
      return request.method === "GET" ? openedAtOnce(response) : response;
    }
    // No session yet: this must be an initialize; the transport rejects anything else (and
    // only a real initialize may make room, or junk requests could evict sessions).
    if (!isInitialize(parsedBody)) {
      if (request.method === "POST" && isRequest(parsedBody)) return notInitialized(parsedBody);
      if (request.method === "GET") return noStream();
      return this.open(request, parsedBody, scope, caller);
    }
    const malformed = initializeProblem(parsedBody);
    if (malformed) return malformed;
    if (Array.isArray(parsedBody)) {
      const requested = initializeIn(parsedBody)?.params?.protocolVersion;
      if (initializeWithoutBatches(requested)) {
        return Response.json(batchRefusal(String(requested)), { status: 400 });
      }
    }
    const capKey = capKeyOf(caller, parsedBody, address);
    const room = this.makeRoom(capKey, parsedBody, "a new session");
    if (room instanceof Response) return room;
    try {
      return await this.open(request, parsedBody, scope, caller, capKey, room);
    } finally {
      room();
    }
  }

  /**
   * Room under `server.max_sessions` and `max_sessions_per_caller` for one more session of
   * `capKey` (idle ones closed for it), reserved until the returned release is called; a 503
   * naming the cap when there is none.
   */
  private makeRoom(capKey: string, parsedBody: unknown, what: string): Response | (() => void) {
    const plan = planRoom(
      this.sessions.values(),
      capKey,
      { total: this.openingTotal, byKey: this.opening },
      {
        maxSessions: this.maxSessions,
        maxPerCaller: this.maxPerCaller,
        activeWindow: this.options.activeWindow ?? 0,
      },
      performance.now(),
    );
    if (!plan.ok) {
      this.refused++;
      // At most a line a second: a client retrying in a loop must not flood the log.
      if (performance.now() - this.lastRefusalLog >= 1000) {
        this.lastRefusalLog = performance.now();
        log().warn(`refused ${what} (${this.refused} so far): ${plan.reason}`);
      }
      const id = Array.isArray(parsedBody) ? null : (parsedBody as { id?: unknown } | null)?.id;
      return Response.json(
        { jsonrpc: "2.0", error: { code: -32000, message: plan.reason }, id: id ?? null },
        { status: 503, headers: { "Retry-After": "5" } },
      );
    }
    for (const victim of plan.evict) this.evict(victim);
    this.reserve(capKey, 1);
    let reserved = true;
    return () => {
      if (reserved) this.reserve(capKey, -1);
      reserved = false;
    };
  }

  private async open(
    request: Request,
    parsedBody: unknown,
    scope: string,
    caller: Caller,
    capKey = caller.id,
    release = () => {},
    adoptId?: string,
  ): Promise<Response> {
    const asked = requestedProfile(this.gateway.config, request, parsedBody);
    if ("error" in asked) {
      return Response.json(
        { jsonrpc: "2.0", error: { code: -32602, message: asked.error }, id: null },
        { status: 400 },
      );
    }
    const profile: ProfileBinding = { name: asked.name, switchable: true };
    caller = withProfile(caller, () => this.gateway.config, profile);
    let session: Session | undefined;
    const cluster = this.options.cluster;
    const events = cluster
      ? new SharedEventStore(
          cluster,
          () => eventsKey(session?.id ?? ""),
          this.options.ttl,
          undefined,
          undefined,
          { budget: this.eventBudget, lastActive: () => session?.lastSeen ?? 0 },
        )
      : new SessionEventStore(undefined, undefined, {
          budget: this.eventBudget,
          lastActive: () => session?.lastSeen ?? 0,
        });
    const transport = new WebStandardStreamableHTTPServerTransport({
      // In a cluster the id starts with this instance's tag: relayed here even while Redis is down.
      sessionIdGenerator: () =>
        adoptId ??
        (cluster?.peers ? `${cluster.peers.tag}.${crypto.randomUUID()}` : crypto.randomUUID()),
      onsessioninitialized: (sessionId) => {
        if (!session) return;
        session.id = sessionId;
        release();
        this.sessions.set(sessionId, session);
        if (cluster) {
          const init = (Array.isArray(parsedBody) ? parsedBody[0] : parsedBody) as {
            params?: unknown;
          };
          const record: SharedSession = {
            owner: cluster.url,
            scope,
            caller: caller.id,
            init: init?.params,
            profile: profile.name,
          };
          session.shared = { record, at: 0 };
          this.touchShared(session);
        }
        void this.gateway.hooks.callHook("session:open", sessionId);
      },
      onsessionclosed: (sessionId) => this.forget(sessionId),
      // Resumability: a client that lost a stream reconnects with Last-Event-ID.
      eventStore: events,
    });
    const server = await this.factory(scope, () => session?.id ?? "", caller);
    session = {
      id: "",
      caller,
      capKey,
      scope,
      transport,
      server,
      events,
      lastSeen: performance.now(),
      inFlight: new Set(),
      alone: new Set(),
      claimed: new Set(),
      profile,
    };
    await server.connect(transport);
    speakClientVersion(transport);
    trackInFlight(session, this.options.cluster?.url);
    const response = await transport.handleRequest(forTransport(request), {
      parsedBody,
      authInfo: toAuthInfo(caller),
    });
    if (!transport.sessionId) {
      events.clear();
      await server.close().catch(() => {});
    }
    return response;
  }

  private evict(session: Session): void {
    this.evicted++;
    const idle = Math.round((performance.now() - session.lastSeen) / 1000);
    log().info(
      `closed session ${session.id} of ${session.capKey} (idle ${idle}s) to make room for a new session: server.max_sessions or server.max_sessions_per_caller reached`,
    );
    // end() forgets it at once, so the count drops before the new session is made.
    void this.end(session);
  }

  private reserve(capKey: string, delta: 1 | -1): void {
    const count = (this.opening.get(capKey) ?? 0) + delta;
    if (count > 0) this.opening.set(capKey, count);
    else this.opening.delete(capKey);
    this.openingTotal += delta;
  }

  /**
   * A session this instance does not hold: relayed to its owner, adopted when the owner is
   * gone, or a 404/403 Response.
   */
  private async elsewhere(
    request: Request,
    parsedBody: unknown,
    id: string,
    scope: string,
    caller: Caller,
    address?: string,
  ): Promise<Session | Response | undefined> {
    const cluster = this.options.cluster!;
    const text = await cluster.get(sessionKey(id));
    if (!text) {
      // Redis cannot say who holds it (it is down, or came back empty and the owner has not
      // written its sessions again yet): the instance whose tag the id starts with, if known
      // (with Redis up, only one the list had lately: a session of a long-gone one is just gone).
      const owner = cluster.peers?.ownerOf(id, cluster.connected);
      if (owner && owner !== cluster.url && !isRelayed(request, cluster)) {
        const relayed = await relayToOwner(owner, request, parsedBody, cluster);
        if (relayed) return relayed;
      }
      if (cluster.connected) return undefined;
      // Still 404: the client opens a new session, here, and goes on with it.
      return sessionError(
        404,
        `Session not found: this instance cannot reach Redis (${cluster.status().error ?? "down"}) to find the instance that holds it; open a new session`,
      );
    }
    const record = JSON.parse(text) as SharedSession;
    if (record.scope !== scope) return undefined;
    if (record.caller !== caller.id) return sessionError(403, "Session belongs to another client");
    // A relayed request is never relayed again: the sender found this instance the owner.
    if (record.owner !== cluster.url && !isRelayed(request, cluster)) {
      const relayed = await relayToOwner(record.owner, request, parsedBody, cluster);
      if (relayed) return relayed;
      log().info(`session ${id}: its instance ${record.owner} is unreachable; adopting it here`);
    }
    let adopting = this.adopting.get(id);
    if (!adopting) {
      // Two instances may find the owner gone at once: one adopts, the other relays to it (a
      // session re-created twice would split its requests and streams between two copies).
      let holder = await cluster.claim(adoptKey(id), cluster.url, ADOPT_CLAIM_MS);
      if (holder !== undefined && holder !== cluster.url) {
        if (isRelayed(request, cluster)) {
          return sessionError(503, `session ${id} is being adopted by ${holder}; retry`);
        }
        const relayed = await relayToOwner(holder, request, parsedBody, cluster);
        if (relayed) return relayed;
        // The instance holding the claim is gone too (a rolling restart stops the adopter
        // within the claim's 10 s): one instance takes over from it, by a claim of its own
        // on that holder; before, every request of the session got a 503 until the claim ran
        // out, and clients do not retry those.
        const dead = holder;
        holder = await cluster.claim(`${adoptKey(id)}:after:${dead}`, cluster.url, ADOPT_CLAIM_MS);
        if (holder !== undefined && holder !== cluster.url) {
          const next = await relayToOwner(holder, request, parsedBody, cluster);
          return next ?? sessionError(503, `session ${id} is being adopted by ${holder}; retry`);
        }
        void cluster.set(adoptKey(id), cluster.url, ADOPT_CLAIM_MS);
        log().info(
          `session ${id}: ${dead}, which was adopting it, is unreachable; adopting it here`,
        );
      }
      adopting = this.adopting.get(id);
      if (!adopting) {
        adopting = this.adopt(id, record, caller, address).finally(() => this.adopting.delete(id));
        this.adopting.set(id, adopting);
      }
    }
    return adopting;
  }

  /** Re-creates a session here under its id by replaying the client's `initialize`. */
  private async adopt(
    id: string,
    record: SharedSession,
    caller: Caller,
    address?: string,
  ): Promise<Session | Response> {
    const init = { jsonrpc: "2.0", id: `adopt-${id}`, method: "initialize", params: record.init };
    // An adopted session counts under the caps like one opened here (it may close idle ones).
    const capKey = capKeyOf(caller, init, address);
    const room = this.makeRoom(capKey, init, `to adopt session ${id}`);
    if (room instanceof Response) return room;
    try {
      return await this.recreate(id, record, caller, init, capKey, room);
    } finally {
      room();
    }
  }

  private async recreate(
    id: string,
    record: SharedSession,
    caller: Caller,
    init: { params: unknown },
    capKey: string,
    release: () => void,
  ): Promise<Session | Response> {
    const headers = {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    };
    const url = "http://gateway/mcp";
    const body = JSON.stringify(init);
    // The profile the session had, not the client's `params.profile` of its first initialize.
    const profile: Record<string, string> = record.profile
      ? { [PROFILE_HEADER]: record.profile }
      : {};
    const opened = await this.open(
      new Request(url, { method: "POST", headers: { ...headers, ...profile }, body }),
      init,
      record.scope,
      caller,
      capKey,
      release,
      id,
    );
    await opened.text();
    const session = this.sessions.get(id);
    if (!session) return sessionError(500, `session ${id} could not be re-created here`);
    const version = (record.init as { protocolVersion?: string })?.protocolVersion;
    // A message replayed to the re-created session as its client would have sent it.
    const replay = (message: Record<string, unknown>) =>
      session.transport.handleRequest(
        new Request(url, {
          method: "POST",
          headers: {
            ...headers,
            "mcp-session-id": id,
            ...(version ? { "mcp-protocol-version": version } : {}),
          },
          body: JSON.stringify(message),
        }),
        { parsedBody: message, authInfo: toAuthInfo(caller) },
      );
    const ready = await replay({ jsonrpc: "2.0", method: "notifications/initialized" });
    await ready.text();
    // The client's subscriptions, made again here: it heard nothing to say they had ended.
    const uris = record.subscriptions ?? [];
    if (session.shared) session.shared.record.subscriptions = [...uris];
    for (const [n, uri] of uris.entries()) {
      const subscribe = {
        jsonrpc: "2.0",
        id: `adopt-${id}-subscribe-${n}`,
        method: "resources/subscribe",
        params: { uri },
      };
      const answered = await replay(subscribe).catch(() => undefined);
      await answered?.text().catch(() => {});
    }
    return session;
  }

  /**
   * Writes the session's record to Redis again when a quarter of its TTL has passed, or at
   * once when its profile was switched (an adoption re-creates the session under it).
   */
  private touchShared(session: Session): void {
    const shared = session.shared;
    const cluster = this.options.cluster;
    if (!shared || !cluster) return;
    const profile = session.profile.name;
    if (Date.now() - shared.at < this.options.ttl / 4 && shared.record.profile === profile) return;
    shared.at = Date.now();
    shared.record.profile = profile;
    void cluster.set(sessionKey(session.id), JSON.stringify(shared.record), this.options.ttl);
  }

  /**
   * Writes every session this instance holds to Redis again, now: after Redis came back (a
   * restarted Redis without persistence has forgotten them all), the other instances can find
   * them at once rather than a quarter of the TTL later.
   */
  reshare(): void {
    for (const session of this.sessions.values()) {
      if (session.shared) session.shared.at = 0;
      this.touchShared(session);
    }
  }

  /** Ends every session (shutdown). */
  async closeAll(): Promise<void> {
    // In a cluster, records and events stay in Redis: another instance adopts these sessions.
    this.closing = true;
    clearInterval(this.reaper);
    this.unrevoked();
    await Promise.all([...this.sessions.values()].map((session) => this.end(session)));
  }

  /**
   * Answers every request still in flight with an error: a shutdown's wait for them is over
   * (`server.shutdown_timeout`), and the streams close next.
   */
  async answerUnfinished(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((session) => this.answerSession(session)));
  }

  /**
   * Answers each request of `session` still in flight with an error (the shutdown's wait for
   * them is over): its client learns now that the outcome is unknown, instead of waiting for an
   * answer nobody will send once the stream closes. In a cluster the answer is stored for
   * `Last-Event-ID` as well, so a client whose stream was already cut gets it where it resumes.
   */
  private async answerSession(session: Session): Promise<void> {
    const cluster = this.options.cluster;
    const where = cluster ? `this gateway instance (${cluster.url})` : "the gateway";
    const message = `${where} shut down before this request finished (server.shutdown_timeout passed); it may or may not have run: retry only if that is safe${cluster ? " (the session goes on, on another instance)" : ""}`;
    await Promise.all(
      [...session.inFlight].map((id) =>
        session.transport
          .send({ jsonrpc: "2.0", id, error: { code: -32603, message } }, { relatedRequestId: id })
          .catch(() => {}),
      ),
    );
  }

  /** What a DELETE does: forget the session (its isolated backends stop), close its transport. */
  /**
   * Ends a revoked key's session once its requests in flight (cancelled with the key, see
   * `Authenticator.revocation`) have had their answers sent, at most `REVOKED_DRAIN_MS` later.
   */
  private async endRevoked(session: Session): Promise<void> {
    const until = Date.now() + REVOKED_DRAIN_MS;
    while (session.inFlight.size && Date.now() < until) {
      await new Promise((resume) => setTimeout(resume, 20));
    }
    await this.end(session);
  }

  private async end(session: Session): Promise<void> {
    this.forget(session.id);
    await session.server.close().catch(() => {});
  }

  private forget(id: string): void {
    const session = this.sessions.get(id);
    if (session && (!this.options.cluster || !this.closing)) {
      if (session.events instanceof SharedEventStore) void this.unshare(session, session.events);
      else session.events.clear();
    }
    if (this.sessions.delete(id)) void this.gateway.hooks.callHook("session:close", id);
  }

  /**
   * Deletes an ended session's record and events from Redis, unless another instance adopted
   * it meanwhile (this one could not be reached for a moment): those are that instance's now.
   */
  private async unshare(session: Session, events: SharedEventStore): Promise<void> {
    const cluster = this.options.cluster!;
    const text = await cluster.get(sessionKey(session.id));
    const owner = text ? (JSON.parse(text) as SharedSession).owner : undefined;
    if (owner !== undefined && owner !== cluster.url) {
      events.clear({ keepShared: true });
      return;
    }
    events.clear();
    await cluster.del(sessionKey(session.id));
  }

  private reap(): void {
    const cutoff = performance.now() - this.options.ttl;
    for (const session of this.sessions.values()) {
      if (session.lastSeen >= cutoff || session.inFlight.size) continue;
      logger.debug(`session ${session.id} idle past its TTL; closing`);
      void this.end(session);
    }
  }
}

/** A single JSON-RPC request (with an id), not a notification or a response. */
function isRequest(body: unknown): body is { id: string | number } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return false;
  const message = body as { method?: unknown; id?: unknown };
  return typeof message.method === "string" && message.id !== undefined && message.id !== null;
}

/**
 * Claims the ids of the requests in a POST until the transport has taken them in (then they are
 * in `inFlight` until answered or cancelled); a 400 when one of them is in flight already, or
 * comes twice in a batch. The SDK's transport maps each request id to one POST stream: a second
 * request with the id of one in flight took the first's stream over, the first answer went out on
 * it and closed it, and neither POST got its own answer (the first hung for good).
 */
function claimIds(session: Session, body: unknown): Response | (() => void) {
  const ids = (Array.isArray(body) ? body : [body]).filter(isRequest).map((message) => message.id);
  const seen = new Set<string | number>();
  const taken = ids.find((id) => {
    const twice = seen.has(id);
    seen.add(id);
    return twice || session.inFlight.has(id) || session.claimed.has(id);
  });
  if (taken !== undefined) {
    const message =
      `Invalid Request: request id ${JSON.stringify(taken)} is already in flight in this session; ` +
      "give each request an id not in use (the first one goes on and is answered on its own stream)";
    return Response.json(
      { jsonrpc: "2.0", error: { code: -32600, message }, id: Array.isArray(body) ? null : taken },
      { status: 400 },
    );
  }
  for (const id of ids) session.claimed.add(id);
  return () => {
    for (const id of ids) session.claimed.delete(id);
  };
}

/**
 * A request with no session that is not `initialize`: what the SDK answers ("Server not
 * initialized"), saying how to get a session. The original gateway made one for any request,
 * and its docs' curl examples send a bare `tools/call`.
 */
function notInitialized(body: { id: string | number }): Response {
  const message =
    "Bad Request: Server not initialized: a request without an Mcp-Session-Id header must be initialize; " +
    "send initialize first, then the Mcp-Session-Id it returns on every request, each with Accept: application/json, text/event-stream " +
    "(from a shell, mcp-gateway tools search|call does this; see docs/migrating.md)";
  return Response.json(
    { jsonrpc: "2.0", error: { code: -32000, message }, id: body.id },
    { status: 400 },
  );
}

/**
 * A GET with no session (a browser, a curl, an old client): the SDK answers "Not Acceptable" or
 * "Server not initialized"; this says what the endpoint is and where to go instead.
 */
function noStream(): Response {
  const message =
    "Bad Request: GET /mcp opens the event stream of an existing session: POST initialize first and " +
    "send the Mcp-Session-Id it returns (an MCP client does this when given this URL; the dashboard is at /ui, health at /health)";
  return Response.json(
    { jsonrpc: "2.0", error: { code: -32000, message }, id: null },
    { status: 400 },
  );
}

/**
 * A 400 naming what an `initialize` lacks, for one whose params the SDK's schema refuses: the
 * SDK then takes it for some other request and answers "Server not initialized", which told a
 * hand-written client nothing about its mistake.
 */
function initializeProblem(body: unknown): Response | undefined {
  const message = initializeIn(body) as
    | { id?: unknown; params?: Record<string, unknown> }
    | undefined;
  if (!message || isInitializeRequest(message)) return undefined;
  const params = message.params;
  const info = params?.clientInfo as Record<string, unknown> | undefined;
  const missing = [
    typeof params?.protocolVersion === "string" ? "" : "params.protocolVersion (a string)",
    isObject(params?.capabilities) ? "" : "params.capabilities (an object, {} for none)",
    typeof info?.name === "string" ? "" : "params.clientInfo.name (a string)",
    typeof info?.version === "string" ? "" : "params.clientInfo.version (a string)",
  ].filter(Boolean);
  if (!missing.length) missing.push("params in the form of the spec's InitializeRequest");
  const id = typeof message.id === "string" || typeof message.id === "number" ? message.id : null;
  return Response.json(
    {
      jsonrpc: "2.0",
      error: { code: -32602, message: `Invalid params: initialize needs ${missing.join(", ")}` },
      id: Array.isArray(body) ? null : id,
    },
    { status: 400 },
  );
}

function isObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A body holding a JSON-RPC `initialize` request (the SDK accepts a batch of one too). */
function isInitialize(body: unknown): boolean {
  return initializeIn(body) !== undefined;
}

function initializeIn(body: unknown): { params?: { protocolVersion?: unknown } } | undefined {
  const messages = Array.isArray(body) ? body : [body];
  return messages.find(
    (message) =>
      typeof message === "object" &&
      message !== null &&
      (message as { method?: unknown }).method === "initialize",
  );
}

/**
 * Watches the session's JSON-RPC traffic: a client request is in flight until its response is
 * sent or the client cancels it; any exchange counts as use.
 *
 * A cancelled call gets no answer (the SDK drops it, as the spec asks), and the SDK left its
 * POST's SSE stream open for the rest of the session: the SDK's own client does not abort that
 * request, so every cancelled call held one more connection open on both ends, and a long
 * session hit `server.max_connections_per_address`. The stream of a request that came alone in
 * its POST (`alone`) is closed when its cancellation arrives (a batch's stream carries the other
 * requests' answers, and stays).
 */
function trackInFlight(session: Session, owner?: string): void {
  const { transport } = session;
  const receive = transport.onmessage;
  const send = transport.send.bind(transport);
  transport.onmessage = (message, extra) => {
    session.lastSeen = performance.now();
    const { id, method, params } = message as {
      id?: string | number;
      method?: string;
      params?: { requestId?: string | number };
    };
    const cancelled = method === "notifications/cancelled" ? params?.requestId : undefined;
    if (method !== undefined && id !== undefined) {
      session.inFlight.add(id);
      // So that an instance adopting the session if this one dies answers it (event-store.ts).
      if (session.events instanceof SharedEventStore) session.events.noteRequest(id, owner ?? "");
    } else if (cancelled !== undefined) session.inFlight.delete(cancelled);
    receive?.(message, extra);
    if (cancelled !== undefined && session.alone.delete(cancelled)) {
      transport.closeSSEStream(cancelled);
    }
  };
  // A request stays in flight until its answer is written to its stream, not only handed over:
  // in a cluster that first takes a Redis round trip (the event is stored), and a shutdown that
  // closed the streams meanwhile lost the answer of a call it had waited for (`busy`).
  transport.send = async (message: JSONRPCMessage, options) => {
    const { id, method } = message as { id?: string | number; method?: string };
    session.version ??= negotiatedVersion(message);
    const answer = method === undefined && id !== undefined;
    if (answer) {
      session.alone.delete(id);
      session.lastSeen = performance.now();
    }
    try {
      return await send(message, options);
    } finally {
      if (answer) session.inFlight.delete(id);
    }
  };
}

function sessionError(status: number, message: string): Response {
  return Response.json({ jsonrpc: "2.0", error: { code: -32001, message }, id: null }, { status });
}

/**
 * Keeps the session's record of its subscriptions (for an adoption) as the client subscribes
 * and unsubscribes; a change is written to Redis with the request's `touchShared`.
 */
/** Subscriptions a session's record lists at most (past them, an adopter does not renew them). */
const MAX_RECORDED_SUBSCRIPTIONS = 1_000;

function noteSubscriptions(session: Session, body: unknown): void {
  const record = session.shared?.record;
  if (!record) return;
  for (const message of Array.isArray(body) ? body : [body]) {
    const { method, params } = (message ?? {}) as { method?: unknown; params?: { uri?: unknown } };
    const uri = params?.uri;
    if (typeof uri !== "string") continue;
    const held = new Set(record.subscriptions);
    if (method === "resources/subscribe") {
      if (held.size >= MAX_RECORDED_SUBSCRIPTIONS) continue;
      held.add(uri);
    } else if (method === "resources/unsubscribe") held.delete(uri);
    else continue;
    record.subscriptions = [...held];
    session.shared!.at = 0;
  }
}
