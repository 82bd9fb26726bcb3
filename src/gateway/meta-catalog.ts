import type { JsonObject } from "../backends/types.ts";
import { RESULT_SCHEME, resultsFor } from "../codemode/results.ts";
import { type LoggingLevel, ProtocolError, type Server, type ServerContext } from "../mcp/sdk.ts";
import { resourceAllow } from "../meta/apps.ts";
import {
  getSkillPrompt,
  reachesSkills,
  readSkillResource,
  SKILL_SCHEME,
  skillPages,
  skillPrompts,
  skillResources,
  skillsFor,
  skillUriVisible,
} from "../skills/serve.ts";
import type { Caller, CatalogKind } from "./caller.ts";
import { type Allow, withParams } from "./catalog.ts";
import { forwardRequest, sessionRelay } from "./channel.ts";
import type { Gateway } from "./gateway.ts";
import { LEVELS } from "./log-levels.ts";
import { subscribed, unsubscribed } from "./subscriptions.ts";
import { taskStatusFor } from "./task-table.ts";
import { WEBHOOK_SCHEME, webhooksFor } from "./webhooks.ts";

/**
 * The resources, prompts, completion and logging surface of `/mcp`: every backend's, merged
 * by the gateway's catalog and routed to the owner. Returns a function that detaches the
 * session's listeners.
 */
