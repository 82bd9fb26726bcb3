import type { BackendPool } from "../backends/pool.ts";
import { GatewayError } from "../errors.ts";
import type { Tool } from "../mcp/sdk.ts";
import type { ToolIndex } from "../search/index.ts";
import type { Caller } from "./caller.ts";
import { closeMatches } from "./suggest.ts";

export interface Resolved {
  server: string;
  tool: Tool;
}

/**
 * Resolves `server` + `tool` for a caller: the one place where names, scopes and (later)
 * quarantine are applied, for invoke, `/mcp/{backend}` and surfaced tools alike.
 */
export class Router {
  constructor(
    private readonly pool: BackendPool,
    private readonly index: ToolIndex,
  ) {}

  /** Servers the caller may use. */
  servers(caller: Caller): string[] {
    return this.pool.names().filter((name) => caller.allows(name, "*"));
  }

  async resolve(name: string, toolName: string, caller: Caller): Promise<Resolved> {
    const server = this.pool.canonical(name);
    if (!this.pool.has(server)) {
      const suggestions = closeMatches(server, this.servers(caller));
      throw new GatewayError(
        "SERVER_NOT_FOUND",
        `unknown server "${server}"${hint(suggestions)}; gateway_list_servers lists them`,
      );
    }
    let tool = this.find(server, toolName, caller);
    if (!tool && this.index.tools(server).length === 0) {
      // Not listed yet (still starting, or never reached): list it now before giving up.
      await this.pool.refresh(server);
      tool = this.find(server, toolName, caller);
    }
    if (!tool) {
      const visible = this.index
        .tools(server)
        .filter((t) => caller.allows(server, t.name))
        .map((t) => t.name);
      const suggestions = closeMatches(toolName, visible);
      throw new GatewayError(
        "TOOL_NOT_FOUND",
        `server "${server}" has no tool "${toolName}"${hint(suggestions)}`,
      );
    }
    return { server, tool };
  }

  private find(server: string, toolName: string, caller: Caller): Tool | undefined {
    const tool = this.index.get(server, toolName);
    return tool && caller.allows(server, tool.name) ? tool : undefined;
  }
}

function hint(suggestions: string[]): string {
  return suggestions.length ? `; did you mean ${suggestions.join(", ")}?` : "";
}
