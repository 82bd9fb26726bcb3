import type { JsonObject } from "../backends/types.ts";
import { GatewayError } from "../errors.ts";
import type { DisabledEntry } from "../resilience/kill-switch.ts";
import type { MetaContext, MetaTool } from "./types.ts";
import { jsonResult, objectSchema, requireAdmin, stringArg } from "./types.ts";

const TOP_TOOLS = 10;

/** `gateway_get_stats`: calls, errors and the most used tools the caller may see. */
export const getStats: MetaTool = {
  definition: {
    name: "gateway_get_stats",
    description: "Gateway usage: calls, errors, mean latency and the most used tools.",
    inputSchema: { type: "object", properties: {} },
    outputSchema: objectSchema({
      uptimeSeconds: { type: "number" },
      invocations: { type: "number" },
      errors: { type: "number" },
      servers: { type: "number" },
      tools: { type: "number" },
      disabled: { type: "number" },
      topTools: { type: "array", items: { type: "object" } },
    }),
    annotations: { title: "Gateway stats", readOnlyHint: true, openWorldHint: false },
  },
  async handle(_args, { gateway, caller }) {
    const usage = gateway.operator.usage?.((server, tool) => caller.allows(server, tool)) ?? [];
    const servers = gateway.router.servers(caller);
    return jsonResult({
      uptimeSeconds: Math.round((Date.now() - gateway.startedAt) / 1000),
      invocations: usage.reduce((sum, row) => sum + row.calls, 0),
      errors: usage.reduce((sum, row) => sum + row.errors, 0),
      servers: servers.length,
      tools: servers.reduce(
        (sum, name) => sum + gateway.router.visibleTools(name, caller).length,
        0,
      ),
      disabled: gateway.pool.killSwitch.list().length,
      topTools: usage.slice(0, TOP_TOOLS).map(({ server, tool, calls, errors, meanMs }) => ({
        server,
        tool,
        calls,
        errors,
        meanMs,
      })),
    });
  },
};

/** `gateway_reload_config`: re-reads the config file, as `POST /api/reload` does. */
export const reloadConfig: MetaTool = {
  definition: {
    name: "gateway_reload_config",
    description: "Re-read the gateway config file and apply it (admin).",
    inputSchema: objectSchema({}),
    outputSchema: objectSchema({
      reloaded: { type: "boolean" },
      added: { type: "array", items: { type: "string" } },
      removed: { type: "array", items: { type: "string" } },
      changed: { type: "array", items: { type: "string" } },
      restart_required: { type: "array", items: { type: "string" } },
      /** When `restart_required` names any: that they wait, and that the running values stay. */
      restart_note: { type: "string" },
    }),
    annotations: {
      title: "Reload config",
      readOnlyHint: false,
      idempotentHint: true,
      openWorldHint: false,
    },
  },
  async handle(_args, { gateway, caller }) {
    requireAdmin(caller, "gateway_reload_config");
    const reload = gateway.operator.reloadConfig;
    if (!gateway.config.file || !reload) {
      throw new GatewayError(
        "CONFIG_NOT_FOUND",
        "the gateway runs without a config file; nothing to reload",
      );
    }
    const { added, removed, changed, restartRequired, restartNote } = await reload(caller.id);
    return jsonResult({
      reloaded: true,
      added,
      removed,
      changed,
      restart_required: restartRequired,
      ...(restartNote ? { restart_note: restartNote } : {}),
    });
  },
};

const SERVER_INPUT = objectSchema({ server: { type: "string", description: "Server name" } }, [
  "server",
]);

/** A server the caller may reach, by its canonical name; an unknown one names what exists. */
function knownServer(args: JsonObject, context: MetaContext): string {
  const named = stringArg(args, "server", true);
  const server = context.gateway.pool.canonical(named);
  if (!context.gateway.pool.has(server) || !context.caller.allows(server, "*")) {
    throw new GatewayError(
      "SERVER_NOT_FOUND",
      `unknown server "${named}"; gateway_list_servers lists them`,
    );
  }
  return server;
}

/** `gateway_kill_server`: the kill switch; the client confirms through elicitation first. */
export const killServer: MetaTool = {
  definition: {
    name: "gateway_kill_server",
    description:
      "Kill switch: close a backend and refuse its calls until gateway_revive_server (admin; asks to confirm).",
    inputSchema: SERVER_INPUT,
    outputSchema: objectSchema({ server: { type: "string" }, killed: { type: "boolean" } }),
    annotations: {
      title: "Kill server",
      readOnlyHint: false,
      destructiveHint: true,
      openWorldHint: false,
    },
  },
  async handle(args, context) {
    requireAdmin(context.caller, "gateway_kill_server");
    const server = knownServer(args, context);
    if (!context.elicit) {
      throw new GatewayError(
        "CONFIRMATION_REQUIRED",
        `killing ${server} needs the user's confirmation, and this client cannot elicit; use a client with elicitation, or the dashboard`,
      );
    }
    const answer = await context.elicit(
      `Kill backend "${server}"? Its connections close and its calls are refused until it is revived.`,
    );
    if (answer !== "accept") return jsonResult({ server, killed: false });
    await context.gateway.pool.kill(server, `killed by ${context.caller.id}`);
    return jsonResult({ server, killed: true });
  },
};

/** `gateway_revive_server`: ends a kill or an error-budget disable, and resets the budget. */
export const reviveServer: MetaTool = {
  definition: {
    name: "gateway_revive_server",
    description:
      "Re-enable a killed or error-budget-disabled backend and reset its error budget (admin).",
    inputSchema: SERVER_INPUT,
    outputSchema: objectSchema({ server: { type: "string" }, revived: { type: "boolean" } }),
    annotations: {
      title: "Revive server",
      readOnlyHint: false,
      idempotentHint: true,
      openWorldHint: false,
    },
  },
  async handle(args, context) {
    requireAdmin(context.caller, "gateway_revive_server");
    const server = knownServer(args, context);
    return jsonResult({ server, revived: context.gateway.pool.revive(server) });
  },
};

/** A disabled entry as results show it: times as ISO strings. */
export function describeDisabled(entry: DisabledEntry) {
  return {
    server: entry.server,
    ...(entry.tool ? { tool: entry.tool } : {}),
    reason: entry.reason,
    detail: entry.detail,
    since: new Date(entry.since).toISOString(),
    ...(entry.until ? { until: new Date(entry.until).toISOString() } : {}),
  };
}

/** `gateway_list_disabled_capabilities`: what the kill switch and error budgets disabled. */
export const listDisabled: MetaTool = {
  definition: {
    name: "gateway_list_disabled_capabilities",
    description: "Backends and capabilities disabled by the kill switch or their error budget.",
    inputSchema: objectSchema({}),
    outputSchema: objectSchema({
      disabled: { type: "array", items: { type: "object" } },
      total: { type: "number" },
    }),
    annotations: { title: "Disabled capabilities", readOnlyHint: true, openWorldHint: false },
  },
  async handle(_args, { gateway, caller }) {
    const disabled = gateway.pool.killSwitch
      .list()
      .filter((entry) => caller.allows(entry.server, entry.tool ?? "*"))
      .map(describeDisabled);
    return jsonResult({ disabled, total: disabled.length });
  },
};
