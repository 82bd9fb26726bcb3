import { readFileSync, unwatchFile, watchFile } from "node:fs";
import { connect, type Socket } from "node:net";
import {
  createServer as createTlsServer,
  type TLSSocket,
  type Server as TlsServer,
} from "node:tls";
import { GatewayError } from "../errors.ts";
import { logger } from "../logger.ts";
import { readArrivedBody, withArrivedBody } from "../security/body.ts";
import {
  attachClientCertificate,
  type ClientCertificate,
  describeCertificate,
} from "./client-cert.ts";
import { type ConnectionLimits, createConnectionGate } from "./connections.ts";
import { MAX_BODY_BYTES, type Routes } from "./routes.ts";

export interface HttpServer {
  url: string;
  port: number;
  /** With a TLS front (`server.tls.client_ca`): the loopback port of the listener behind it. */
  innerPort?: number;
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

/** How long requests may take to arrive, and how many may be open at once. */
export interface ServeLimits extends ConnectionLimits {
  /**
   * `server.read_timeout` (ms): a request's headers and body must have arrived within this,
   * whatever the pace of their bytes (a slow-body client is answered 408 and cut off).
   */
  readTimeout: number;
  /** `server.tls`: serve HTTPS from these PEM files (absolute paths). */
  tls?: TlsFiles;
}

export interface TlsFiles {
  cert: string;
  key: string;
  client_ca?: string;
  require_client_cert: boolean;
}

/** How often the certificate files are checked for a renewal. */
const TLS_POLL_MS = 2_000;

/** Bun's TLS options from the files, read now; a missing file names its setting. */
function readTls(tls: TlsFiles) {
  const read = (path: string, setting: string) => {
    try {
      return readFileSync(path, "utf8");
    } catch (error) {
      throw new GatewayError(
        "CONFIG_INVALID",
        `server.tls.${setting}: cannot read ${path}: ${(error as Error).message}`,
      );
    }
  };
  return {
    cert: read(tls.cert, "cert"),
    key: read(tls.key, "key"),
    ...(tls.client_ca
      ? {
          ca: read(tls.client_ca, "client_ca"),
          requestCert: true,
          rejectUnauthorized: tls.require_client_cert,
        }
      : {}),
  };
}

const peerKey = (address: string, port: number) => `${address.replace(/^::ffff:/, "")}:${port}`;

/** One client connection the TLS front handed to the plain listener behind it. */
interface FrontConnection {
  address: string | undefined;
  certificate: ClientCertificate | undefined;
}

interface TlsFront {
  server: TlsServer;
  port: number;
  /** By the front's `address:port` on its connection to the listener behind. */
  connections: Map<string, FrontConnection>;
  renew(): void;
}

/**
 * With `client_ca`, node:tls terminates TLS on the public port (Bun.serve gives a request no
 * peer certificate) and pipes each connection to the plain listener on `inner`, a loopback
 * port. The listener looks the connection up by its source address and port: the client's address and its
 * certificate, only when that chained to `client_ca`. Anything reaching the inner port directly
 * is no connection of the front's and is refused.
 */
function startTlsFront(tls: TlsFiles, host: string, port: number, inner: number): TlsFront {
  const connections = new Map<string, FrontConnection>();
  // A client that connects and never finishes the handshake is dropped after 10 s.
  const options = { ...readTls(tls), handshakeTimeout: 10_000 };
  const server = createTlsServer(options, (client: TLSSocket) => {
    const verified = client.authorized
      ? describeCertificate(client.getPeerCertificate())
      : undefined;
    const upstream: Socket = connect(inner, "127.0.0.1");
    let local: string | undefined;
    const close = () => {
      if (local !== undefined) connections.delete(local);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", close).on("close", close);
    upstream.on("error", close).on("close", close);
    upstream.on("connect", () => {
      // Address and port: another loopback address (127.0.0.2) could reuse the port.
      if (upstream.localPort === undefined || !upstream.localAddress) return close();
      local = peerKey(upstream.localAddress, upstream.localPort);
      connections.set(local, { address: client.remoteAddress, certificate: verified });
      client.pipe(upstream);
      upstream.pipe(client);
    });
  });
  server.on("tlsClientError", () => {});
  server.listen(port, host);
  // Bun binds at once: no address means the port could not be had.
  const address = server.address();
  if (!address || typeof address === "string") {
    server.close();
    throw new GatewayError("CONFIG_INVALID", `server.port: cannot listen on ${host}:${port}`);
  }
  return {
    server,
    port: address.port,
    connections,
    renew: () => server.setSecureContext(readTls(tls)),
  };
}

const DEFAULT_LIMITS: ServeLimits = {
  readTimeout: 30_000,
  max: 4096,
  perAddress: 512,
};

function internalError(error: unknown): Response {
  const message = error instanceof Error ? error.message : String(error);
  return Response.json({ error: `internal error: ${message}` }, { status: 500 });
}

/**
 * The only HTTP listener: `Bun.serve`, or `Deno.serve` when the core runs under Deno.
 *
 * Under Bun, no connection lives long unless it carries a response: a request's headers and
 * body must arrive within `readTimeout` (the server's idle timeout bounds the headers, a
 * deadline the body: 408), a keep-alive connection with nothing to do closes after the same
 * time, and only once a request is in does its connection's timeout go (so long tool calls and
 * quiet SSE streams survive) until its response, or its stream, ends. Requests and streams
 * open at once are capped in all and per client address (503 past a cap), with headroom for
 * `/health`. Under Deno idle timeouts are off and none of this applies.
 */
export function serveHttp(
  routes: Routes,
  host: string,
  port: number,
  limits: ServeLimits = DEFAULT_LIMITS,
): HttpServer {
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
  // Bun's idle timeout is in whole seconds (at most 255), checked every 4: it closes idle
  // keep-alive connections, and slow bodies only as a backstop (a tick later than the precise
  // deadline below, so that they get their 408). Bun cuts slow headers itself after 10 s.
  const idleSeconds = Math.min(255, Math.ceil(limits.readTimeout / 1000) + 4);
  const gate = createConnectionGate(limits);
  const { tls } = limits;
  // With client certificates to read, a node:tls front takes the public port (started below).
  const withFront = !!tls?.client_ca;
  let front: TlsFront | undefined;
  const listen = (port: number) =>
    Bun.serve({
      hostname: withFront ? "127.0.0.1" : host,
      port: withFront ? 0 : port,
      // With TLS a renewed certificate is served by a new listener on the same port, which takes
      // over from the old one (that finishes its requests): both must share the port.
      ...(tls && !withFront ? { tls: readTls(tls), reusePort: true } : {}),
      idleTimeout: idleSeconds,
      maxRequestBodySize: MAX_REQUEST_BODY,
      fetch: async (request, server) => {
        const ip = server.requestIP(request);
        let peer = ip?.address;
        let certificate: ClientCertificate | undefined;
        if (withFront) {
          const connection = ip ? front?.connections.get(peerKey(ip.address, ip.port)) : undefined;
          if (!connection) {
            return Response.json({ error: "connect to the gateway's TLS port" }, { status: 403 });
          }
          peer = connection.address;
          certificate = connection.certificate;
        }
        const health = request.method === "GET" && new URL(request.url).pathname === "/health";
        const release = gate.enter(routes.clientAddress(request, peer), health);
        if (typeof release !== "function") return refused(503, release.refused);
        let streaming = false;
        try {
          let arrived = request;
          if (hasBody(request)) {
            const body = await readArrivedBody(request, MAX_BODY_BYTES, limits.readTimeout);
            if (body.late) {
              return refused(
                408,
                `the request body did not arrive within ${limits.readTimeout / 1000}s (server.read_timeout)`,
              );
            }
            if (!body.complete) {
              return refused(413, `request body too large (limit ${MAX_BODY_BYTES} bytes)`);
            }
            // The routes read the bytes from here, not from the rebuilt request again.
            arrived = withArrivedBody(
              new Request(innerUrl(request), {
                method: request.method,
                headers: request.headers,
                body: body.bytes,
                signal: request.signal,
              }),
              body.bytes,
            );
          } else if (withFront) {
            arrived = new Request(innerUrl(request), {
              method: request.method,
              headers: request.headers,
              signal: request.signal,
            });
          }
          if (certificate) attachClientCertificate(arrived, certificate);
          // Everything has arrived: the call may take as long as it takes.
          server.timeout(request, 0);
          const response = await routes.fetch(arrived, peer);
          if (response.body && response.headers.get("content-type")?.includes("event-stream")) {
            streaming = true;
            return untilStreamEnds(response, () => {
              release();
              idleAgain(server, request, idleSeconds);
            });
          }
          return response;
        } finally {
          if (!streaming) {
            release();
            idleAgain(server, request, idleSeconds);
          }
        }
      },
      error: internalError,
    });
  // Behind the front the request came in over TLS: its URL says so (origin checks, cookies).
  const innerUrl = (request: Request) =>
    withFront ? request.url.replace(/^http:/, "https:") : request.url;
  let server = listen(port);
  if (withFront) {
    try {
      front = startTlsFront(tls!, host, port, server.port ?? 0);
    } catch (error) {
      void server.stop(true);
      throw error;
    }
  }
  const draining = new Set<typeof server>();
  const renew = () => {
    try {
      if (front) {
        front.renew();
        logger.info("server.tls: certificate files changed; now serving the new certificate");
        return;
      }
      const next = listen(server.port ?? port);
      const old = server;
      server = next;
      draining.add(old);
      void old.stop(false).finally(() => draining.delete(old));
      logger.info("server.tls: certificate files changed; now serving the new certificate");
    } catch (error) {
      // A renewal caught halfway (the new cert, the old key): the next change tries again.
      logger.warn(
        `server.tls: cannot load the changed files, still serving the old ones: ${(error as Error).message}`,
      );
    }
  };
  const watched = tls ? [tls.cert, tls.key, tls.client_ca].filter((f): f is string => !!f) : [];
  for (const file of watched) watchFile(file, { interval: TLS_POLL_MS }, renew);
  return {
    url: `${tls ? "https" : "http"}://${shown}:${front?.port ?? server.port}`,
    port: front?.port ?? server.port ?? port,
    innerPort: front ? server.port : undefined,
    refuse() {
      for (const file of watched) unwatchFile(file, renew);
      front?.server.close();
      void server.stop(false);
    },
    async stop() {
      for (const file of watched) unwatchFile(file, renew);
      front?.server.close();
      await Promise.all([server, ...draining].map((s) => s.stop(true)));
    },
  };
}

function refused(status: 408 | 413 | 503, message: string): Response {
  return Response.json(
    { jsonrpc: "2.0", error: { code: status === 413 ? -32600 : -32000, message }, id: null },
    {
      status,
      // The connection goes: a 408's body is still arriving, and past a cap it is one too many.
      headers: { Connection: "close", ...(status === 503 ? { "Retry-After": "1" } : {}) },
    },
  );
}

function hasBody(request: Request): boolean {
  if (request.method === "GET" || request.method === "HEAD") return false;
  const length = request.headers.get("content-length");
  return length ? length !== "0" : request.headers.has("transfer-encoding");
}

/** Gives the connection back its idle timeout once its response is done (keep-alive). */
function idleAgain(server: Bun.Server<unknown>, request: Request, seconds: number): void {
  try {
    server.timeout(request, seconds);
  } catch {
    // The client is already gone.
  }
}

/** Bun's stream constructor, which takes direct sources (the DOM types loaded too do not). */
const DirectStream = ReadableStream as unknown as new (
  source: Bun.DirectUnderlyingSource<Uint8Array>,
) => ReadableStream<Uint8Array>;

/**
 * The same response, calling `done` once when its stream ends, fails or is cancelled. The body is
 * a Bun direct stream: each event goes straight to the socket as it comes (a default stream
 * wrapping the transport's would queue it twice and cost Bun a pull per chunk).
 */
function untilStreamEnds(response: Response, done: () => void): Response {
  const reader = response.body!.getReader();
  let finished = false;
  const finish = () => {
    if (!finished) done();
    finished = true;
  };
  const body = new DirectStream({
    type: "direct",
    async pull(controller) {
      try {
        for (;;) {
          const { value, done: ended } = await reader.read();
          if (ended) break;
          // A pending write is the socket pushing back: the next event waits for it to drain.
          const written = controller.write(value);
          if (typeof written !== "number") await written;
          controller.flush();
        }
      } finally {
        finish();
      }
      controller.close();
    },
    cancel(reason) {
      finish();
      return reader.cancel(reason);
    },
  });
  return new Response(body, { status: response.status, headers: response.headers });
}
