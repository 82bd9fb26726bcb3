import type { BackendPool } from "../backends/pool.ts";
import { GatewayError } from "../errors.ts";
import { logger } from "../logger.ts";
import type { Tool } from "../mcp/sdk.ts";
import type { ToolIndex } from "../search/index.ts";
import type { Security } from "../security/guard.ts";
import type { ToolPolicy } from "../security/tool-policy.ts";
import type { Caller } from "./caller.ts";
import { closeMatches } from "./suggest.ts";

export interface Resolved {
  server: string;
  tool: Tool;
}

/** Asks nothing: for a router without a security layer (tests of routing alone). */
const NO_QUARANTINE: Pick<Security, "quarantined"> = { quarantined: () => undefined };

/**
 * Resolves `server` + `tool` for a caller: the one place where names, scopes and quarantine are
 * applied, for invoke, `/mcp/{backend}` and surfaced tools alike.
 */
export class Router {
  constructor(
    private readonly pool: BackendPool,
    private readonly index: ToolIndex,
    private readonly security: Pick<Security, "quarantined"> = NO_QUARANTINE,
    /** How long a call waits for its backend to start and list its tools (ms). */
    private readonly discoveryWait = 5_000,
    /** `security.tool_policy`: applies to every caller, admins included (a reload replaces it). */
    public toolPolicy?: ToolPolicy,
  ) {}

  /** Servers the caller may use. */
  servers(caller: Caller): string[] {
    return this.pool.names().filter((name) => caller.allows(name, "*"));
  }

  /**
   * Whether the caller sees `server:tool` in lists and search: its scopes allow it and it is
   * not quarantined. Every list of tools asks this.
   */
  visible(server: string, tool: string, caller: Caller): boolean {
    return (
      this.denied(server, tool, caller) === undefined &&
      this.security.quarantined(server, tool) === undefined
    );
  }

  /**
   * The rule that refuses `server:tool` to the caller (`security.tool_policy`, then its scopes),
   * else undefined. A tool exposed under another name (`namespace`, `rename`) is refused by a
   * deny rule written for either name: the default deny list's `run_command`, or a key's
   * `delete_*`, went around every namespaced backend (`gh_run_command`).
   */
  private denied(server: string, tool: string, caller: Caller): string | undefined {
    const own = this.pool.ownToolName(server, tool);
    const policy = this.toolPolicy?.(server, tool, own);
    if (policy) return policy;
    if (!caller.allows(server, tool)) return caller.denial?.(server, tool) ?? "the caller's scopes";
    return own === tool ? undefined : caller.denies?.(server, own);
  }

  /** A server's tools the caller sees. */
  visibleTools(server: string, caller: Caller): Tool[] {
    return this.index.tools(server).filter((tool) => this.visible(server, tool.name, caller));
  }

  async resolve(name: string, toolName: string, caller: Caller): Promise<Resolved> {
    const server = this.pool.canonical(name);
    // A caller that may not reach the server at all is refused before it is woken (it must not
    // start a backend's process, or spend its breaker, that it cannot use), and as if the server
    // did not exist: a denial would confirm a backend's name to a key that may not see it.
    const unreachable = this.pool.has(server) && !this.reachable(server, toolName, caller);
    if (!this.pool.has(server) || unreachable) {
      const suggestions = closeMatches(server, this.servers(caller));
      throw new GatewayError(
        "SERVER_NOT_FOUND",
        `unknown server "${server}"${hint(suggestions)}; gateway_list_servers lists them`,
      );
    }
    // A cached list is only a hint: the backend's live list (checked against gateway.lock and
    // by the scanner when it connected) decides which tools exist and what they are.
    await this.pool.discovered(server, this.discoveryWait);
    const tool = this.index.get(server, toolName);
    if (!tool) {
      // Suggestions come only from tools this caller may see.
      const visible = this.visibleTools(server, caller).map((t) => t.name);
      const suggestions = closeMatches(toolName, visible);
      throw new GatewayError(
        "TOOL_NOT_FOUND",
        `server "${server}" has no tool "${toolName}"${hint(suggestions)}`,
      );
    }
    this.check(server, tool.name, caller);
    return { server, tool };
  }

  /** Whether the caller may reach `server` at all; the denial is logged when it may not. */
  private reachable(server: string, tool: string, caller: Caller): boolean {
    if (caller.allows(server, "*")) return true;
    const rule = caller.denial?.(server, "*") ?? "the caller's scopes";
    logger.withTag("policy").warn(`denied ${caller.id} calling ${server}:${tool} (rule ${rule})`);
    return false;
  }

  /**
   * Refuses a call the caller's scopes deny, or of a quarantined tool, with an error naming the
   * rule or the finding; logs the denial. A tool that exists but is denied says so (the caller
   * named it, so its existence is no secret); its description and schema are never shown.
   */
  check(server: string, tool: string, caller: Caller): void {
    const rule = this.denied(server, tool, caller);
    if (rule) {
      logger.withTag("policy").warn(`denied ${caller.id} calling ${server}:${tool} (rule ${rule})`);
      throw new GatewayError(
        "POLICY_DENIED",
        `${server}:${tool} is denied by policy (rule ${rule})`,
        { data: { server, tool, rule } },
      );
    }
    const quarantine = this.security.quarantined(server, tool);
    if (quarantine) {
      logger.withTag("policy").warn(`refused ${caller.id} calling quarantined ${server}:${tool}`);
      throw new GatewayError(
        "TOOL_QUARANTINED",
        `${server}:${tool} is quarantined: ${quarantine}`,
        { data: { server, tool } },
      );
    }
  }
}

function hint(suggestions: string[]): string {
  return suggestions.length ? `; did you mean ${suggestions.join(", ")}?` : "";
}
