import type { BackendPool } from "../backends/pool.ts";
import type { JsonObject } from "../backends/types.ts";
import { logger } from "../logger.ts";
import {
  type Prompt,
  ProtocolError,
  ProtocolErrorCode,
  type Resource,
  type ResourceTemplate,
  UriTemplate,
} from "../mcp/sdk.ts";
import { InvalidCursorError, paginate } from "./cursor.ts";

/** How long one backend may take to answer a list before the merged list goes on without it. */
const LIST_TIMEOUT_MS = 5000;
const PAGE_SIZE = 100;
const CLASH_PREFIX = "gateway://";

export interface ResourceClash {
  uri: string;
  /** The backend that keeps the bare URI (or whose template answered). */
  owner: string;
  /** The backend whose copy is exposed as `gateway://<other>/<uri>` (or whose template lost). */
  other: string;
  /** A template clash: the owner's template that matched `uri` more specifically. */
  template?: string;
}

type Kind = "resources" | "templates" | "prompts";

/**
 * Which backends' resources and prompts a caller may see (a grant covering the whole server);
 * with a `uri`, whether that one resource is granted (an MCP App's UI goes with its tool).
 */
export type Allow = (server: string, uri?: string) => boolean;
const everything: Allow = () => true;

/** Clashes kept for `/health` and the dashboard; a backend listing thousands must not grow it. */
const MAX_CLASHES = 200;

interface ParsedTemplate {
  server: string;
  template: UriTemplate;
  text: string;
  /** Characters outside `{...}`: the more, the more specific the template. */
  literal: number;
}

/**
 * Resources, resource templates and prompts of every backend, merged for `/mcp`. URIs stay as the
 * backend wrote them (links in tool results keep resolving).
 *
 * Routing fails closed, so that no backend can answer for another's resources: a URI goes to a
 * backend that listed it *for this caller* (among the backends the caller may see), exact URIs
 * before templates, the most specific template first. A URI listed by two backends stays with
 * the one that listed it first (config order within one listing, whoever the caller); the
 * newcomer's is exposed as `gateway://<backend>/<uri>`, and the clash is reported (`/health`,
 * `doctor`, the dashboard). The `gateway://` namespace is the gateway's: a backend's own URI in
 * it is always namespaced. Prompt names clashing across backends become `<backend>__<name>`.
 */
export class Catalog {
  /** A backend's URIs, as it last listed them. */
  private readonly urisOf = new Map<string, Set<string>>();
  /** URI -> the backends listing it, in the order they started to: the first keeps it. */
  private readonly claims = new Map<string, string[]>();
  private readonly promptsOf = new Map<string, Prompt[]>();
  private readonly templatesOf = new Map<string, ParsedTemplate[]>();
  readonly clashes: ResourceClash[] = [];

  /**
   * `screen` holds back listed entries that look poisoned (Security.screenListed); by default
   * nothing is held back. `wait`: how long a list waits for a backend still starting
   * (`meta_mcp.discovery_wait`) before it answers without that backend's entries.
   */
  constructor(
    private readonly pool: BackendPool,
    private readonly screen: <T>(server: string, method: string, result: T) => T = (_s, _m, r) => r,
    private readonly wait: () => number = () => 5_000,
  ) {}

  async listResources(
    cursor?: string,
    allow: Allow = everything,
  ): Promise<{ resources: Resource[]; nextCursor?: string }> {
    // Every backend is listed, whoever asks: who listed a URI first must not depend on which
    // caller happened to list first (a key for one backend would hand it everyone's URIs).
    const lists = await this.collect<Resource>("resources", everything);
    for (const [server, list] of lists) this.record(server, list);
    const merged: Resource[] = [];
    for (const [server, list] of lists) {
      for (const resource of list) {
        if (!allow(server, resource.uri)) continue;
        const exposed = this.exposeUri(resource.uri, server, allow);
        merged.push(exposed === resource.uri ? resource : { ...resource, uri: exposed });
      }
    }
    return page("resources", merged, cursor);
  }

