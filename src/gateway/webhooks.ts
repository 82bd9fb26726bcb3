import type { JsonObject } from "../backends/types.ts";
import type { Capability } from "../capabilities/resolve.ts";
import type { ClusterLink } from "../cluster/link.ts";
import { logger } from "../logger.ts";
import { readCapped } from "../security/body.ts";
import { createRateLimiter, type RateLimiter } from "../security/rate-limit.ts";
import {
  providerOf,
  verifySignature,
  type WebhookProvider,
} from "../security/webhook-signature.ts";
import type { Gateway } from "./gateway.ts";

const log = logger.withTag("webhooks");

/** The URI scheme of a webhook endpoint's resource: `webhook://<capability>/<id>`. */
export const WEBHOOK_SCHEME = "webhook://";
/** Deliveries remembered against replay, per endpoint, at most. */
const REPLAY_MEMORY = 10_000;
/** GitHub's scheme signs no timestamp: a delivery is remembered this long. */
const UNTIMED_MEMORY = 24 * 60 * 60_000;
/** The cluster channel deliveries are announced on: `{from, uri, delivery}`. */
export const WEBHOOK_CHANNEL = "webhook";

/** One endpoint, as a capability file declares it. */
export interface WebhookEndpoint {
  capability: string;
  id: string;
  uri: string;
  /** Under `webhooks.base_path`, without a leading slash. */
  path: string;
  provider: WebhookProvider;
  header?: string;
  secret?: string;
  notify: boolean;
  transform?: { event_type?: string; data?: Record<string, string> };
}

/** One accepted delivery, as the resource and the notification carry it (never the secret). */
export interface Delivery {
  at: string;
  event?: string;
  data: unknown;
}

export interface EndpointStats {
  capability: string;
  id: string;
  uri: string;
  path: string;
  provider: WebhookProvider;
  deliveries: number;
  failures: number;
  lastDelivery?: string;
  lastFailure?: { at: string; status: number; reason: string };
}

type Listener = (endpoint: WebhookEndpoint, delivery: Delivery) => void;

/** Per gateway: endpoints' counters, recent deliveries, replay memory, limits and listeners. */
export class WebhookHub {
  private readonly stats = new Map<string, EndpointStats>();
  private readonly recent = new Map<string, Delivery[]>();
  private readonly seen = new Map<string, Map<string, number>>();
  private readonly limiters = new Map<string, RateLimiter>();
  private readonly listeners = new Set<Listener>();
  private cluster?: ClusterLink;

  constructor(private readonly gateway: Gateway) {}

  /**
   * In a cluster: a delivery received by any instance reaches the subscribed sessions of every
   * instance (and its resource there), and replay memory is shared, so a delivery sent again
   * to another instance behind the load balancer is still a replay.
   */
  share(link: ClusterLink | undefined): void {
    this.cluster = link;
    // A Redis that restarted empty forgot every delivery taken: what this instance took and
    // still remembers is claimed again, so a replay sent to another instance is still one.
    link?.onReconnect(() => void this.reclaim(link));
    link?.subscribe(WEBHOOK_CHANNEL, (text) => {
      let message: { from?: string; uri?: string; delivery?: Delivery };
      try {
        message = JSON.parse(text);
      } catch {
        return;
      }
      if (message.from === link.instanceId || !message.uri || !message.delivery) return;
      const endpoint = this.find(message.uri);
      if (endpoint) this.fanOut(endpoint, message.delivery);
    });
  }

