import type { Caller } from "../gateway/caller.ts";
import type { Gateway } from "../gateway/gateway.ts";
import type { Tool } from "../mcp/sdk.ts";

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
