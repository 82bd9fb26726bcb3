import type { Routes } from "./routes.ts";

export interface HttpServer {
  url: string;
  port: number;
  /** Stops accepting connections; requests already in progress go on. */
  refuse(): void;
  stop(): Promise<void>;
}

/** The slice of Deno's server API used here (this project type-checks against Bun only). */
interface DenoServe {
  serve(
    options: {
      hostname: string;
      port: number;
      onListen(): void;
      onError(error: unknown): Response;
    },
    handler: (request: Request, info: { remoteAddr: { hostname?: string } }) => Promise<Response>,
  ): { addr: { port: number }; shutdown(): Promise<void> };
}
declare const Deno: DenoServe | undefined;

// The MCP routes enforce their own 4 MiB limit with a JSON-RPC error; this is the backstop.
const MAX_REQUEST_BODY = 8 * 1024 * 1024;

function internalError(error: unknown): Response {
  const message = error instanceof Error ? error.message : String(error);
  return Response.json({ error: `internal error: ${message}` }, { status: 500 });
}

/**
 * The only HTTP listener: `Bun.serve`, or `Deno.serve` when the core runs under Deno. Idle
 * timeouts are off in both, so long tool calls and quiet SSE streams survive.
 */
export function serveHttp(routes: Routes, host: string, port: number): HttpServer {
  const shown = host.includes(":") ? `[${host}]` : host;
  if (typeof Bun === "undefined" && typeof Deno !== "undefined") {
    // Deno's shutdown waits for every response to end, and an SSE stream never does: event
    // streams are piped through this signal so that stop() can end them, as Bun's stop(true) does.
    const closing = new AbortController();
    const server = Deno.serve(
      // onListen would otherwise print to stdout.
      { hostname: host, port, onListen() {}, onError: internalError },
      async (request, info) => {
        const response = await routes.fetch(request, info.remoteAddr.hostname);
        if (!response.body || !response.headers.get("content-type")?.includes("event-stream")) {
          return response;
        }
        const { readable, writable } = new TransformStream();
        response.body.pipeTo(writable, { signal: closing.signal }).catch(() => {});
        return new Response(readable, response);
      },
    );
    return {
      url: `http://${shown}:${server.addr.port}`,
      port: server.addr.port,
      refuse() {},
      async stop() {
        const finished = server.shutdown();
        closing.abort();
        await finished;
      },
    };
  }
  const server = Bun.serve({
    hostname: host,
    port,
    idleTimeout: 0,
    maxRequestBodySize: MAX_REQUEST_BODY,
    fetch: (request, server) => routes.fetch(request, server.requestIP(request)?.address),
    error: internalError,
  });
  return {
    url: `http://${shown}:${server.port}`,
    port: server.port ?? port,
    refuse() {
      void server.stop(false);
    },
    async stop() {
      await server.stop(true);
    },
  };
}
