import type { Routes } from "./routes.ts";

export interface HttpServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** The only `Bun.serve`: idle timeout off, so long tool calls and quiet SSE streams survive. */
export function serveHttp(routes: Routes, host: string, port: number): HttpServer {
  const server = Bun.serve({
    hostname: host,
    port,
    idleTimeout: 0,
    // The MCP routes enforce their own 4 MiB limit with a JSON-RPC error; this is the backstop.
    maxRequestBodySize: 8 * 1024 * 1024,
    fetch: (request) => routes.fetch(request),
    error: (error) => Response.json({ error: `internal error: ${error.message}` }, { status: 500 }),
  });
  const shown = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shown}:${server.port}`,
    port: server.port ?? port,
    async stop() {
      await server.stop(true);
    },
  };
}