export function registerCatalogHandlers(
  server: Server,
  gateway: Gateway,
  sessionId: () => string,
  listen: boolean,
  callerFor: (ctx?: ServerContext) => Caller,
): () => void {
  const { catalog, pool } = gateway;
  // Resources and prompts are a backend's, not a tool's: they need a grant of the whole server
  // (or of its resources, its prompts), for the credential on this request.
  const allow = (ctx: ServerContext | undefined, kind: CatalogKind): Allow => {
    const caller = callerFor(ctx);
    if (kind === "resources") return resourceAllow(gateway, caller);
    return (server: string) => caller.allowsCatalog(server, kind);
  };
  const owned = <T extends { server: string; uri?: string }>(
    ctx: ServerContext,
    kind: CatalogKind,
    target: T,
  ): T => {
    if (!allow(ctx, kind)(target.server, target.uri)) {
      throw new ProtocolError(-32002, `${kind === "resources" ? "Resource" : "Prompt"} not found`);
    }
    // A backend outside the session sandbox is no more reachable by its resources and prompts.
    gateway.security.calls.reach(target.server);
    return target;
  };
  /** Exposed URI -> the backend and its own URI, for this session's subscriptions. */
  const subscriptions = new Map<string, { server: string; uri: string }>();

  // A backend's error is redacted as its answer would be (a token in "cannot read …").
  const forward = (ctx: ServerContext, backend: string, method: string, params: JsonObject) =>
    forwardRequest(pool, server, ctx, sessionId(), backend, method, params).catch(
      (error: unknown) => {
        throw gateway.security.filterError(error);
      },
    );

  const hub = webhooksFor(gateway);
  /** This session's subscriptions to `webhook://` resources. */
  const hooked = new Set<string>();
  /** This session's subscriptions to `skill://` resources. */
  const skillSubscriptions = new Set<string>();
  /** A webhook endpoint this caller may see: a grant of the capabilities backend's resources. */
  const webhook = (ctx: ServerContext | undefined, uri: string) => {
    const endpoint = hub.find(uri);
    if (!endpoint || !callerFor(ctx).allowsCatalog(hub.server, "resources")) {
      throw new ProtocolError(-32002, "Resource not found");
    }
    return endpoint;
  };

  server.setRequestHandler("resources/list", async (request, ctx) => {
    // The skills this caller sees come first, in pages of their own (src/skills/serve.ts).
    const { items, nextCursor } = await skillPages(
      skillResources(gateway, callerFor(ctx)),
      request.params?.cursor,
      async (cursor) => {
        const rest = await catalog.listResources(cursor, allow(ctx, "resources"));
        return { items: rest.resources, nextCursor: rest.nextCursor };
      },
    );
    const page = { resources: items, ...(nextCursor ? { nextCursor } : {}) };
    if (request.params?.cursor) return page;
    if (!callerFor(ctx).allowsCatalog(hub.server, "resources")) return page;
    // The webhook endpoints lead the first page.
    const hooks = hub.endpoints().map((endpoint) => ({
      uri: endpoint.uri,
      name: `${endpoint.capability}/${endpoint.id}`,
      description: `Recent deliveries of the ${endpoint.capability} webhook ${endpoint.id}; subscribe to hear of new ones`,
      mimeType: "application/json",
    }));
    return { ...page, resources: [...hooks, ...page.resources] };
  });
  server.setRequestHandler("resources/templates/list", (request, ctx) =>
    catalog.listTemplates(request.params?.cursor, allow(ctx, "resources")),
  );
  server.setRequestHandler("resources/read", async (request, ctx) => {
    const exposed = request.params.uri;
    if (exposed.startsWith(RESULT_SCHEME)) return readKept(gateway, exposed, callerFor(ctx));
    if (exposed.startsWith(SKILL_SCHEME) && skillsFor(gateway)) {
      return readSkillResource(gateway, callerFor(ctx), exposed) as never;
    }
    if (exposed.startsWith(WEBHOOK_SCHEME)) {
      webhook(ctx, exposed);
      const text = JSON.stringify({ deliveries: hub.deliveries(exposed) });
      return { contents: [{ uri: exposed, mimeType: "application/json", text }] };
    }
    const target = owned(
      ctx,
      "resources",
      await catalog.resolveUri(exposed, allow(ctx, "resources")),
    );
    const result = await forward(
      ctx,
      target.server,
      "resources/read",
      withParams(request.params, { uri: target.uri }),
    );
    if (exposed !== target.uri && Array.isArray(result.contents)) {
      // Contents keep the URI the client asked for, so it round-trips.
      result.contents = result.contents.map((content: { uri?: string }) =>
        content.uri === target.uri ? { ...content, uri: exposed } : content,
      );
    }
    return gateway.security.filterContents(result, target.server, target.uri) as never;
  });
  server.setRequestHandler("resources/subscribe", async (request, ctx) => {
    if (request.params.uri.startsWith(SKILL_SCHEME) && skillsFor(gateway)) {
      // Readable now, or "not found"; told of every change of the skills folder after.
      readSkillResource(gateway, callerFor(ctx), request.params.uri);
      skillSubscriptions.add(request.params.uri);
      return {};
    }
    if (request.params.uri.startsWith(WEBHOOK_SCHEME)) {
      hooked.add(webhook(ctx, request.params.uri).uri);
      return {};
    }
    const target = owned(
      ctx,
      "resources",
      await catalog.resolveUri(request.params.uri, allow(ctx, "resources")),
    );
    await forward(
      ctx,
      target.server,
      "resources/subscribe",
      withParams(request.params, { uri: target.uri }),
    );
    subscriptions.set(request.params.uri, target);
    subscribed(gateway, target.server, target.uri, sessionId());
    return {};
  });
  server.setRequestHandler("resources/unsubscribe", async (request, ctx) => {
    if (hooked.delete(request.params.uri) || skillSubscriptions.delete(request.params.uri)) {
      return {};
    }
    const target =
      subscriptions.get(request.params.uri) ??
      owned(
        ctx,
        "resources",
        await catalog.resolveUri(request.params.uri, allow(ctx, "resources")),
      );
    subscriptions.delete(request.params.uri);
    // The backend's subscription may be other sessions' too: it lets go with the last of them.
    if (!unsubscribed(gateway, target.server, target.uri, sessionId())) return {};
    await forward(
      ctx,
      target.server,
      "resources/unsubscribe",
      withParams(request.params, { uri: target.uri }),
    );
    return {};
  });
  server.setRequestHandler("prompts/list", async (request, ctx) => {
    const { items, nextCursor } = await skillPages(
      skillPrompts(gateway, callerFor(ctx)),
      request.params?.cursor,
      async (cursor) => {
        const rest = await catalog.listPrompts(cursor, allow(ctx, "prompts"));
        return { items: rest.prompts, nextCursor: rest.nextCursor };
      },
    );
    return { prompts: items, ...(nextCursor ? { nextCursor } : {}) };
  });
  server.setRequestHandler("prompts/get", async (request, ctx) => {
    const { name, arguments: args } = request.params;
    const skill = getSkillPrompt(gateway, callerFor(ctx), name, args);
    if (skill) return skill;
    const target = owned(
      ctx,
      "prompts",
      await catalog.resolvePrompt(request.params.name, allow(ctx, "prompts")),
    );
    // Its text is redacted as the same text in a tool result or a resource would be.
    return gateway.security.filterPrompt(
      await forward(
        ctx,
        target.server,
        "prompts/get",
        withParams(request.params, { name: target.name }),
      ),
    ) as never;
  });
  server.setRequestHandler("completion/complete", async (request, ctx) => {
    const ref = request.params.ref;
    if (ref.type === "ref/prompt") {
      const target = owned(
        ctx,
        "prompts",
        await catalog.resolvePrompt(ref.name, allow(ctx, "prompts")),
      );
      const params = withParams(request.params, { ref: { ...ref, name: target.name } });
      return (await forward(ctx, target.server, "completion/complete", params)) as never;
    }
    const target = owned(
      ctx,
      "resources",
      await catalog.resolveUri(ref.uri, allow(ctx, "resources")),
    );
    const params = withParams(request.params, { ref: { ...ref, uri: target.uri } });
    return (await forward(ctx, target.server, "completion/complete", params)) as never;
  });
  server.setRequestHandler("logging/setLevel", async (request) => {
    gateway.logLevels.set(sessionId(), request.params.level);
    await applyLogLevel(gateway);
    return {};
  });

  if (!listen) return () => {};
  const relay = sessionRelay(server);
  /** The backends this session listens to: those of the config, then those a reload adds. */
  const stops = new Map<string, () => void>();
  const listenToAll = () => {
    // A backend whose config cannot resolve (an unset `${VAR}`) has nothing to listen to; it is
    // failed alone and must not fail the session (a reload that fixes it is heard).
    const broken = new Set(gateway.config.backends.filter((b) => b.configError).map((b) => b.name));
    for (const backend of pool.names()) {
      if (stops.has(backend) || broken.has(backend)) continue;
      stops.set(backend, listenTo(backend));
    }
  };
  const listenTo = (backend: string) =>
    pool.listen(backend, (method, params, from, to) => {
      // The session's latest credential decides, as it would for a request.
      const caller = callerFor();
      if (!caller.allows(backend, "*")) return;
      if (method.startsWith("notifications/resources/")) {
        if (!caller.allowsCatalog(backend, "resources")) return;
      } else if (method === "notifications/prompts/list_changed") {
        if (!caller.allowsCatalog(backend, "prompts")) return;
      }
      if (method === "notifications/resources/updated") {
        // Another session's own connection (isolation: session) speaks of its resources.
        if (from !== undefined && from !== sessionId() && from !== `caller:${caller.id}`) return;
        const uri = (params as { uri?: string } | undefined)?.uri;
        const exposed = [...subscriptions].find(
          ([, t]) => t.server === backend && t.uri === uri,
        )?.[0];
        if (!exposed) return;
        params = { ...params, uri: exposed };
      } else if (method === "notifications/elicitation/complete") {
        // Only the session that was asked (never broadcast).
        if (!to || to !== sessionId()) return;
      } else if (method === "notifications/tasks/status") {
        // A task's status goes to the session that created it, and only there, under the id
        // its client knows; from the backend that made it (another's same id is not that task).
        params = taskStatusFor(gateway.tasks, backend, sessionId(), params, from);
        if (!params) return;
      } else if (method === "notifications/message") {
        // About no one call (none is in flight): another key's work, for all it can tell.
        if (!caller.allowsCatalog(backend, "logs")) return;
        const wanted = gateway.logLevels.get(sessionId());
        const level = (params as { level?: LoggingLevel } | undefined)?.level ?? "info";
        if (!wanted || LEVELS.indexOf(level) < LEVELS.indexOf(wanted)) return;
      } else if (
        method !== "notifications/resources/list_changed" &&
        method !== "notifications/prompts/list_changed"
      ) {
        return;
      }
      relay.notify(method, params);
    });
  listenToAll();
  // A reload that added, replaced or removed backends changed the merged lists: the client is
  // told of those its caller may list (the gateway declares listChanged for both).
  const unhookReload = gateway.hooks.hook("config:reload", (_by, backends = []) => {
    listenToAll();
    const caller = callerFor();
    for (const [kind, method] of CATALOG_CHANGES) {
      if (backends.some((backend) => caller.allowsCatalog(backend, kind))) {
        relay.notify(method, undefined);
      }
    }
  });
  // A webhook delivery reaches the sessions that subscribed to its resource and whose credential
  // (checked now, as for a request) still grants the capabilities backend's resources.
  const stopHooks = hub.listen((endpoint, delivery) => {
    if (!hooked.has(endpoint.uri)) return;
    if (!callerFor().allowsCatalog(hub.server, "resources")) return;
    relay.notify("notifications/resources/updated", { uri: endpoint.uri });
    const wanted = gateway.logLevels.get(sessionId());
    if (wanted && LEVELS.indexOf(wanted) > LEVELS.indexOf("info")) return;
    relay.notify("notifications/message", {
      level: "info",
      logger: "webhooks",
      data: { uri: endpoint.uri, event: delivery.event, at: delivery.at },
    });
  });
  // A skill added, changed or removed (hot reload of the skills folder).
  const stopSkills = skillsFor(gateway)?.onChange(() => {
    if (!reachesSkills(gateway, callerFor())) return;
    relay.notify("notifications/resources/list_changed", undefined);
    relay.notify("notifications/prompts/list_changed", undefined);
    for (const uri of skillSubscriptions) {
      if (skillUriVisible(gateway, callerFor(), uri)) {
        relay.notify("notifications/resources/updated", { uri });
      }
    }
  });
  return () => {
    stopSkills?.();
    stopHooks();
    unhookReload();
    for (const stop of stops.values()) stop();
  };
}

