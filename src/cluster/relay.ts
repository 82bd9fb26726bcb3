import { createHmac, timingSafeEqual } from "node:crypto";
import { type ClientCertificate, clientCertificateOf } from "../http/client-cert.ts";
import { logger } from "../logger.ts";
import type { ClusterLink } from "./link.ts";
import { PeerSilent, type ProbeOutcome } from "./peer-watch.ts";

/** Marks a request one instance relayed to another (its value is the cluster's secret). */
export const RELAY_HEADER = "x-mcp-gateway-relay";

/**
 * On a relayed request: the client certificate the relaying instance verified (`server.tls.
 * client_ca`), as `<base64url JSON>.<HMAC-SHA256 of it under the cluster's secret>`. Believed
 * only on a request that also carries the relay secret; a client's own is dropped on relay.
 */
export const RELAYED_CERT_HEADER = "x-mcp-gateway-client-cert";

/**
 * On a relayed request: the client's address as the relaying instance resolved it (through
 * `server.trusted_proxies`). Believed only on a request that carries the relay secret, so the
 * owner counts the client's connections and lockout, not the relaying instance's.
 */
export const RELAYED_ADDRESS_HEADER = "x-mcp-gateway-client-address";

/** The client address each arriving request was resolved to (`noteClientAddress`). */
const addresses = new WeakMap<Request, string>();

/** Remembers the client address `request` came from, for a relay of it to carry along. */
export function noteClientAddress(request: Request, address: string | undefined): void {
  if (address) addresses.set(request, address);
}

/**
 * The client address of a request another instance relayed (the one it resolved); undefined
 * for any other request, or a relayed one without it.
 */
export function relayedAddress(
  request: Request,
  link: ClusterLink | undefined,
): string | undefined {
  if (!isRelayed(request, link)) return undefined;
  return request.headers.get(RELAYED_ADDRESS_HEADER) || undefined;
}

/** What Redis holds for each 2025-11-25 session: who owns it, and how to re-create it. */
export interface SharedSession {
  /** The owning instance's URL (`cluster.advertise_url`). */
  owner: string;
  scope: string;
  /** The caller id that opened it; only the same caller may use it anywhere. */
  caller: string;
  /** The client's `initialize` params (capabilities, clientInfo, protocolVersion). */
  init: unknown;
  /** The routing profile the session is bound to now (picked at `initialize`, or switched). */
  profile?: string;
  /** The resources the client subscribed to (`resources/subscribe`): an adopter subscribes again. */
  subscriptions?: string[];
}

export const sessionKey = (id: string) => `session:${id}`;
export const eventsKey = (id: string) => `events:${id}`;
/** The claim an instance takes before adopting a session whose owner is gone. */
export const adoptKey = (id: string) => `adopting:${id}`;
/** How long an adoption claim holds (a claimant that died frees it after this). */
export const ADOPT_CLAIM_MS = 10_000;

/** Whether `request` was relayed by another instance of this cluster (not by a client). */
export function isRelayed(request: Request, link: ClusterLink | undefined): boolean {
  return !!link && request.headers.get(RELAY_HEADER) === link.secret;
}

// Per hop, never forwarded (RFC 9110 §7.6.1), or recomputed by fetch.
const HOP_HEADERS = ["connection", "keep-alive", "transfer-encoding", "content-length", "host"];

/**
 * Sends a session's request on to the instance that owns it and returns its answer as is (an
 * SSE stream flows through, so the owner's progress, sampling, elicitation and list_changed
 * reach the client on this connection). `undefined` when the owner cannot be reached: it died,
 * and the caller adopts the session.
 */
