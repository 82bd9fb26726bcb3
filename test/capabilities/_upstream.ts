import type { Capability } from "../../src/capabilities/resolve.ts";

/** One request an upstream test server received. */
export interface Recorded {
  method: string;
  path: string;
  url: URL;
  headers: Headers;
  body: string;
}

export interface Upstream {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  requests: Recorded[];
  stop(): void;
}

/** A real HTTP server on loopback standing in for a REST API; it records what it receives. */
export function startUpstream(
  handler: (request: Request, url: URL) => Response | Promise<Response>,
): Upstream {
  const requests: Recorded[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const url = new URL(request.url);
      const body = await request.text();
      requests.push({
        method: request.method,
        path: url.pathname,
        url,
        headers: request.headers,
        body,
      });
      return handler(
        new Request(request.url, { method: request.method, headers: request.headers }),
        url,
      );
    },
  });
  return {
    origin: `http://127.0.0.1:${server.port}`,
    requests,
    stop: () => void server.stop(true),
  };
}

/** The capability with every provider's host replaced by `origin` (path and query kept). */
export function pointAt(capability: Capability, origin: string): Capability {
  return {
    ...capability,
    providers: capability.providers.map((provider) => ({
      ...provider,
      url: provider.url.replace(/^https?:\/\/[^/]+/, origin),
    })),
  };
}