  /** Every endpoint of every capability served (read fresh: capability files hot-reload). */
  endpoints(): WebhookEndpoint[] {
    const found: WebhookEndpoint[] = [];
    for (const driver of this.gateway.drivers) {
      const registry = (driver as { registry?: { list(): Capability[] } }).registry;
      for (const capability of registry?.list() ?? []) {
        for (const hook of capability.webhooks ?? []) {
          found.push({
            capability: capability.name,
            id: hook.id,
            uri: `${WEBHOOK_SCHEME}${capability.name}/${hook.id}`,
            path: (hook.path ?? `${capability.name}/${hook.id}`).replace(/^\//, ""),
            provider: hook.provider ?? providerOf(hook.signature_header),
            header: hook.signature_header,
            secret: hook.secret,
            notify: hook.notify,
            transform: hook.transform,
          });
        }
      }
    }
    return found;
  }

  /** The backend whose resources grant a webhook resource: the capabilities backend. */
  get server(): string {
    return this.gateway.config.capabilities.name;
  }

  find(uri: string): WebhookEndpoint | undefined {
    return this.endpoints().find((endpoint) => endpoint.uri === uri);
  }

  deliveries(uri: string): Delivery[] {
    return this.recent.get(uri) ?? [];
  }

  status(): EndpointStats[] {
    return this.endpoints().map((endpoint) => this.statsOf(endpoint));
  }

  listen(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** `POST {base_path}/{path}`: checks, records and fans out one delivery. */
  async receive(request: Request, path: string): Promise<Response> {
    const settings = this.gateway.config.webhooks;
    const endpoint = this.endpoints().find((candidate) => candidate.path === path);
    if (!endpoint) {
      return Response.json(
        { error: `no webhook at ${settings.base_path}/${path}` },
        { status: 404 },
      );
    }
    const stats = this.statsOf(endpoint);
    const fail = (status: number, reason: string, headers?: HeadersInit) => {
      stats.failures++;
      stats.lastFailure = { at: new Date().toISOString(), status, reason };
      log.warn(`${endpoint.uri}: refused (${status}): ${reason}`);
      return Response.json({ error: reason }, { status, headers });
    };
    if (request.method !== "POST") return fail(405, "webhooks are received with POST");
    let limiter = this.limiters.get(endpoint.uri);
    if (limiter?.perMinute !== settings.rate_limit) {
      // A reloaded limit counts what this minute spent under the old one.
      limiter = createRateLimiter(settings.rate_limit, Date.now, limiter?.spent() ?? 0);
      this.limiters.set(endpoint.uri, limiter);
    }
    const wait = limiter.take();
    if (wait) {
      return fail(429, "rate limit (webhooks.rate_limit) exceeded", {
        "retry-after": String(Math.ceil(wait / 1000)),
      });
    }
    const declared = Number(request.headers.get("content-length") ?? 0);
    if (declared > settings.max_body_bytes) return fail(413, "body too large");
    const { bytes, complete } = await readCapped(request, settings.max_body_bytes);
    if (!complete) return fail(413, `body too large (webhooks.max_body_bytes)`);

    const secret = endpoint.secret ? resolveSecret(endpoint.secret, this.gateway.env) : undefined;
    if (endpoint.secret && !secret) {
      return fail(503, `${endpoint.uri}: its secret (${endpoint.secret}) is not set`);
    }
    if (secret) {
      const verdict = verifySignature({
        provider: endpoint.provider,
        secret,
        raw: bytes,
        headers: request.headers,
        header: endpoint.header,
        window: settings.replay_window,
      });
      if (!verdict.ok) return fail(401, `signature check failed: ${verdict.reason}`);
      const ids = [
        verdict.replayKey,
        request.headers.get("x-github-delivery"),
        request.headers.get("linear-delivery"),
      ].filter((id): id is string => !!id);
      const memory = endpoint.provider === "github" || endpoint.provider === "hmac";
      const ttl = memory ? UNTIMED_MEMORY : settings.replay_window;
      if (
        this.replayed(endpoint.uri, ids, ttl) ||
        (await this.replayedShared(endpoint, ids, ttl))
      ) {
        return fail(409, "this delivery was already received (replay)");
      }
    } else if (settings.require_signature) {
      return fail(401, `${endpoint.uri} has no secret and webhooks.require_signature is on`);
    }

    let payload: unknown;
    try {
      payload = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      return fail(400, "body is not JSON");
    }
    const delivery: Delivery = {
      at: new Date().toISOString(),
      ...transformed(endpoint, payload, request.headers),
    };
    stats.deliveries++;
    stats.lastDelivery = delivery.at;
    this.fanOut(endpoint, delivery);
    const cluster = this.cluster;
    if (cluster?.connected) {
      const message = { from: cluster.instanceId, uri: endpoint.uri, delivery };
      void cluster.publish(WEBHOOK_CHANNEL, JSON.stringify(message));
    }
    return Response.json({ received: true });
  }

  /** Keeps a delivery for its resource and tells this instance's subscribed sessions. */
  private fanOut(endpoint: WebhookEndpoint, delivery: Delivery): void {
    const kept = this.recent.get(endpoint.uri) ?? [];
    kept.unshift(delivery);
    kept.length = Math.min(kept.length, this.gateway.config.webhooks.keep);
    this.recent.set(endpoint.uri, kept);
    if (endpoint.notify) {
      for (const listener of this.listeners) listener(endpoint, delivery);
    }
  }

  /**
   * Whether another instance (or this one, earlier) already took any of `ids`: each is claimed
   * in the shared store for `ttl`. False without a cluster, or while its store is down (this
   * instance's own memory still answers then).
   */
  private async replayedShared(endpoint: WebhookEndpoint, ids: string[], ttl: number) {
    const cluster = this.cluster;
    if (!cluster?.connected || ids.length === 0) return false;
    const token = `${cluster.instanceId}:${crypto.randomUUID()}`;
    const holders = await Promise.all(
      ids.map((id) => cluster.claim(`webhook-seen:${endpoint.uri}:${id}`, token, ttl)),
    );
    return holders.some((holder) => holder !== undefined && holder !== token);
  }

  /** Claims again, for the time each has left, every delivery id this instance remembers. */
  private async reclaim(cluster: ClusterLink): Promise<void> {
    const now = Date.now();
    const token = `${cluster.instanceId}:reclaimed`;
    const claims: Promise<unknown>[] = [];
    for (const [uri, seen] of this.seen) {
      for (const [id, expires] of seen) {
        if (expires > now)
          claims.push(cluster.claim(`webhook-seen:${uri}:${id}`, token, expires - now));
      }
    }
    await Promise.all(claims);
  }

  private statsOf(endpoint: WebhookEndpoint): EndpointStats {
    const { capability, id, uri, path, provider } = endpoint;
    let stats = this.stats.get(uri);
    if (!stats) {
      stats = { capability, id, uri, path, provider, deliveries: 0, failures: 0 };
      this.stats.set(uri, stats);
    }
    // A reload may have moved it or changed its scheme; the counters stay.
    Object.assign(stats, { path, provider });
    return stats;
  }

  /** Whether any of `ids` was seen within `ttl`; remembers them all. */
  private replayed(uri: string, ids: string[], ttl: number): boolean {
    const now = Date.now();
    let seen = this.seen.get(uri);
    if (!seen) {
      seen = new Map();
      this.seen.set(uri, seen);
    }
    for (const [key, expires] of seen) {
      if (expires > now && seen.size <= REPLAY_MEMORY) break;
      seen.delete(key);
    }
    if (ids.some((id) => (seen.get(id) ?? 0) > now)) return true;
    for (const id of ids) seen.set(id, now + ttl);
    return false;
  }
}

const hubs = new WeakMap<Gateway, WebhookHub>();

export function webhooksFor(gateway: Gateway): WebhookHub {
  let hub = hubs.get(gateway);
  if (!hub) {
    hub = new WebhookHub(gateway);
    hubs.set(gateway, hub);
  }
  return hub;
}

/** `env:NAME`, `${NAME}`, `{env.NAME}` or a literal. */
function resolveSecret(spec: string, env: Record<string, string | undefined>): string | undefined {
  const name =
    /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(spec)?.[1] ??
    /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(spec)?.[1] ??
    /^\{env\.([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(spec)?.[1];
  return name ? env[name] || undefined : spec;
}

/** The event type and data a delivery keeps: the `transform`'s picks, else the whole payload. */
function transformed(
  endpoint: WebhookEndpoint,
  payload: unknown,
  headers: Headers,
): { event?: string; data: unknown } {
  const transform = endpoint.transform;
  const picked = transform?.event_type ? extract(payload, transform.event_type) : undefined;
  const event =
    (typeof picked === "string" ? picked : undefined) ??
    headers.get("x-github-event") ??
    (typeof (payload as JsonObject | null)?.type === "string"
      ? ((payload as JsonObject).type as string)
      : undefined);
  if (!transform?.data) return { event, data: payload };
  const data: Record<string, unknown> = {};
  for (const [field, spec] of Object.entries(transform.data)) {
    const value = extract(payload, spec);
    if (value !== undefined || !spec.includes("{")) data[field] = value;
  }
  return { event, data };
}

/**
 * A transform's value: a dotted path into the payload (`pusher.name`), or the original gateway's
 * template (its WEBHOOKS.md: `linear.issue.{action}`, `{data.id}`), each `{path}` replaced by
 * that field as text; undefined when a field it names is missing, as the original skips it.
 */
function extract(payload: unknown, spec: string): unknown {
  if (!/\{[^{}]+\}/.test(spec)) return pick(payload, spec);
  let missing = false;
  const text = spec.replace(/\{([^{}]+)\}/g, (_, path: string) => {
    const value = pick(payload, path.trim());
    if (value === undefined) missing = true;
    return typeof value === "string" ? value : JSON.stringify(value);
  });
  return missing ? undefined : text;
}

function pick(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.replace(/^\$?\.?/, "").split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