export async function relayToOwner(
  owner: string,
  request: Request,
  parsedBody: unknown,
  link: ClusterLink,
): Promise<Response | undefined> {
  // A peer that went silent is not waited on again: its sessions are adopted here meanwhile.
  if (link.peerWatch?.isSilent(owner)) return undefined;
  const url = new URL(request.url);
  const headers = new Headers(request.headers);
  for (const name of HOP_HEADERS) headers.delete(name);
  headers.set(RELAY_HEADER, link.secret);
  headers.delete(RELAYED_ADDRESS_HEADER);
  const address = addresses.get(request);
  if (address) headers.set(RELAYED_ADDRESS_HEADER, address);
  // The identity of the client's certificate goes along, signed; never one the client sent.
  headers.delete(RELAYED_CERT_HEADER);
  const certificate = clientCertificateOf(request);
  if (certificate) headers.set(RELAYED_CERT_HEADER, signCertificate(certificate, link.secret));
  const tls = owner.startsWith("https:") ? link.relayTls?.() : undefined;
  const ids = requestIds(parsedBody);
  // A stopped or cut-off owner accepts the connection (or never refuses it) and says nothing:
  // the watch aborts the relay when the owner stops answering its /health too.
  const watch = link.peerWatch?.watch(owner);
  const signal = watch ? AbortSignal.any([request.signal, watch.signal]) : request.signal;
  try {
    const response = await fetch(`${owner}${url.pathname}${url.search}`, {
      method: request.method,
      headers,
      body: request.method === "POST" ? JSON.stringify(parsedBody) : undefined,
      signal,
      redirect: "manual",
      ...(tls ? { tls } : {}),
    } as RequestInit);
    const body = passThrough(response, ids, owner, request.signal, watch, link);
    return new Response(body, { status: response.status, headers: response.headers });
  } catch (error) {
    watch?.done();
    if (request.signal.aborted) throw error;
    const silent = watch?.signal.reason;
    // The request may have reached the owner, which runs it when it resumes: never run here.
    if (silent instanceof PeerSilent && ids.length) return silentAnswer(ids, silent, link);
    warnUnreachable(owner, silent ?? error);
    // A connection the owner closed or reset after the request was sent (it died while the
    // call started): the call may have run there, so it is not run again here by adopting the
    // session (a side effect twice); its client hears so. The next request finds the owner
    // refusing and adopts the session. Only a connection never made is safe to serve here.
    if (ids.length && request.method === "POST" && !neverSent(error)) {
      return cutAnswer(ids, owner, error);
    }
    return undefined;
  }
}

/** Whether a relay's `error` says the connection was never made (the request never left). */
function neverSent(error: unknown): boolean {
  const code = String((error as { code?: unknown })?.code ?? "");
  return /ECONNREFUSED|ConnectionRefused|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|CERT|SSL|TLS/i.test(
    code,
  );
}

/** JSON-RPC error answers to `ids`: the owner's connection broke before its answer began. */
function cutAnswer(ids: (string | number)[], owner: string, error: unknown): Response {
  const why = error instanceof Error ? error.message : String(error);
  const message = `the gateway instance that holds this session (${owner}) closed the connection before it answered (${why}); the request may or may not have run there: retry only if that is safe (the session goes on, on another instance, if that one is gone)`;
  const answers = ids.map((id) => ({ jsonrpc: "2.0", id, error: { code: -32603, message } }));
  return Response.json(answers.length === 1 ? answers[0] : answers);
}

/** The ids of the requests in a POST's body (a batch's too); none for notifications. */
function requestIds(parsedBody: unknown): (string | number)[] {
  return (Array.isArray(parsedBody) ? parsedBody : [parsedBody])
    .filter((message) => typeof message?.method === "string" && message.id != null)
    .map((message) => message.id as string | number);
}

/** What the client of a request relayed to a silent owner is told. */
function silentMessage(silent: PeerSilent, link: ClusterLink): string {
  return `the gateway instance that holds this session (${silent.peer}) has not answered ${link.url} for ${Math.round(silent.afterMs / 1000)} s (stopped, overloaded or cut off; cluster.peer_timeout): the request may or may not run there when it resumes, so retry only if that is safe; the next request is served by another instance, which takes the session over`;
}

