import { ORIGINAL_BREAKER } from "../resilience/breaker.ts";
import type { MetaTool } from "./types.ts";
import { jsonResult } from "./types.ts";

/**
 * Says that a backend's tools are its cached list (a lazy stdio backend not started since this
 * start), how old it is, and how to have them listed again: they may have changed meanwhile.
 */
export function cachedNote(cachedAt: number): string {
  return `tools as listed ${age(Date.now() - cachedAt)} ago (cached, not run since this start); listed again at its first call or gateway_list_tools with its name`;
}

/** A rough age: `40s`, `12m`, `3h`, `2d`. */
function age(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)}m`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86_400)}d`;
}

export const listServers: MetaTool = {
  definition: {
    name: "gateway_list_servers",
    description: "List the backend servers behind this gateway, with their state and tool counts.",
    inputSchema: { type: "object", properties: {}, additionalProperties: false },
    outputSchema: {
      type: "object",
      properties: {
        servers: {
          type: "array",
          items: {
            type: "object",
            properties: {
              name: { type: "string" },
              transport: { type: "string" },
              state: { type: "string" },
              tools: { type: "number" },
              error: { type: "string" },
            },
            required: ["name", "transport", "state", "tools"],
          },
        },
      },
      required: ["servers"],
    },
    annotations: { title: "List servers", readOnlyHint: true, openWorldHint: false },
  },
  async handle(_args, { gateway, caller }) {
    const servers = gateway.pool
      .statuses()
      .filter((status) => caller.allows(status.name, "*"))
      .map(({ name, transport, state, error, cachedAt }) => {
        const tools = gateway.router.visibleTools(name, caller).length;
        return {
          name,
          transport,
          state,
          tools,
          ...(error ? { error } : {}),
          ...(cachedAt === undefined ? {} : { cached: cachedNote(cachedAt) }),
          // The original gateway's fields, which its users' scripts and prompts read
          // (docs/migrating.md): `status` is `disabled` for a killed backend.
          running: state === "ready",
          tools_count: tools,
          circuit_breaker: ORIGINAL_BREAKER[gateway.pool.breakerState(name)],
          status: gateway.pool.killSwitch.get(name) ? "disabled" : "active",
        };
      });
    return jsonResult({ servers });
  },
};