/** A `result://` URI: a code-mode result kept for this caller (others get "not found"). */
function readKept(gateway: Gateway, uri: string, caller: Caller) {
  let text: string;
  try {
    text = resultsFor(gateway).read(uri, caller.id);
  } catch (error) {
    throw new ProtocolError(-32002, error instanceof Error ? error.message : String(error));
  }
  return { contents: [{ uri, mimeType: "application/json", text }] };
}

/** The list change a client hears when a backend's resources or prompts come or go. */
const CATALOG_CHANGES = [
  ["resources", "notifications/resources/list_changed"],
  ["prompts", "notifications/prompts/list_changed"],
] as const;

/** Gateways whose backends are set to the sessions' level again each time one starts. */
const reapplying = new WeakSet<Gateway>();

/**
 * Runs every connected backend (or `only` that one) that logs at the most verbose level any
 * session asked for: a backend's level is shared by every session on it, so no session may lower
 * it for the others; each session filters what it gets by its own level.
 */

export async function applyLogLevel(gateway: Gateway, only?: string): Promise<void> {
  if (!reapplying.has(gateway)) {
    reapplying.add(gateway);
    // A backend that starts after a level was set (a lazy start, a restart after a crash or an
    // idle stop, one a reload added or replaced) starts at its own default: it is told too.
    gateway.hooks.hook("backend:state", (name, state) => {
      if (state === "ready") void applyLogLevel(gateway, name).catch(() => {});
    });
  }
  const levels = [...gateway.logLevels.values()];
  if (levels.length === 0) return;
  const level = LEVELS[Math.min(...levels.map((l) => LEVELS.indexOf(l)))]!;
  await Promise.all(
    gateway.pool.statuses().map(async ({ name, state }) => {
      if (state !== "ready" || (only !== undefined && name !== only)) return;
      const connection = await gateway.pool.open(name);
      if (!connection.capabilities.logging) return;
      await gateway.pool.request(name, "logging/setLevel", { level }, {}).catch(() => {});
    }),
  );
}