/** JSON-RPC error answers to `ids`, the owner having said nothing before its answer began. */
function silentAnswer(ids: (string | number)[], silent: PeerSilent, link: ClusterLink): Response {
  const message = silentMessage(silent, link);
  const answers = ids.map((id) => ({ jsonrpc: "2.0", id, error: { code: -32603, message } }));
  return Response.json(answers.length === 1 ? answers[0] : answers);
}

/**
 * The relayed POSTs whose answer stream is still open, per instance (its link): its shutdown
 * waits for them like for its own sessions' calls, then answers those still open
 * (`answerRelays`). Cut with the instance's connections instead, a client that had not yet
 * read the stream's first event could not resume it anywhere, and waited for good.
 */
const openRelays = new WeakMap<ClusterLink, Set<(why: string) => Promise<void>>>();

/** How many relayed POSTs of this instance still wait for their answers. */
export function relaysInFlight(link: ClusterLink | undefined): number {
  return (link && openRelays.get(link)?.size) || 0;
}

/**
 * Answers each request of every relayed POST still open with an error (the shutdown's wait is
 * over): its client learns now that the outcome is unknown, before the connections close.
 * Resolves once each answer was taken to be sent (a second at most).
 */
export async function answerRelays(link: ClusterLink | undefined): Promise<void> {
  const open = link ? openRelays.get(link) : undefined;
  if (!link || !open?.size) return;
  const message = `this gateway instance (${link.url}) shut down before the answer came (server.shutdown_timeout passed); it may or may not have run: retry only if that is safe (the session goes on, on another instance)`;
  const sent = Promise.all([...open].map((answer) => answer(message)));
  await Promise.race([sent, new Promise((done) => setTimeout(done, 1000))]);
}

/** An SSE text that answers each of `ids` with `message`, ending any half-written event. */
function errorEvents(ids: (string | number)[], message: string): string {
  let text = "\n\n";
  for (const id of ids) {
    const answer = { jsonrpc: "2.0", id, error: { code: -32603, message } };
    text += `event: message\ndata: ${JSON.stringify(answer)}\n\n`;
  }
  return text;
}

/**
 * The owner's answer, passed through until it ends (then the peer watch lets go). An event
 * stream for a POST that breaks off (the owner died, went silent, or its connection dropped
 * mid-call) rather than ending gives each request of the POST an error answer at its end: the
 * client learns at once that the call's outcome is unknown instead of waiting for an answer
 * nobody will send. The request is never sent again (it may have run). While it is open, this
 * instance's shutdown waits for it (`relaysInFlight`, `answerRelays`).
 */
function passThrough(
  response: Response,
  ids: (string | number)[],
  owner: string,
  signal: AbortSignal,
  watch: { signal: AbortSignal; done(): void } | undefined,
  link: ClusterLink,
): ReadableStream<Uint8Array> | null {
  const body = response.body;
  if (!body) {
    watch?.done();
    return body;
  }
  const answersIfCut =
    ids.length > 0 && !!response.headers.get("content-type")?.includes("text/event-stream");
  const reader = body.getReader();
  const encoder = new TextEncoder();
  const open = openRelays.get(link) ?? new Set();
  openRelays.set(link, open);
  let ended = false;
  let answer: ((why: string) => Promise<void>) | undefined;
  /** Set once this instance's own answer is queued: called when the client's side took it. */
  let taken: (() => void) | undefined;
  const end = () => {
    ended = true;
    if (answer) open.delete(answer);
    watch?.done();
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (!answersIfCut) return;
      answer = (why) =>
        new Promise<void>((done) => {
          if (ended) return done();
          end();
          taken = done;
          controller.enqueue(encoder.encode(errorEvents(ids, why)));
          void reader.cancel().catch(() => {});
        });
      open.add(answer);
    },
    async pull(controller) {
      // Asked for more after this instance's own answer: it was taken; the stream ends.
      if (taken) {
        controller.close();
        return taken();
      }
      try {
        const { value, done } = await reader.read();
        if (ended) return;
        if (done) {
          end();
          controller.close();
        } else controller.enqueue(value);
      } catch (error) {
        if (ended) return;
        end();
        const silent = watch?.signal.reason instanceof PeerSilent ? watch.signal.reason : undefined;
        // Only a connection that dropped while the owner lives: the client resumes the stream
        // there (`Last-Event-ID`) and gets the answer after all.
        if (!answersIfCut || (!signal.aborted && !silent && (await reachable(owner, link)))) {
          controller.error(error);
          return;
        }
        // The client itself went away: nobody to tell.
        if (!signal.aborted) {
          const message = silent
            ? silentMessage(silent, link)
            : `the gateway instance that held this session (${owner}) went away during the request (${error instanceof Error ? error.message : error}); it may or may not have run: retry only if that is safe (the session goes on, on another instance)`;
          controller.enqueue(encoder.encode(errorEvents(ids, message)));
        }
        controller.close();
      }
    },
    cancel(reason) {
      end();
      taken?.();
      return reader.cancel(reason);
    },
  });
}