  async listTemplates(
    cursor?: string,
    allow: Allow = everything,
  ): Promise<{ resourceTemplates: ResourceTemplate[]; nextCursor?: string }> {
    const merged: ResourceTemplate[] = [];
    /** Template -> the first backend this caller sees that lists it: its URIs go there. */
    const owners = new Map<string, string>();
    // Every backend's, as for resources: a read by any caller must find every template.
    for (const [server, list] of await this.collect<ResourceTemplate>("templates", everything)) {
      const parsed: ParsedTemplate[] = [];
      for (const template of list) {
        if (allow(server)) merged.push(this.exposeTemplate(template, server, owners));
        try {
          const text = template.uriTemplate;
          const literal = text.replace(/\{[^}]*\}/g, "").length;
          parsed.push({ server, template: new UriTemplate(text), text, literal });
        } catch {}
      }
      this.templatesOf.set(server, parsed);
    }
    return page("resourceTemplates", merged, cursor);
  }

  async listPrompts(
    cursor?: string,
    allow: Allow = everything,
  ): Promise<{ prompts: Prompt[]; nextCursor?: string }> {
    const lists = await this.collect<Prompt>("prompts", allow);
    for (const [server, list] of lists) this.promptsOf.set(server, list);
    const merged: Prompt[] = [];
    for (const [exposed, { server, name }] of this.promptView(allow)) {
      const prompt = this.promptsOf.get(server)?.find((p) => p.name === name);
      if (prompt) merged.push(exposed === name ? prompt : { ...prompt, name: exposed });
    }
    return page("prompts", merged, cursor);
  }

  /**
   * The backend, and its own URI, that answers `uri` for a caller who may see `allow`'s backends.
   * Lists resources and templates once if they never were.
   */
  async resolveUri(
    uri: string,
    allow: Allow = everything,
  ): Promise<{ server: string; uri: string }> {
    if (uri.startsWith(CLASH_PREFIX)) {
      const rest = uri.slice(CLASH_PREFIX.length);
      const slash = rest.indexOf("/");
      // As named in any case (a client may lowercase the URI's host part).
      const server = this.pool.canonical(rest.slice(0, slash));
      // A backend the caller may not see is not found, in the same words as one that does not
      // exist (another answer would confirm its name).
      const own = rest.slice(slash + 1);
      if (slash > 0 && this.pool.has(server) && allow(server, own)) return { server, uri: own };
      throw new ProtocolError(-32002, `Resource not found: ${uri}`, { uri });
    }
    if (this.urisOf.size === 0) await this.listResources().catch(() => undefined);
    const owner = this.ownerOf(uri, allow);
    if (owner) return { server: owner, uri };
    if (this.templatesOf.size === 0) await this.listTemplates().catch(() => undefined);
    const template = this.templateFor(uri, allow);
    if (template) return template;
    // A resource made since the last listing (a tool's result linked to the file it just wrote):
    // the backends are listed again once before it is not found.
    await this.listResources().catch(() => undefined);
    const late = this.ownerOf(uri, allow);
    if (late) return { server: late, uri };
    throw new ProtocolError(-32002, `Resource not found: ${uri}`, { uri });
  }

  /** The backend whose most specific template matches `uri`, reporting the templates it beat. */
  private templateFor(uri: string, allow: Allow): { server: string; uri: string } | undefined {
    const matches: ParsedTemplate[] = [];
    for (const server of this.pool.names()) {
      if (!allow(server)) continue;
      for (const entry of this.templatesOf.get(server) ?? []) {
        if (entry.template.match(uri)) matches.push(entry);
      }
    }
    // The most specific template answers; config order (the map's) breaks ties.
    const best = matches.reduce<ParsedTemplate | undefined>(
      (top, entry) => (!top || entry.literal > top.literal ? entry : top),
      undefined,
    );
    if (!best) return undefined;
    for (const other of new Set(matches.map((m) => m.server))) {
      if (other !== best.server)
        this.clash({ uri, owner: best.server, other, template: best.text });
    }
    return { server: best.server, uri };
  }

  async resolvePrompt(
    name: string,
    allow: Allow = everything,
  ): Promise<{ server: string; name: string }> {
    let known = this.promptView(allow).get(name) ?? this.originalPrompt(name, allow);
    if (!known) {
      await this.listPrompts(undefined, allow).catch(() => undefined);
      known = this.promptView(allow).get(name) ?? this.originalPrompt(name, allow);
    }
    if (!known)
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Prompt ${name} not found`);
    return known;
  }

  /**
   * `server/prompt`, the original gateway's name for a backend's prompt (its clients and saved
   * workflows call it so): that backend's prompt, when the caller may see the backend.
   */
  private originalPrompt(name: string, allow: Allow): { server: string; name: string } | undefined {
    const slash = name.indexOf("/");
    if (slash <= 0) return undefined;
    const server = this.pool.canonical(name.slice(0, slash));
    const own = name.slice(slash + 1);
    if (!this.pool.has(server) || !allow(server)) return undefined;
    return this.promptsOf.get(server)?.some((prompt) => prompt.name === own)
      ? { server, name: own }
      : undefined;
  }

  /** Exposed prompt name -> its backend and own name, for the backends `allow` lets through. */
  private promptView(allow: Allow): Map<string, { server: string; name: string }> {
    const view = new Map<string, { server: string; name: string }>();
    for (const server of this.pool.names()) {
      if (!allow(server)) continue;
      for (const prompt of this.promptsOf.get(server) ?? []) {
        const exposed = view.has(prompt.name) ? `${server}__${prompt.name}` : prompt.name;
        if (!view.has(exposed)) view.set(exposed, { server, name: prompt.name });
      }
    }
    return view;
  }

  /** Which backends offer a kind of list (connected ones, or with the capability declared). */
  private async collect<T>(kind: Kind, allow: Allow): Promise<[string, T[]][]> {
    const method = {
      resources: "resources/list",
      templates: "resources/templates/list",
      prompts: "prompts/list",
    }[kind];
    const key = { resources: "resources", templates: "resourceTemplates", prompts: "prompts" }[
      kind
    ];
    const servers = this.pool
      .statuses()
      .filter((status) => status.state !== "failed" && allow(status.name));
    const results = await Promise.all(
      servers.map(async ({ name }): Promise<[string, T[]]> => {
        try {
          // One backend stuck starting (never answering initialize) must not hold every
          // session's list until its start times out: past the wait, it is left out.
          await this.pool.discovered(name, this.wait());
          const connection = await this.pool.open(name);
          const capability = kind === "prompts" ? "prompts" : "resources";
          if (!connection.capabilities[capability]) return [name, []];
          const list = await this.drain<T>(name, method, key);
          return [name, this.screen(name, method, { [key]: list })[key] as T[]];
        } catch (error) {
          logger.debug(`[backend:${name}] ${method} failed: ${error}`);
          return [name, []];
        }
      }),
    );
    return results;
  }

  /** Walks every page of a backend's list. */
  private async drain<T>(server: string, method: string, key: string): Promise<T[]> {
    const out: T[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 1000; pages++) {
      const result = await this.pool.request(server, method, cursor ? { cursor } : undefined, {
        signal: AbortSignal.timeout(LIST_TIMEOUT_MS),
      });
      out.push(...((result[key] as T[] | undefined) ?? []));
      cursor = result.nextCursor as string | undefined;
      if (!cursor) break;
    }
    return out;
  }

  /** Takes a backend's fresh list: claims its new URIs (last in line), drops those it dropped. */
  private record(server: string, list: Resource[]): void {
    const now = new Set(list.map((resource) => resource.uri));
    for (const uri of this.urisOf.get(server) ?? []) {
      if (now.has(uri)) continue;
      const left = this.claims.get(uri)?.filter((s) => s !== server) ?? [];
      if (left.length) this.claims.set(uri, left);
      else this.claims.delete(uri);
    }
    for (const uri of now) {
      const claimants = this.claims.get(uri) ?? [];
      if (!claimants.includes(server)) this.claims.set(uri, [...claimants, server]);
    }
    this.urisOf.set(server, now);
  }

  /** The first backend still listing `uri` among those `allow` lets through. */
  private ownerOf(uri: string, allow: Allow): string | undefined {
    return this.claims
      .get(uri)
      ?.find((server) => allow(server, uri) && this.urisOf.get(server)?.has(uri));
  }

  /**
   * The URI under which this caller reads `server`'s `uri` (an MCP App's UI named by a tool):
   * namespaced when another backend owns it. Lists resources once if they never were.
   */
  async exposedUri(uri: string, server: string, allow: Allow): Promise<string> {
    if (this.urisOf.size === 0) await this.listResources().catch(() => undefined);
    return this.urisOf.get(server)?.has(uri) ? this.exposeUri(uri, server, allow) : uri;
  }

  /**
   * `server`'s template as a caller sees it: bare for the first backend (of those it sees) that
   * lists it, which answers its URIs; under `gateway://<server>/` for a later one (two instances
   * of one server), whose URIs are read there, as a clashing resource's are.
   */
  private exposeTemplate(
    template: ResourceTemplate,
    server: string,
    owners: Map<string, string>,
  ): ResourceTemplate {
    const text = template.uriTemplate;
    const owner = owners.get(text);
    if (!owner) owners.set(text, server);
    if (!text.startsWith(CLASH_PREFIX) && (!owner || owner === server)) return template;
    if (owner && owner !== server) this.clash({ uri: text, owner, other: server });
    return { ...template, uriTemplate: `${CLASH_PREFIX}${server}/${text}` };
  }

  /** `uri` as this caller sees `server`'s: bare for its owner, namespaced for a newcomer. */
  private exposeUri(uri: string, server: string, allow: Allow): string {
    const namespaced = `${CLASH_PREFIX}${server}/${uri}`;
    if (uri.startsWith(CLASH_PREFIX)) return namespaced;
    const owner = this.ownerOf(uri, allow);
    if (owner === server || !owner) return uri;
    this.clash({ uri, owner, other: server });
    return namespaced;
  }

  private clash(clash: ResourceClash): void {
    const known = this.clashes.some(
      (c) =>
        c.owner === clash.owner &&
        c.other === clash.other &&
        (clash.template ? c.template === clash.template : c.uri === clash.uri && !c.template),
    );
    if (known || this.clashes.length >= MAX_CLASHES) return;
    this.clashes.push(clash);
    logger.warn(
      clash.template
        ? `resource ${clash.uri} matches templates of ${clash.owner} and ${clash.other}; ${clash.owner}'s more specific ${clash.template} answers it`
        : `resource ${clash.uri} is listed by ${clash.owner} and ${clash.other}; ${clash.other}'s is ${CLASH_PREFIX}${clash.other}/${clash.uri}`,
    );
  }
}

/** One page of a merged list under `key`, with the gateway's own cursor. */
function page<K extends string, T>(
  key: K,
  items: T[],
  cursor: string | undefined,
): { [P in K]: T[] } & { nextCursor?: string } {
  try {
    const { items: slice, nextCursor } = paginate(items, cursor, PAGE_SIZE);
    return { [key]: slice, ...(nextCursor ? { nextCursor } : {}) } as { [P in K]: T[] } & {
      nextCursor?: string;
    };
  } catch (error) {
    if (error instanceof InvalidCursorError) {
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, "Invalid cursor");
    }
    throw error;
  }
}

/** Pass-through params for a routed request: the same params with the backend's own name/URI. */
export function withParams(params: unknown, changes: JsonObject): JsonObject {
  return { ...((params ?? {}) as JsonObject), ...changes };
}
