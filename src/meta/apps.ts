import type { Caller } from "../gateway/caller.ts";
import type { Allow } from "../gateway/catalog.ts";
import type { Gateway } from "../gateway/gateway.ts";
import type { Tool } from "../mcp/sdk.ts";
import { asListed, type SurfacedTool } from "./surface.ts";

/** The MCP Apps extension (SEP-1865) as clients declare it under `capabilities.extensions`. */
export const APPS_EXTENSION = "io.modelcontextprotocol/ui";

/** A tool's UI: `_meta.ui.resourceUri`, or the older flat `_meta["ui/resourceUri"]`. */
export function uiResourceOf(tool: Tool): string | undefined {
  const meta = tool._meta as Record<string, unknown> | undefined;
  const ui = meta?.ui as { resourceUri?: unknown } | undefined;
  const uri = ui?.resourceUri ?? meta?.["ui/resourceUri"];
  return typeof uri === "string" && uri.startsWith("ui://") ? uri : undefined;
}

/** Whether a client declared MCP Apps support (it renders `ui://` resources). */
export function declaresApps(capabilities: Record<string, unknown> | undefined): boolean {
  const extensions = capabilities?.extensions as Record<string, unknown> | undefined;
  return extensions?.[APPS_EXTENSION] !== undefined;
}

/**
 * Whether `uri` on `server` is the UI of a tool this caller may use: a UI resource is granted
 * with its tool, not only with the server's resources.
 */
export function uiAllowed(gateway: Gateway, caller: Caller, server: string, uri: string): boolean {
  if (!uri.startsWith("ui://")) return false;
  return gateway.router.visibleTools(server, caller).some((tool) => uiResourceOf(tool) === uri);
}

/** The resources a caller may list and read on `/mcp`: a server's by grant, a UI with its tool. */
export function resourceAllow(gateway: Gateway, caller: Caller): Allow {
  return (server, uri) =>
    caller.allowsCatalog(server, "resources") ||
    (uri !== undefined && uiAllowed(gateway, caller, server, uri));
}

/**
 * Tools as `/mcp` lists them, each with a UI naming the URI this caller reads it under: when
 * two backends list the same `ui://` URI, the newcomer's is namespaced (catalog.ts), and its
 * tool must point there, not at the other backend's app.
 */
export async function listedWithUi(
  gateway: Gateway,
  caller: Caller,
  entries: SurfacedTool[],
): Promise<Tool[]> {
  const allow = resourceAllow(gateway, caller);
  return Promise.all(
    entries.map(async (entry) => {
      const listed = asListed(entry);
      const uri = uiResourceOf(entry.tool);
      if (!uri) return listed;
      const exposed = await gateway.catalog.exposedUri(uri, entry.server, allow);
      if (exposed === uri) return listed;
      const meta = listed._meta as Record<string, unknown>;
      const ui = { ...(meta.ui as object), resourceUri: exposed };
      return { ...listed, _meta: { ...meta, ui } };
    }),
  );
}