/** Whether the instance at `owner` answers at all (its `/health`), within a second. */
async function reachable(owner: string, link: ClusterLink): Promise<boolean> {
  return (await probePeer(owner, 1000, link)) === "answered";
}

/**
 * Asks the instance at `peer` for its `/health` within `timeoutMs`: "answered" (any status),
 * "refused" (a connection error before the time: draining or gone), or "silent".
 */
export async function probePeer(
  peer: string,
  timeoutMs: number,
  link: ClusterLink,
): Promise<ProbeOutcome> {
  const tls = peer.startsWith("https:") ? link.relayTls?.() : undefined;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(`${peer}/health`, {
      signal,
      ...(tls ? { tls } : {}),
    } as RequestInit);
    await response.body?.cancel();
    return "answered";
  } catch {
    return signal.aborted ? "silent" : "refused";
  }
}

/** When each owner's failure was last logged: once a minute each, not once per request. */
const warned = new Map<string, number>();
const WARN_EVERY_MS = 60_000;

/** Logs why a relay failed; an untrusted certificate says which setting fixes it. */
function warnUnreachable(owner: string, error: unknown): void {
  const now = Date.now();
  if (now - (warned.get(owner) ?? 0) < WARN_EVERY_MS) return;
  warned.set(owner, now);
  const code = String((error as { code?: unknown })?.code ?? "");
  const message = error instanceof Error ? error.message : String(error);
  const certificate = /CERT|SSL|TLS/i.test(code) || /certificate/i.test(message);
  logger
    .withTag("cluster")
    .warn(
      certificate
        ? `relay to ${owner}: its certificate is not trusted (${code || message}): set cluster.ca to the CA file the instances' certificates chain to, and make sure the certificate names that host (docs/scaling.md)`
        : `relay to ${owner} failed (${message})`,
    );
}

const mac = (payload: string, secret: string) =>
  createHmac("sha256", secret).update(payload).digest("base64url");

function signCertificate(certificate: ClientCertificate, secret: string): string {
  const payload = Buffer.from(JSON.stringify(certificate)).toString("base64url");
  return `${payload}.${mac(payload, secret)}`;
}

/**
 * A relayed request's client certificate, as the instance that relayed it verified it: from
 * `RELAYED_CERT_HEADER`, when the request carries the relay secret and the header's signature
 * holds. `null` for a relayed request without one (its client showed no certificate: the
 * relaying instance's own, shown to reach this one, is not the caller's). `undefined` for a
 * request that was not relayed, which keeps the certificate of its own connection.
 */
export function relayedCertificate(
  request: Request,
  link: ClusterLink | undefined,
): ClientCertificate | null | undefined {
  if (!isRelayed(request, link)) return undefined;
  const value = request.headers.get(RELAYED_CERT_HEADER);
  const [payload, signature] = value?.split(".") ?? [];
  if (!payload || !signature) return null;
  const expected = Buffer.from(mac(payload, link!.secret));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  try {
    const parsed = JSON.parse(
      Buffer.from(payload, "base64url").toString("utf8"),
    ) as ClientCertificate;
    return typeof parsed.fingerprintSha256 === "string" ? parsed : null;
  } catch {
    return null;
  }
}
