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
  owner: string;
  other: string;
}

type Kind = "resources" | "templates" | "prompts";

/** Which backends' resources and prompts a caller may see (a grant covering the whole server). */
export type Allow = (server: string) => boolean;
const everything: Allow = () => true;

/**
 * Resources, resource templates and prompts of every backend, merged for `/mcp`. URIs stay as the
 * backend wrote them (links in tool results keep resolving); a URI listed by two backends is
 * exposed for the later one as `gateway://<backend>/<uri>`. Prompt names clashing across backends
 * become `<backend>__<name>`. Reads route by the URI's known owner, then by template match.
 */
export class Catalog {
  /** URI as exposed -> the backend and the backend's own URI. */
  private readonly uris = new Map<string, { server: string; uri: string }>();
  private readonly prompts = new Map<string, { server: string; name: string }>();
  private readonly templates = new Map<string, { server: string; template: UriTemplate }[]>();
  readonly clashes: ResourceClash[] = [];

  constructor(private readonly pool: BackendPool) {}

  async listResources(
    cursor?: string,
    allow: Allow = everything,
  ): Promise<{ resources: Resource[]; nextCursor?: string }> {
    const merged: Resource[] = [];
    for (const [server, list] of await this.collect<Resource>("resources", allow)) {
      for (const resource of list) {
        const exposed = this.claimUri(resource.uri, server);
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
    for (const [server, list] of await this.collect<ResourceTemplate>("templates", allow)) {
      const parsed: { server: string; template: UriTemplate }[] = [];
      for (const template of list) {
        merged.push(template);
        try {
          parsed.push({ server, template: new UriTemplate(template.uriTemplate) });
        } catch {}
      }
      this.templates.set(server, parsed);
    }
    const result = page("resourceTemplates", merged, cursor);
    return result;
  }

  async listPrompts(
    cursor?: string,
    allow: Allow = everything,
  ): Promise<{ prompts: Prompt[]; nextCursor?: string }> {
    const merged: Prompt[] = [];
    const seen = new Set<string>();
    for (const [server, list] of await this.collect<Prompt>("prompts", allow)) {
      for (const prompt of list) {
        const name = seen.has(prompt.name) ? `${server}__${prompt.name}` : prompt.name;
        seen.add(name);
        this.prompts.set(name, { server, name: prompt.name });
        merged.push(name === prompt.name ? prompt : { ...prompt, name });
      }
    }
    return page("prompts", merged, cursor);
  }

  /** The backend and its own URI for an exposed URI; lists templates once if needed. */
  async resolveUri(uri: string): Promise<{ server: string; uri: string }> {
    const known = this.uris.get(uri);
    if (known) return known;
    if (uri.startsWith(CLASH_PREFIX)) {
      const rest = uri.slice(CLASH_PREFIX.length);
      const slash = rest.indexOf("/");
      const server = rest.slice(0, slash);
      if (slash > 0 && this.pool.has(server)) return { server, uri: rest.slice(slash + 1) };
    }
    if (this.templates.size === 0) await this.listTemplates().catch(() => undefined);
    for (const entries of this.templates.values()) {
      for (const { server, template } of entries) {
        if (template.match(uri)) return { server, uri };
      }
    }
    if (this.uris.size === 0) {
      await this.listResources().catch(() => undefined);
      const listed = this.uris.get(uri);
      if (listed) return listed;
    }
    throw new ProtocolError(-32002, `Resource not found: ${uri}`, { uri });
  }

  async resolvePrompt(name: string): Promise<{ server: string; name: string }> {
    if (!this.prompts.has(name)) await this.listPrompts().catch(() => undefined);
    const known = this.prompts.get(name);
    if (!known)
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Prompt ${name} not found`);
    return known;
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
          const connection = await this.pool.open(name);
          const capability = kind === "prompts" ? "prompts" : "resources";
          if (!connection.capabilities[capability]) return [name, []];
          return [name, await this.drain<T>(name, method, key)];
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

  private claimUri(uri: string, server: string): string {
    const owner = this.uris.get(uri);
    if (!owner || owner.server === server) {
      this.uris.set(uri, { server, uri });
      return uri;
    }
    const exposed = `${CLASH_PREFIX}${server}/${uri}`;
    this.uris.set(exposed, { server, uri });
    if (!this.clashes.some((c) => c.uri === uri && c.other === server)) {
      this.clashes.push({ uri, owner: owner.server, other: server });
      logger.warn(
        `resource ${uri} is listed by ${owner.server} and ${server}; ${server}'s is ${exposed}`,
      );
    }
    return exposed;
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
