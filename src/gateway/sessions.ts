import { logger } from "../logger.ts";
import { type Server, WebStandardStreamableHTTPServerTransport } from "../mcp/sdk.ts";
import { type Caller, LOCAL_ADMIN } from "./caller.ts";
import { SessionEventStore } from "./event-store.ts";
import type { Gateway } from "./gateway.ts";
import { createSessionServer } from "./server.ts";

interface Session {
  id: string;
  /** Who opened the session; later requests on it must come from the same caller. */
  caller: Caller;
  /** "" for the meta surface on /mcp, else the backend of /mcp/{backend}. */
  scope: string;
  transport: WebStandardStreamableHTTPServerTransport;
  server: Server;
  lastSeen: number;
}

export interface SessionManagerOptions {
  /** Sessions idle this long (ms) are closed. */
  ttl: number;
}

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

  constructor(
    private readonly gateway: Gateway,
    private readonly options: SessionManagerOptions,
    private readonly factory: SessionServerFactory = async (_scope, sessionId, caller) =>
      createSessionServer(gateway, { sessionId, caller, notifyListChanged: true }),
  ) {
    this.reaper = setInterval(() => this.reap(), Math.min(options.ttl, 60_000));
    this.reaper.unref?.();
  }

  get size(): number {
    return this.sessions.size;
  }

  async handle(
    request: Request,
    parsedBody: unknown,
    scope = "",
    caller: Caller = LOCAL_ADMIN,
  ): Promise<Response> {
    const id = request.headers.get("mcp-session-id");
    if (id) {
      const session = this.sessions.get(id);
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
      session.lastSeen = Date.now();
      return session.transport.handleRequest(request, { parsedBody });
    }
    // No session yet: this must be an initialize; the transport rejects anything else.
    let session: Session | undefined;
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => crypto.randomUUID(),
      onsessioninitialized: (sessionId) => {
        if (!session) return;
        session.id = sessionId;
        this.sessions.set(sessionId, session);
        void this.gateway.hooks.callHook("session:open", sessionId);
      },
      onsessionclosed: (sessionId) => this.forget(sessionId),
      // Resumability: a client that lost a stream reconnects with Last-Event-ID.
      eventStore: new SessionEventStore(),
    });
    const server = await this.factory(scope, () => session?.id ?? "", caller);
    session = { id: "", caller, scope, transport, server, lastSeen: Date.now() };
    await server.connect(transport);
    const response = await transport.handleRequest(request, { parsedBody });
    if (!transport.sessionId) await server.close().catch(() => {});
    return response;
  }

  /** Ends every session (shutdown). */
  async closeAll(): Promise<void> {
    clearInterval(this.reaper);
    await Promise.all([...this.sessions.values()].map((session) => this.end(session)));
  }

  private async end(session: Session): Promise<void> {
    this.forget(session.id);
    await session.server.close().catch(() => {});
  }

  private forget(id: string): void {
    if (this.sessions.delete(id)) void this.gateway.hooks.callHook("session:close", id);
  }

  private reap(): void {
    const cutoff = Date.now() - this.options.ttl;
    for (const session of this.sessions.values()) {
      if (session.lastSeen >= cutoff) continue;
      logger.debug(`session ${session.id} idle past its TTL; closing`);
      void this.end(session);
    }
  }
}
